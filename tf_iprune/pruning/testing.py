"""Small models and data for the pruning tests (not part of the API)."""
import numpy as np

from tf_iprune.legacy_keras import keras

INPUT_SHAPE = (1, 16, 4)
NUM_CLASSES = 3
# Fine blocks, so that a few iterations have something to choose from.
TILES = {"conv1": (2, 4), "dw": (2, 2), "conv2": (2, 4), "fc": (1, 8)}


def tiny_cnn(depthwise=True, seed=0):
  """Conv2D -> (DepthwiseConv2D + BN) -> Conv2D -> Dense, ReLUs fused."""
  keras.utils.set_random_seed(seed)
  inputs = keras.Input(INPUT_SHAPE, name="input")
  x = keras.layers.Conv2D(8, (1, 3), padding="same", activation="relu",
                          name="conv1")(inputs)
  if depthwise:
    x = keras.layers.DepthwiseConv2D((1, 3), padding="same", use_bias=False,
                                     name="dw")(x)
    x = keras.layers.BatchNormalization(name="bn")(x)
    x = keras.layers.ReLU(name="dw_relu")(x)
  x = keras.layers.MaxPooling2D((1, 2), name="pool")(x)
  x = keras.layers.Conv2D(8, (1, 3), padding="same", activation="relu",
                          name="conv2")(x)
  x = keras.layers.Flatten(name="flatten")(x)
  x = keras.layers.Dense(NUM_CLASSES, name="fc")(x)
  outputs = keras.layers.Softmax(name="softmax")(x)
  return keras.Model(inputs, outputs, name="tiny_cnn")


def tiles(model):
  return {n: t for n, t in TILES.items()
          if n in [layer.name for layer in model.layers]}


def data(n, seed):
  """A learnable 3-class problem on (1, 16, 4) inputs."""
  rng = np.random.default_rng(seed)
  x = rng.normal(size=(n,) + INPUT_SHAPE).astype(np.float32)
  score = np.stack([x[:, 0, :8, 0].mean(1), x[:, 0, 8:, 1].mean(1),
                    x[:, 0, :, 2].mean(1) * 0.8], axis=1)
  return x, np.argmax(score, axis=1).astype(np.int64)


def trained_tiny_cnn(epochs=15, seed=0, depthwise=True):
  model = tiny_cnn(depthwise, seed)
  model.compile(keras.optimizers.Adam(1e-2), "sparse_categorical_crossentropy",
                metrics=["accuracy"])
  model.fit(*data(1024, seed), epochs=epochs, batch_size=64, verbose=0)
  return model
