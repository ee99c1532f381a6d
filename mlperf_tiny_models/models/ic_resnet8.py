"""MLPerf Tiny image-classification ResNet-8 (CIFAR-10).

Reference: mlcommons/tiny v0.5, training/image_classification/keras_model.py,
`resnet_v1_eembc`: three residual stacks of num_filters, 2 * num_filters and
4 * num_filters channels. v0.5 uses num_filters=16 (our default); later
upstream versions default to 26. Upstream trains with Adam for 500 epochs,
decaying the learning rate by 0.99 per epoch, with data augmentation; our
recipe keeps the initial rate, as `TrainingRecipe` has step schedules only.
"""
from mlperf_tiny_models import model_info
from mlperf_tiny_models.models import blocks
from tf_iprune.legacy_keras import keras

INFO = model_info.ModelInfo(
    name="ic_resnet8",
    dataset="cifar10",
    input_shape=(32, 32, 3),
    num_classes=10,
    recipe=model_info.TrainingRecipe(
        optimizer="adam",
        learning_rate=1e-3,
        epochs=500,
        batch_size=32,
        loss="sparse_categorical_crossentropy"),
    reference="mlcommons/tiny v0.5 training/image_classification/"
    "keras_model.py (resnet_v1_eembc)")

_WEIGHT_DECAY = 1e-4


def _conv(filters, kernel_size, strides, name):
  return keras.layers.Conv2D(
      filters,
      kernel_size,
      strides=strides,
      padding="same",
      kernel_initializer="he_normal",
      kernel_regularizer=keras.regularizers.L2(_WEIGHT_DECAY),
      name=name)


def _stack(x, filters, strides, name):
  """Two 3x3 convs plus identity, or a strided 1x1 conv when downsampling."""
  y = _conv(filters, 3, strides, name + "_conv1")(x)
  y = blocks.bn_relu(y, name + "_conv1")
  y = _conv(filters, 3, 1, name + "_conv2")(y)
  y = keras.layers.BatchNormalization(name=name + "_conv2_bn")(y)
  if strides != 1:
    x = _conv(filters, 1, strides, name + "_shortcut")(x)
  x = keras.layers.Add(name=name + "_add")([x, y])
  return keras.layers.ReLU(name=name + "_relu")(x)


def build(*, num_filters=16):
  """Builds the ResNet-8.

  Args:
    num_filters: Channels of the first conv and first stack; the second and
      third stacks use 2x and 4x as many.

  Returns:
    An uncompiled `keras.Model` mapping (batch, 32, 32, 3) images to
    (batch, 10) class probabilities.

  Raises:
    ValueError: If `num_filters` is not a positive int.
  """
  if (not isinstance(num_filters, int) or isinstance(num_filters, bool) or
      num_filters < 1):
    raise ValueError("num_filters must be a positive int, got %r." %
                     (num_filters,))
  inputs = keras.Input(shape=INFO.input_shape, name="input")
  x = _conv(num_filters, 3, 1, "conv1")(inputs)
  x = blocks.bn_relu(x, "conv1")
  x = _stack(x, num_filters, 1, "stack1")
  x = _stack(x, 2 * num_filters, 2, "stack2")
  x = _stack(x, 4 * num_filters, 2, "stack3")
  x = keras.layers.AveragePooling2D(x.shape[1:3], name="avg_pool")(x)
  x = keras.layers.Flatten(name="flatten")(x)
  x = keras.layers.Dense(
      INFO.num_classes, kernel_initializer="he_normal", name="fc")(x)
  outputs = keras.layers.Softmax(name=model_info.SOFTMAX_LAYER_NAME)(x)
  return keras.Model(inputs, outputs, name=INFO.name)
