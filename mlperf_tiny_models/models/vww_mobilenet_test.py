"""Tests for vww_mobilenet."""
from mlperf_tiny_models.models import vww_mobilenet
from tf_iprune.legacy_keras import keras


def test_parameter_counts_match_mlperf_tiny():
  model = vww_mobilenet.build()
  batch_norm = sum(l.count_params() for l in model.layers
                   if isinstance(l, keras.layers.BatchNormalization))
  assert model.count_params() - batch_norm == 210_850
  assert model.count_params() == 221_794


def test_structure():
  model = vww_mobilenet.build()

  assert model.get_layer("conv1").output_shape == (None, 48, 48, 8)
  strides = [model.get_layer("block%d_dw" % i).strides[0] for i in range(1, 14)]
  assert strides == [1, 2, 1, 2, 1, 2, 1, 1, 1, 1, 1, 2, 1]
  assert model.get_layer("block13_pw").output_shape == (None, 3, 3, 256)
  assert model.get_layer("avg_pool").output_shape == (None, 1, 1, 256)
  # L2 on conv1 and the 13 pointwise kernels only, as upstream trains.
  assert len(model.losses) == 14


def test_recipe_follows_upstream():
  recipe = vww_mobilenet.INFO.recipe
  assert (recipe.optimizer, recipe.learning_rate, recipe.epochs,
          recipe.batch_size) == ("adam", 1e-3, 50, 32)
