"""The iPrune paper's human-activity-recognition CNN (UCI HAR, 6 classes).

Reference: iPrune (Lin et al.), HAR model, re-expressed in Keras NHWC: the
128-step, 9-channel window is a (1, 128, 9) image. Three (1, 2) convs with
'same' padding, each followed by ReLU and a (1, 2) max pool, then one dense
layer. Keras 'same' pads one zero at the end of the time axis where the
PyTorch original pads one at each end and pooling drops the extra step, so the
conv windows are shifted by one step; shapes and counts are identical. The
paper trains with Adam at 1e-4 for 500 epochs, batches of 600.
"""
from mlperf_tiny_models import model_info
from tf_iprune.legacy_keras import keras

INFO = model_info.ModelInfo(
    name="har_cnn",
    dataset="har",
    input_shape=(1, 128, 9),
    num_classes=6,
    recipe=model_info.TrainingRecipe(
        optimizer="adam",
        learning_rate=1e-4,
        epochs=500,
        batch_size=600,
        loss="sparse_categorical_crossentropy"),
    reference="iPrune (Lin et al.) HAR CNN")

_CONV_FILTERS = (18, 36, 72)


def build():
  """Builds the HAR CNN.

  Returns:
    An uncompiled `keras.Model` mapping (batch, 1, 128, 9) sensor windows to
    (batch, 6) class probabilities.
  """
  inputs = keras.Input(shape=INFO.input_shape, name="input")
  x = inputs
  for i, filters in enumerate(_CONV_FILTERS, start=1):
    x = keras.layers.Conv2D(
        filters, (1, 2), padding="same", name="conv%d" % i)(x)
    x = keras.layers.ReLU(name="conv%d_relu" % i)(x)
    x = keras.layers.MaxPooling2D((1, 2), strides=(1, 2), name="pool%d" % i)(x)
  x = keras.layers.Flatten(name="flatten")(x)
  x = keras.layers.Dense(INFO.num_classes, name="fc")(x)
  outputs = keras.layers.Softmax(name=model_info.SOFTMAX_LAYER_NAME)(x)
  return keras.Model(inputs, outputs, name=INFO.name)
