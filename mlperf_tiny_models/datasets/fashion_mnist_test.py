"""Tests for the Fashion-MNIST stand-ins of CIFAR-10 and VWW."""
import os

import numpy as np
import pytest

from mlperf_tiny_models.datasets import fashion_mnist

needs_package = pytest.mark.skipif(
    not os.path.isdir(fashion_mnist.FOLDER),
    reason="needs Debian's dataset-fashion-mnist: sudo apt-get install -y "
    "dataset-fashion-mnist")


@needs_package
def test_read_idx_files():
  images, labels = fashion_mnist.read("t10k")
  assert images.shape == (10000, 28, 28) and images.dtype == np.uint8
  np.testing.assert_array_equal(np.bincount(labels), [1000] * 10)


@needs_package
@pytest.mark.parametrize("split,count", [("val", 6000), ("test", 10000)])
def test_cifar10_standin(split, count):
  x, y = fashion_mnist.load_cifar10_standin(split)
  assert x.shape == (count, 32, 32, 3) and x.dtype == np.float32
  assert x.min() == 0.0 and x.max() == 1.0
  np.testing.assert_array_equal(x[..., 0], x[..., 2])  # Grey in 3 channels.
  assert set(y) == set(range(10))


@needs_package
def test_cifar10_standin_val_is_the_end_of_fashion_mnist_train():
  _, labels = fashion_mnist.read("train")
  _, y = fashion_mnist.load_cifar10_standin("val")
  np.testing.assert_array_equal(y, labels[-6000:])


@needs_package
def test_vww_standin_is_binary_torso_garments():
  x, y = fashion_mnist.load_vww_standin("test")
  _, labels = fashion_mnist.read("t10k")
  assert x.shape == (2000, 96, 96, 3) and x.dtype == np.float32
  np.testing.assert_array_equal(
      y, np.isin(labels[:2000], fashion_mnist.TORSO_CLASSES))
  assert 0.4 < y.mean() < 0.6


def test_missing_package_says_how_to_install(monkeypatch, tmp_path):
  monkeypatch.setattr(fashion_mnist, "FOLDER", str(tmp_path))
  with pytest.raises(RuntimeError,
                     match="apt-get install -y dataset-fashion-mnist"):
    fashion_mnist.read("train")


def test_descriptions_say_stand_in():
  for description in (fashion_mnist.CIFAR10_DESCRIPTION,
                      fashion_mnist.VWW_DESCRIPTION):
    assert "Fashion-MNIST stand-in" in description
  assert "NOT CIFAR-10" in fashion_mnist.CIFAR10_DESCRIPTION
  assert "NOT VWW" in fashion_mnist.VWW_DESCRIPTION
