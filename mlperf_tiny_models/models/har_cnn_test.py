"""Tests for har_cnn."""
from mlperf_tiny_models.models import har_cnn


def test_parameter_count_matches_paper():
  # No BatchNorm, so weights+biases and the total agree.
  assert har_cnn.build().count_params() == 13_848


def test_structure():
  model = har_cnn.build()

  assert model.get_layer("conv1").output_shape == (None, 1, 128, 18)
  assert model.get_layer("pool1").output_shape == (None, 1, 64, 18)
  assert model.get_layer("pool2").output_shape == (None, 1, 32, 36)
  assert model.get_layer("pool3").output_shape == (None, 1, 16, 72)
  assert model.get_layer("flatten").output_shape == (None, 1152)
  assert model.get_layer("fc").units == 6
