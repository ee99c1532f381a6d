"""The iPrune paper's keyword-spotting CNN (Speech Commands, 12 classes).

Reference: iPrune (Lin et al.), KWS_CNN_S, re-expressed in Keras NHWC: two
10x4 'valid' convs with BatchNorm and ReLU, a linear 16-unit bottleneck, a
128-unit layer with BatchNorm and ReLU, and the classifier. BatchNorm uses
PyTorch's defaults (epsilon 1e-5, momentum 0.1, i.e. Keras momentum 0.9) like
the original. Flatten runs over HWC here and over CHW there, so importing its
fc1 weights needs a permutation. The paper trains with Adam for 300 epochs,
batches of 16, from a learning rate of 5e-4 that it steps down to 1e-4 and
then 2e-5.
"""
from mlperf_tiny_models import model_info
from mlperf_tiny_models.models import blocks
from tf_iprune.legacy_keras import keras

INFO = model_info.ModelInfo(
    name="cks_cnn",
    dataset="kws",
    input_shape=(49, 10, 1),
    num_classes=12,
    recipe=model_info.TrainingRecipe(
        optimizer="adam",
        learning_rate=5e-4,
        epochs=300,
        batch_size=16,
        loss="sparse_categorical_crossentropy",
        learning_rate_steps=(1e-4, 2e-5)),
    reference="iPrune (Lin et al.) KWS_CNN_S")

_CONV_FILTERS = 28
_BN_KWARGS = {"epsilon": 1e-5, "momentum": 0.9}


def build():
  """Builds the keyword-spotting CNN.

  Returns:
    An uncompiled `keras.Model` mapping (batch, 49, 10, 1) MFCCs to
    (batch, 12) class probabilities.
  """
  inputs = keras.Input(shape=INFO.input_shape, name="input")
  x = keras.layers.Conv2D(_CONV_FILTERS, (10, 4), name="conv1")(inputs)
  x = blocks.bn_relu(x, "conv1", **_BN_KWARGS)
  x = keras.layers.Conv2D(
      _CONV_FILTERS, (10, 4), strides=(2, 1), name="conv2")(x)
  x = blocks.bn_relu(x, "conv2", **_BN_KWARGS)
  x = keras.layers.Flatten(name="flatten")(x)
  x = keras.layers.Dense(16, name="fc1")(x)
  x = keras.layers.Dense(128, name="fc2")(x)
  x = blocks.bn_relu(x, "fc2", **_BN_KWARGS)
  x = keras.layers.Dense(INFO.num_classes, name="fc3")(x)
  outputs = keras.layers.Softmax(name=model_info.SOFTMAX_LAYER_NAME)(x)
  return keras.Model(inputs, outputs, name=INFO.name)
