"""Tests for registry: the contract every zoo model keeps."""
import collections

import numpy as np
import pytest

import mlperf_tiny_models
from mlperf_tiny_models import model_info
from tf_iprune.legacy_keras import keras

_EXPECTED_MODELS = [
    "ad_autoencoder",
    "cks_cnn",
    "har_cnn",
    "ic_resnet8",
    "kws_dscnn",
    "sqn",
    "vww_mobilenet",
]


@pytest.fixture(scope="module", params=_EXPECTED_MODELS)
def name_and_model(request):
  # Built once per model and shared by the read-only checks below.
  return request.param, mlperf_tiny_models.get_model(request.param)


def test_list_models():
  assert mlperf_tiny_models.list_models() == _EXPECTED_MODELS


def test_info_matches_model(name_and_model):
  name, model = name_and_model
  info = mlperf_tiny_models.get_model_info(name)

  assert info.name == name == model.name
  assert model.input_shape == (None,) + info.input_shape
  if info.num_classes is None:
    assert model.output_shape == model.input_shape
  else:
    assert model.output_shape == (None, info.num_classes)


def test_forward_pass(name_and_model):
  name, model = name_and_model
  info = mlperf_tiny_models.get_model_info(name)
  batch = np.random.default_rng(0).standard_normal(
      (3,) + info.input_shape).astype(np.float32)

  out = model(batch, training=False).numpy()

  assert out.shape == (3,) + model.output_shape[1:]
  assert np.all(np.isfinite(out))
  if info.num_classes is not None:
    np.testing.assert_allclose(out.sum(axis=1), 1.0, rtol=1e-5)


def test_layer_names_are_unique(name_and_model):
  _, model = name_and_model
  names = [layer.name for layer in model.layers]
  assert [n for n, c in collections.Counter(names).items() if c > 1] == []


def test_classifiers_end_in_a_separate_softmax(name_and_model):
  name, model = name_and_model
  last = model.layers[-1]
  if mlperf_tiny_models.get_model_info(name).num_classes is None:
    assert isinstance(last, keras.layers.Dense)
    assert last.activation is keras.activations.linear
  else:
    assert isinstance(last, keras.layers.Softmax)
    assert last.name == model_info.SOFTMAX_LAYER_NAME
    for layer in model.layers:
      assert getattr(layer, "activation", None) in (
          None, keras.activations.linear), layer.name


@pytest.mark.parametrize("name", _EXPECTED_MODELS)
def test_get_model_returns_fresh_uncompiled_models(name):
  first = mlperf_tiny_models.get_model(name)
  second = mlperf_tiny_models.get_model(name)

  assert isinstance(first, keras.Model)
  assert type(first).__name__ == "Functional"
  assert first is not second
  assert not set(map(id, first.weights)) & set(map(id, second.weights))
  assert first.optimizer is None
  assert not first._is_compiled  # pylint: disable=protected-access
  # Keras' automatic names (dense, dense_1, ...) would differ between builds.
  assert [l.name for l in first.layers] == [l.name for l in second.layers]


@pytest.mark.parametrize("name", _EXPECTED_MODELS)
def test_recipe_compiles_and_trains(name):
  info = mlperf_tiny_models.get_model_info(name)
  model = mlperf_tiny_models.get_model(name)
  optimizer = keras.optimizers.get({
      "class_name": info.recipe.optimizer,
      "config": {"learning_rate": info.recipe.learning_rate},
  })
  model.compile(optimizer=optimizer, loss=info.recipe.loss)
  rng = np.random.default_rng(0)
  x = rng.standard_normal((4,) + info.input_shape).astype(np.float32)
  y = x if info.num_classes is None else rng.integers(0, info.num_classes, 4)

  assert np.isfinite(model.train_on_batch(x, y))


def test_datasets_are_known():
  for name in _EXPECTED_MODELS:
    info = mlperf_tiny_models.get_model_info(name)
    assert info.dataset in model_info.DATASETS + (None,)
  assert mlperf_tiny_models.get_model_info("ad_autoencoder").dataset is None


def test_kwargs_are_passed_to_the_builder():
  model = mlperf_tiny_models.get_model("ic_resnet8", num_filters=26)
  assert model.get_layer("conv1").filters == 26


@pytest.mark.parametrize("name", ["resnet8", "", None, "SQN"])
def test_unknown_name_lists_models(name):
  for lookup in (mlperf_tiny_models.get_model,
                 mlperf_tiny_models.get_model_info):
    with pytest.raises(ValueError, match="available models: ad_autoencoder, "):
      lookup(name)


def test_unknown_kwarg_lists_accepted_ones():
  with pytest.raises(ValueError, match="filters; it accepts num_filters"):
    mlperf_tiny_models.get_model("ic_resnet8", filters=26)


def test_kwarg_for_model_without_options():
  with pytest.raises(ValueError, match="num_filters; it accepts none"):
    mlperf_tiny_models.get_model("sqn", num_filters=26)
