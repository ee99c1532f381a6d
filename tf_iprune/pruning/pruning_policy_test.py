"""Tests for IntermittentPolicy: prunable layers and tile plans."""
import pytest

from mlperf_tiny_models import get_model
from tf_iprune import hardware
from tf_iprune.legacy_keras import keras
from tf_iprune.pruning import pruning_policy
from tf_iprune.pruning import testing


def test_allows_the_accelerator_layers_only():
  policy = pruning_policy.IntermittentPolicy()
  assert policy.allow_pruning(keras.layers.Conv2D(2, 3))
  assert policy.allow_pruning(keras.layers.DepthwiseConv2D(3))
  assert policy.allow_pruning(keras.layers.Dense(2))
  assert not policy.allow_pruning(keras.layers.Conv2DTranspose(2, 3))
  assert not policy.allow_pruning(keras.layers.BatchNormalization())


def test_layer_plans_follow_the_tile_planner():
  model = testing.tiny_cnn()
  policy = pruning_policy.IntermittentPolicy(
      tile_overrides=testing.tiles(model))
  plans = policy.layer_plans(model)
  assert list(plans) == ["conv1", "dw", "conv2", "fc"]
  specs = hardware.specs_from_keras(model)
  expected = hardware.plan_model(specs, overrides=testing.tiles(model))
  for name, (spec, tile) in plans.items():
    assert tile == expected[name] and spec.name == name


def test_reference_plan_is_the_default_for_the_paper_models():
  model = get_model("har_cnn")
  plans = pruning_policy.IntermittentPolicy().layer_plans(model)
  assert (plans["conv1"][1].tile_m, plans["conv1"][1].tile_n) == (6, 9)
  assert (plans["fc"][1].tile_m, plans["fc"][1].tile_n) == (2, 16)
  auto = pruning_policy.IntermittentPolicy(plan="auto").layer_plans(model)
  assert auto["fc"][1] != plans["fc"][1]


def test_rejects_models_it_cannot_prune():
  policy = pruning_policy.IntermittentPolicy()
  inputs = keras.Input((4, 4, 2))
  nothing = keras.Model(inputs, keras.layers.Flatten()(
      keras.layers.MaxPooling2D()(inputs)), name="nothing")
  with pytest.raises(ValueError, match="has nothing to prune"):
    policy.ensure_model_supports_pruning(nothing)
  transpose = keras.Model(inputs, keras.layers.Conv2DTranspose(
      2, 3, name="up")(inputs))
  with pytest.raises(ValueError, match="'up' of type Conv2DTranspose"):
    policy.ensure_model_supports_pruning(transpose)
  lstm_in = keras.Input((5, 3))
  lstm = keras.Model(lstm_in, keras.layers.LSTM(2, name="lstm")(lstm_in))
  with pytest.raises(ValueError, match="lstm"):
    policy.ensure_model_supports_pruning(lstm)

  class Subclassed(keras.Model):

    def call(self, x):
      return x

  with pytest.raises(ValueError, match="Sequential or Functional"):
    policy.ensure_model_supports_pruning(Subclassed())
  with pytest.raises(ValueError, match="Unknown tile plan"):
    pruning_policy.IntermittentPolicy(plan="fastest")


def test_config_round_trip():
  policy = pruning_policy.IntermittentPolicy(
      plan="auto", model_name="x", tile_overrides={"fc": (3, 8)})
  config = policy.get_config()
  again = pruning_policy.IntermittentPolicy.from_config(config)
  assert again.get_config() == config
  assert again.tile_overrides == {"fc": (3, 8)}
  assert again.target == policy.target
