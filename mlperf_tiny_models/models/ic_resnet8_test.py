"""Tests for ic_resnet8."""
import pytest

from mlperf_tiny_models.models import ic_resnet8
from tf_iprune.legacy_keras import keras


def _split_param_counts(model):
  batch_norm = sum(l.count_params() for l in model.layers
                   if isinstance(l, keras.layers.BatchNormalization))
  return model.count_params() - batch_norm, model.count_params()


def test_parameter_counts_match_mlperf_tiny_v05():
  assert _split_param_counts(ic_resnet8.build()) == (77_706, 78_666)


def test_num_filters_26_matches_later_upstream_default():
  model = ic_resnet8.build(num_filters=26)

  assert _split_param_counts(model) == (203_746, 205_306)
  assert model.get_layer("stack3_conv2").output_shape == (None, 8, 8, 104)
  assert model.output_shape == (None, 10)


def test_structure():
  model = ic_resnet8.build()

  assert model.get_layer("stack1_add").output_shape == (None, 32, 32, 16)
  assert model.get_layer("stack2_add").output_shape == (None, 16, 16, 32)
  assert model.get_layer("stack3_add").output_shape == (None, 8, 8, 64)
  names = {layer.name for layer in model.layers}
  assert "stack1_shortcut" not in names  # Identity: shapes already match.
  assert model.get_layer("stack2_shortcut").kernel_size == (1, 1)
  assert model.get_layer("stack3_shortcut").strides == (2, 2)
  # L2 on every conv kernel; the dense layer has none, as upstream.
  assert len(model.losses) == 9


@pytest.mark.parametrize("num_filters", [0, -16, 2.5, True, "16", None])
def test_bad_num_filters(num_filters):
  with pytest.raises(ValueError, match="num_filters must be a positive int"):
    ic_resnet8.build(num_filters=num_filters)
