"""Tests for the public data set API: load, describe, info, fingerprint."""
import numpy as np
import pytest

import mlperf_tiny_models
from mlperf_tiny_models import datasets


def test_names_match_the_zoo():
  assert datasets.NAMES == mlperf_tiny_models.DATASETS


@pytest.mark.parametrize("model", mlperf_tiny_models.list_models())
def test_info_matches_each_zoo_model(model):
  model_info = mlperf_tiny_models.get_model_info(model)
  if model_info.dataset is None:
    return
  info = datasets.info(model_info.dataset)
  assert info.input_shape == model_info.input_shape
  assert info.num_classes == model_info.num_classes


def test_unknown_name_lists_supported():
  with pytest.raises(ValueError, match="'mnist'; supported: har, har_val7, "
                     "kws, cifar10, vww"):
    datasets.load("mnist", "train")
  with pytest.raises(ValueError, match="supported: har"):
    datasets.describe("mnist")


def test_compatible_data_sets_share_inputs_and_classes():
  assert datasets.compatible("har", "har_val7") == "har_val7"
  assert datasets.info("har_val7") == datasets.info("har")
  with pytest.raises(ValueError, match="'vww' has inputs .* made for "
                     "'cifar10' needs .* use one of cifar10."):
    datasets.compatible("cifar10", "vww")
  with pytest.raises(ValueError, match="Unknown data set 'har7'"):
    datasets.compatible("har", "har7")


def test_fingerprint_tells_arrays_apart():
  x = np.arange(12, dtype=np.float32).reshape(3, 4)
  y = np.array([0, 1, 2])
  splits = {"train": (x, y), "val": (x[:1], y[:1])}
  same = {"val": (x[:1].copy(), y[:1].copy()), "train": (x.copy(), y.copy())}
  assert datasets.fingerprint(splits) == datasets.fingerprint(same)
  assert len(datasets.fingerprint(splits)) == 16
  for other in ({"train": (x, y), "val": (x[:1] + 1e-6, y[:1])},
                {"train": (x, y), "test": (x[:1], y[:1])},
                {"train": (x.reshape(4, 3), y), "val": (x[:1], y[:1])},
                {"train": (x.astype(np.float64), y), "val": (x[:1], y[:1])}):
    assert datasets.fingerprint(other) != datasets.fingerprint(splits)


def test_unknown_split_lists_supported():
  with pytest.raises(ValueError,
                     match="'validation'; supported: train, val, test"):
    datasets.load("har", "validation")


def test_embedded_load_has_the_model_layout():
  x, y = datasets.load("har", "val")
  assert x.shape[1:] == datasets.info("har").input_shape
  assert x.dtype.name == "float32" and y.dtype.name == "int64"
  assert len(x) == len(y)


def test_data_dir_selects_the_real_format(tmp_path):
  with pytest.raises(ValueError, match="CIFAR-10.*'test_batch' is missing"):
    datasets.load("cifar10", "test", data_dir=str(tmp_path))


@pytest.mark.parametrize("name,words", [
    ("har", ("UCI HAPT", "(real", "CC BY 4.0", "validation (3, 11, 19, 26)")),
    ("har_val7", ("UCI HAPT", "validation (3, 7, 14, 17, 22, 26, 29)")),
    ("kws", ("synthetic speech", "NOT Speech Commands")),
    ("cifar10", ("Fashion-MNIST stand-in", "NOT CIFAR-10")),
    ("vww", ("Fashion-MNIST stand-in", "NOT VWW")),
])
def test_describe_embedded_names_the_data(name, words):
  for word in words:
    assert word in datasets.describe(name)


@pytest.mark.parametrize("name", datasets.NAMES)
def test_describe_local_copy_names_the_folder(name):
  description = datasets.describe(name, "/data/x")
  assert "(real) from /data/x" in description
