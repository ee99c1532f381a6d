"""Tests for kws_dscnn."""
from mlperf_tiny_models.models import kws_dscnn
from tf_iprune.legacy_keras import keras


def test_parameter_counts_match_mlperf_tiny():
  model = kws_dscnn.build()
  batch_norm = sum(l.count_params() for l in model.layers
                   if isinstance(l, keras.layers.BatchNormalization))
  assert model.count_params() - batch_norm == 22_604
  assert model.count_params() == 24_908


def test_structure():
  model = kws_dscnn.build()

  # 'same' padding with stride 2 gives a 25x5 map; upstream pools 24x5 of it.
  assert model.get_layer("conv1").output_shape == (None, 25, 5, 64)
  assert model.get_layer("avg_pool").pool_size == (24, 5)
  assert model.get_layer("avg_pool").output_shape == (None, 1, 1, 64)
  for i in range(1, 5):
    assert isinstance(
        model.get_layer("block%d_dw" % i), keras.layers.DepthwiseConv2D)
    assert model.get_layer("block%d_pw" % i).kernel_size == (1, 1)
  assert model.get_layer("conv1_dropout").rate == 0.2
  assert model.get_layer("dropout").rate == 0.4
  # L2 on conv1 and the four pointwise kernels only, as upstream trains.
  assert len(model.losses) == 5


def test_recipe_follows_upstream():
  recipe = kws_dscnn.INFO.recipe
  assert (recipe.optimizer, recipe.learning_rate, recipe.epochs,
          recipe.batch_size) == ("adam", 5e-4, 36, 100)
