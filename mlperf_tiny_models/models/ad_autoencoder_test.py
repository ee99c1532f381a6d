"""Tests for ad_autoencoder."""
from mlperf_tiny_models.models import ad_autoencoder
from tf_iprune.legacy_keras import keras


def test_parameter_counts_match_mlperf_tiny():
  model = ad_autoencoder.build()
  batch_norm = sum(l.count_params() for l in model.layers
                   if isinstance(l, keras.layers.BatchNormalization))
  assert model.count_params() - batch_norm == 265_864
  assert model.count_params() == 269_992


def test_structure():
  model = ad_autoencoder.build()
  dense = [l for l in model.layers if isinstance(l, keras.layers.Dense)]

  assert [l.units for l in dense] == [128] * 4 + [8] + [128] * 4 + [640]
  assert model.get_layer("bottleneck_relu").output_shape == (None, 8)
  # Every hidden dense layer, and only those, is followed by BN and ReLU.
  for layer in dense[:-1]:
    assert isinstance(model.get_layer(layer.name + "_bn"),
                      keras.layers.BatchNormalization)
  assert dense[-1].name == "reconstruction"
  assert model.layers[-1] is dense[-1]


def test_info_has_no_dataset_or_classes():
  info = ad_autoencoder.INFO
  assert info.dataset is None
  assert info.num_classes is None
  assert info.recipe.loss == "mean_squared_error"
  assert (info.recipe.epochs, info.recipe.batch_size) == (100, 512)
