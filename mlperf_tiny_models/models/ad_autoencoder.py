"""MLPerf Tiny anomaly-detection autoencoder (ToyADMOS / DCASE 2020 task 2).

Reference: mlcommons/tiny v0.5, training/anomaly_detection/keras_model.py and
baseline.yaml. The input is 5 frames of 128 log-mel bins, flattened to 640;
the model reconstructs it and the reconstruction error is the anomaly score.
No data set for it ships with this package.
"""
from mlperf_tiny_models import model_info
from mlperf_tiny_models.models import blocks
from tf_iprune.legacy_keras import keras

INFO = model_info.ModelInfo(
    name="ad_autoencoder",
    dataset=None,
    input_shape=(640,),
    num_classes=None,
    recipe=model_info.TrainingRecipe(
        optimizer="adam",
        learning_rate=1e-3,
        epochs=100,
        batch_size=512,
        loss="mean_squared_error"),
    reference="mlcommons/tiny v0.5 training/anomaly_detection/keras_model.py")

_HIDDEN_UNITS = 128
_HIDDEN_LAYERS = 4
_BOTTLENECK_UNITS = 8


def _dense_bn_relu(x, units, name):
  x = keras.layers.Dense(units, name=name)(x)
  return blocks.bn_relu(x, name)


def build():
  """Builds the autoencoder.

  Returns:
    An uncompiled `keras.Model` mapping (batch, 640) features to their
    (batch, 640) reconstruction. Its last layer, 'reconstruction', is linear.
  """
  inputs = keras.Input(shape=INFO.input_shape, name="input")
  x = inputs
  for i in range(1, _HIDDEN_LAYERS + 1):
    x = _dense_bn_relu(x, _HIDDEN_UNITS, "encoder%d" % i)
  x = _dense_bn_relu(x, _BOTTLENECK_UNITS, "bottleneck")
  for i in range(1, _HIDDEN_LAYERS + 1):
    x = _dense_bn_relu(x, _HIDDEN_UNITS, "decoder%d" % i)
  outputs = keras.layers.Dense(INFO.input_shape[0], name="reconstruction")(x)
  return keras.Model(inputs, outputs, name=INFO.name)
