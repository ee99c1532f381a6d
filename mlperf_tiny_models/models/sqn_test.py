"""Tests for sqn."""
from mlperf_tiny_models.models import sqn
from tf_iprune.legacy_keras import keras


def test_parameter_count_matches_paper():
  # No BatchNorm, so weights+biases and the total agree.
  assert sqn.build().count_params() == 73_546


def test_structure():
  model = sqn.build()

  assert model.get_layer("conv1").output_shape == (None, 15, 15, 64)
  assert model.get_layer("pool1").output_shape == (None, 7, 7, 64)
  for name, squeeze, channels in (("fire2", 16, 128), ("fire3", 16, 128),
                                  ("fire4", 32, 256)):
    assert model.get_layer(name + "_squeeze").filters == squeeze
    assert model.get_layer(name + "_expand3x3").padding == "same"
    assert model.get_layer(name + "_concat").output_shape == (
        None, 7, 7, channels)
  assert model.get_layer("dropout").rate == 0.5
  assert model.get_layer("conv10").output_shape == (None, 7, 7, 10)
  assert isinstance(
      model.get_layer("avg_pool"), keras.layers.GlobalAveragePooling2D)
