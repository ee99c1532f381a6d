"""Tests for the CIFAR-10 python-batches reader, on tiny fake batches."""
import os
import pickle

import numpy as np
import pytest

from mlperf_tiny_models.datasets import cifar10

_PER_BATCH = 4


def _write_batches(folder):
  """Image k of the whole set has pixel (row 1, col 2) = (k, 100, 200)."""
  folder.mkdir(parents=True)
  names = ["data_batch_%d" % i for i in range(1, 6)] + ["test_batch"]
  for b, name in enumerate(names):
    data = np.zeros((_PER_BATCH, 3, 32, 32), np.uint8)
    for i in range(_PER_BATCH):
      data[i, :, 1, 2] = (b * _PER_BATCH + i, 100, 200)
    batch = {b"data": data.reshape(_PER_BATCH, 3072),
             b"labels": [(b * _PER_BATCH + i) % 10 for i in range(_PER_BATCH)],
             b"batch_label": name.encode()}
    with open(folder / name, "wb") as f:
      pickle.dump(batch, f, protocol=2)
  return folder


@pytest.fixture(name="data_dir")
def _data_dir(tmp_path):
  return _write_batches(tmp_path / "cifar-10-batches-py")


def test_splits(data_dir):
  x_train, y_train = cifar10.load(str(data_dir), "train")
  x_val, y_val = cifar10.load(str(data_dir), "val")
  x_test, y_test = cifar10.load(str(data_dir), "test")
  # 20 training images: the last 10% (2) are val.
  assert x_train.shape == (18, 32, 32, 3) and x_train.dtype == np.float32
  assert x_val.shape == (2, 32, 32, 3)
  assert x_test.shape == (_PER_BATCH, 32, 32, 3)
  np.testing.assert_array_equal(y_train, np.arange(18) % 10)
  np.testing.assert_array_equal(y_val, [8, 9])
  np.testing.assert_array_equal(y_test, np.arange(20, 24) % 10)
  # Channel planes R, G, B become NHWC, scaled to [0, 1].
  np.testing.assert_allclose(x_val[1, 1, 2], np.array([19, 100, 200]) / 255)
  assert x_val[1, 2, 1].sum() == 0


def test_parent_folder_works(data_dir):
  assert len(cifar10.load(str(data_dir.parent), "test")[1]) == _PER_BATCH


def test_missing_batch_is_named(data_dir):
  os.remove(data_dir / "data_batch_3")
  with pytest.raises(ValueError, match="'data_batch_3' is missing"):
    cifar10.load(str(data_dir), "train")
