"""Checks the dense MAC counts the iPrune paper gives for its three models.

The counter below is a stand-in kept local to this test; the product's MAC
counter lives in tf_iprune.hardware.
"""
import numpy as np
import pytest

from mlperf_tiny_models.models import cks_cnn
from mlperf_tiny_models.models import har_cnn
from mlperf_tiny_models.models import sqn
from tf_iprune.legacy_keras import keras


def _dense_macs(model):
  """Multiply-accumulates of all conv and dense layers, nothing pruned."""
  macs = 0
  for layer in model.layers:
    if isinstance(layer, keras.layers.DepthwiseConv2D):
      macs += np.prod(layer.output_shape[1:]) * np.prod(layer.kernel_size)
    elif isinstance(layer, keras.layers.Conv2D):
      macs += (np.prod(layer.output_shape[1:]) * np.prod(layer.kernel_size) *
               layer.input_shape[-1] // layer.groups)
    elif isinstance(layer, keras.layers.Dense):
      assert len(layer.input_shape) == 2, layer.name
      macs += layer.input_shape[-1] * layer.units
  return int(macs)


def test_counter_on_a_toy_model():
  inputs = keras.Input(shape=(4, 4, 2))
  x = keras.layers.Conv2D(3, 3, padding="same")(inputs)  # 16*3 * 9*2 = 864
  x = keras.layers.DepthwiseConv2D(3)(x)  # 2*2*3 * 9 = 108
  x = keras.layers.Flatten()(x)
  x = keras.layers.Dense(5)(x)  # 12 * 5 = 60
  assert _dense_macs(keras.Model(inputs, x)) == 864 + 108 + 60


@pytest.mark.parametrize("module, macs", [
    (har_cnn, 297_216),
    (cks_cnn, 2_352_896),
    (sqn, 3_876_032),
])
def test_dense_macs_match_paper(module, macs):
  assert _dense_macs(module.build()) == macs
