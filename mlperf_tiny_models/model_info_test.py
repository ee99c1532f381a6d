"""Tests for model_info."""
import dataclasses

import pytest

from mlperf_tiny_models import model_info


def _recipe(**overrides):
  kwargs = dict(
      optimizer="adam",
      learning_rate=1e-3,
      epochs=10,
      batch_size=32,
      loss="sparse_categorical_crossentropy")
  kwargs.update(overrides)
  return model_info.TrainingRecipe(**kwargs)


def _info(**overrides):
  kwargs = dict(
      name="m",
      dataset="har",
      input_shape=(1, 128, 9),
      num_classes=6,
      recipe=_recipe(),
      reference="ref")
  kwargs.update(overrides)
  return model_info.ModelInfo(**kwargs)


def test_valid_info_is_frozen():
  info = _info()
  with pytest.raises(dataclasses.FrozenInstanceError):
    info.name = "other"
  with pytest.raises(dataclasses.FrozenInstanceError):
    info.recipe.epochs = 1


def test_dataset_may_be_none():
  assert _info(dataset=None, num_classes=None).dataset is None


def test_unknown_dataset_lists_known_ones():
  with pytest.raises(ValueError, match="har, har_val7, kws, cifar10, vww"):
    _info(dataset="mnist")


@pytest.mark.parametrize("shape", [[1, 2], (1, 0), (1.0, 2)])
def test_bad_input_shape(shape):
  with pytest.raises(ValueError, match="input_shape"):
    _info(input_shape=shape)


@pytest.mark.parametrize("num_classes", [1, "6"])
def test_bad_num_classes(num_classes):
  with pytest.raises(ValueError, match="num_classes"):
    _info(num_classes=num_classes)


@pytest.mark.parametrize("overrides", [
    {"learning_rate": 0.0},
    {"learning_rate": "1e-3"},
    {"epochs": 0},
    {"batch_size": 2.5},
])
def test_bad_recipe(overrides):
  with pytest.raises(ValueError, match=next(iter(overrides))):
    _recipe(**overrides)


@pytest.mark.parametrize("steps", [[1e-4], (0.0,), (1e-4, "2e-5")])
def test_bad_learning_rate_steps(steps):
  with pytest.raises(ValueError, match="learning_rate_steps"):
    _recipe(learning_rate_steps=steps)


def test_learning_rate_steps_default_to_a_constant_rate():
  assert _recipe().learning_rate_steps == ()
  assert _recipe(learning_rate_steps=(1e-4,)).learning_rate_steps == (1e-4,)
