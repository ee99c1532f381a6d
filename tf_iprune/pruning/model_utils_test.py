"""Tests for the model copy helpers."""
import numpy as np
import tensorflow_model_optimization as tfmot

from tf_iprune import hardware
from tf_iprune.legacy_keras import keras
from tf_iprune.pruning import model_utils
from tf_iprune.pruning import testing


def test_copy_model_shares_nothing():
  model = testing.tiny_cnn()
  copy = model_utils.copy_model(model)
  for a, b in zip(model.weights, copy.weights):
    np.testing.assert_array_equal(a.numpy(), b.numpy())
    assert a is not b
  hardware.specs_from_keras(copy)
  hardware.specs_from_keras(model)


def test_clone_wrapped_copies_weights_into_wrappers():
  model = testing.tiny_cnn()

  def wrap(layer):
    if isinstance(layer, keras.layers.Dense):
      return tfmot.sparsity.keras.prune_low_magnitude(layer)
    return layer

  clone = model_utils.clone_wrapped(model, wrap)
  assert isinstance(clone.layers[-2], keras.layers.Wrapper)
  for a, b in zip(model.layers, clone.layers):
    assert a is not model_utils.unwrap(b)
    for wa, wb in zip(a.get_weights(), model_utils.unwrap(b).get_weights()):
      np.testing.assert_array_equal(wa, wb)
