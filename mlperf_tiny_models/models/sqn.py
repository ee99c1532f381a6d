"""The iPrune paper's SqueezeNet for CIFAR-10.

Reference: iPrune (Lin et al.), SqueezeNet, re-expressed in Keras NHWC: a
3x3 stride-2 conv, a 3x3 stride-2 max pool, three Fire modules, dropout, a 1x1
conv to 10 channels with ReLU and global average pooling. Fire modules are
numbered from 2, as in the SqueezeNet paper, where conv1 is layer 1. The
output of 'avg_pool' is the logits. Convs use He-normal initialization like
the original. The paper trains with Adam for 20 epochs, batches of 32, at 1e-3
and then 5e-4 (from epoch 11).
"""
from mlperf_tiny_models import model_info
from tf_iprune.legacy_keras import keras

INFO = model_info.ModelInfo(
    name="sqn",
    dataset="cifar10",
    input_shape=(32, 32, 3),
    num_classes=10,
    recipe=model_info.TrainingRecipe(
        optimizer="adam",
        learning_rate=1e-3,
        epochs=20,
        batch_size=32,
        loss="sparse_categorical_crossentropy",
        learning_rate_steps=(5e-4,)),
    reference="iPrune (Lin et al.) SqueezeNet")

# (squeeze, expand 1x1, expand 3x3) filters of fire2, fire3 and fire4.
_FIRES = ((16, 64, 64), (16, 64, 64), (32, 128, 128))


def _conv_relu(x, filters, kernel_size, name, strides=1, padding="valid"):
  x = keras.layers.Conv2D(
      filters,
      kernel_size,
      strides=strides,
      padding=padding,
      kernel_initializer="he_normal",
      name=name)(x)
  return keras.layers.ReLU(name=name + "_relu")(x)


def _fire(x, squeeze, expand1x1, expand3x3, name):
  x = _conv_relu(x, squeeze, 1, name + "_squeeze")
  return keras.layers.Concatenate(name=name + "_concat")([
      _conv_relu(x, expand1x1, 1, name + "_expand1x1"),
      _conv_relu(x, expand3x3, 3, name + "_expand3x3", padding="same"),
  ])


def build():
  """Builds the SqueezeNet.

  Returns:
    An uncompiled `keras.Model` mapping (batch, 32, 32, 3) images to
    (batch, 10) class probabilities.
  """
  inputs = keras.Input(shape=INFO.input_shape, name="input")
  x = _conv_relu(inputs, 64, 3, "conv1", strides=2)
  x = keras.layers.MaxPooling2D(3, strides=2, name="pool1")(x)
  for i, filters in enumerate(_FIRES, start=2):
    x = _fire(x, *filters, name="fire%d" % i)
  x = keras.layers.Dropout(0.5, name="dropout")(x)
  x = _conv_relu(x, INFO.num_classes, 1, "conv10")
  x = keras.layers.GlobalAveragePooling2D(name="avg_pool")(x)
  outputs = keras.layers.Softmax(name=model_info.SOFTMAX_LAYER_NAME)(x)
  return keras.Model(inputs, outputs, name=INFO.name)
