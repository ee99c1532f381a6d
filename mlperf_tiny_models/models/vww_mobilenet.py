"""MLPerf Tiny visual-wake-words MobileNetV1, alpha 0.25, 96x96 RGB.

Reference: mlcommons/tiny v0.5, training/visual_wake_words/vww_model.py,
`mobilenet_v1`. Upstream trains with Adam for 20 + 10 + 20 epochs at learning
rates 1e-3, 5e-4 and 2.5e-4; our recipe keeps 1e-3 throughout, as
`TrainingRecipe.learning_rate_steps` splits the epochs into equal parts.
"""
from mlperf_tiny_models import model_info
from mlperf_tiny_models.models import blocks
from tf_iprune.legacy_keras import keras

INFO = model_info.ModelInfo(
    name="vww_mobilenet",
    dataset="vww",
    input_shape=(96, 96, 3),
    num_classes=2,
    recipe=model_info.TrainingRecipe(
        optimizer="adam",
        learning_rate=1e-3,
        epochs=50,
        batch_size=32,
        loss="sparse_categorical_crossentropy"),
    reference="mlcommons/tiny v0.5 training/visual_wake_words/vww_model.py "
    "(mobilenet_v1)")

_WEIGHT_DECAY = 1e-4
# 32 * alpha, alpha = 0.25.
_FIRST_FILTERS = 8
# (stride of the depthwise conv, filters of the pointwise conv) per block.
_BLOCKS = (
    (1, 16),
    (2, 32),
    (1, 32),
    (2, 64),
    (1, 64),
    (2, 128),
    (1, 128),
    (1, 128),
    (1, 128),
    (1, 128),
    (1, 128),
    (2, 256),
    (1, 256),
)


def _conv(filters, kernel_size, strides, name):
  return keras.layers.Conv2D(
      filters,
      kernel_size,
      strides=strides,
      padding="same",
      kernel_initializer="he_normal",
      kernel_regularizer=keras.regularizers.L2(_WEIGHT_DECAY),
      name=name)


def build():
  """Builds the MobileNetV1.

  Returns:
    An uncompiled `keras.Model` mapping (batch, 96, 96, 3) images to
    (batch, 2) class probabilities.
  """
  inputs = keras.Input(shape=INFO.input_shape, name="input")
  x = _conv(_FIRST_FILTERS, 3, 2, "conv1")(inputs)
  x = blocks.bn_relu(x, "conv1")
  for i, (strides, filters) in enumerate(_BLOCKS, start=1):
    name = "block%d" % i
    # Upstream also passes kernel_initializer and kernel_regularizer here,
    # which DepthwiseConv2D ignores; the defaults reproduce its training.
    x = keras.layers.DepthwiseConv2D(
        3, strides=strides, padding="same", name=name + "_dw")(x)
    x = blocks.bn_relu(x, name + "_dw")
    x = _conv(filters, 1, 1, name + "_pw")(x)
    x = blocks.bn_relu(x, name + "_pw")
  x = keras.layers.AveragePooling2D(x.shape[1:3], name="avg_pool")(x)
  x = keras.layers.Flatten(name="flatten")(x)
  x = keras.layers.Dense(INFO.num_classes, name="fc")(x)
  outputs = keras.layers.Softmax(name=model_info.SOFTMAX_LAYER_NAME)(x)
  return keras.Model(inputs, outputs, name=INFO.name)
