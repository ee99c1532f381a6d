"""Tests for the registry of prunable layer types."""
import pytest

from tf_iprune.legacy_keras import keras
from tf_iprune.pruning import prune_registry


def test_prunable_weights_per_type():
  conv = keras.layers.Conv2D(2, 3)
  conv.build((None, 5, 5, 3))
  dw = keras.layers.DepthwiseConv2D(3)
  dw.build((None, 5, 5, 3))
  dense = keras.layers.Dense(2)
  dense.build((None, 3))
  assert prune_registry.prunable_weight(conv) is conv.kernel
  assert prune_registry.prunable_weight(dw) is dw.depthwise_kernel
  assert prune_registry.prunable_weight(dense) is dense.kernel
  assert prune_registry.make_prunable(dw).get_prunable_weights() == [
      dw.depthwise_kernel]


def test_subclasses_and_others_are_not_supported():
  assert not prune_registry.supports(keras.layers.Conv2DTranspose(2, 3))
  assert not prune_registry.supports(keras.layers.SeparableConv2D(2, 3))
  with pytest.raises(ValueError, match="supported: Conv2D, Dense, "
                     "DepthwiseConv2D"):
    prune_registry.make_prunable(keras.layers.Conv1D(2, 3))
