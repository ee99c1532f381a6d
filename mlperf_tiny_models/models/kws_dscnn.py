"""MLPerf Tiny keyword-spotting DS-CNN (Speech Commands, 12 classes).

Reference: mlcommons/tiny v0.5, training/keyword_spotting/keras_model.py,
`ds_cnn`. Upstream trains with Adam for 36 epochs, stepping the learning rate
5e-4 -> 1e-4 -> 2e-5 at epochs 12 and 24.
"""
from mlperf_tiny_models import model_info
from mlperf_tiny_models.models import blocks
from tf_iprune.legacy_keras import keras

INFO = model_info.ModelInfo(
    name="kws_dscnn",
    dataset="kws",
    input_shape=(49, 10, 1),
    num_classes=12,
    recipe=model_info.TrainingRecipe(
        optimizer="adam",
        learning_rate=5e-4,
        epochs=36,
        batch_size=100,
        loss="sparse_categorical_crossentropy",
        learning_rate_steps=(1e-4, 2e-5)),
    reference="mlcommons/tiny v0.5 training/keyword_spotting/keras_model.py "
    "(ds_cnn)")

_FILTERS = 64
_NUM_BLOCKS = 4
_WEIGHT_DECAY = 1e-4
# Upstream pools (49 // 2, 10 // 2) = (24, 5) although the 'same'-padded,
# stride-2 first conv yields a 25x5 map, so the last time row is left out.
# Kept as is so that upstream-trained weights give upstream results.
_POOL_SIZE = (24, 5)


def build():
  """Builds the DS-CNN.

  Returns:
    An uncompiled `keras.Model` mapping (batch, 49, 10, 1) MFCCs to
    (batch, 12) class probabilities.
  """
  inputs = keras.Input(shape=INFO.input_shape, name="input")
  x = keras.layers.Conv2D(
      _FILTERS, (10, 4),
      strides=(2, 2),
      padding="same",
      kernel_regularizer=keras.regularizers.L2(_WEIGHT_DECAY),
      name="conv1")(inputs)
  x = blocks.bn_relu(x, "conv1")
  x = keras.layers.Dropout(0.2, name="conv1_dropout")(x)
  for i in range(1, _NUM_BLOCKS + 1):
    name = "block%d" % i
    # Upstream passes kernel_regularizer here, which DepthwiseConv2D ignores;
    # leaving the depthwise kernel unregularized trains alike.
    x = keras.layers.DepthwiseConv2D(
        (3, 3), padding="same", name=name + "_dw")(x)
    x = blocks.bn_relu(x, name + "_dw")
    x = keras.layers.Conv2D(
        _FILTERS, (1, 1),
        padding="same",
        kernel_regularizer=keras.regularizers.L2(_WEIGHT_DECAY),
        name=name + "_pw")(x)
    x = blocks.bn_relu(x, name + "_pw")
  x = keras.layers.Dropout(0.4, name="dropout")(x)
  x = keras.layers.AveragePooling2D(_POOL_SIZE, name="avg_pool")(x)
  x = keras.layers.Flatten(name="flatten")(x)
  x = keras.layers.Dense(INFO.num_classes, name="fc")(x)
  outputs = keras.layers.Softmax(name=model_info.SOFTMAX_LAYER_NAME)(x)
  return keras.Model(inputs, outputs, name=INFO.name)
