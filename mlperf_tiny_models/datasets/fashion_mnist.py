"""Fashion-MNIST stand-ins for CIFAR-10 and Visual Wake Words.

THESE ARE STAND-INS, NOT CIFAR-10 OR VWW: the embedded defaults for
`cifar10` and `vww`, so that the image models can be trained with no
download. They use Fashion-MNIST (Xiao, Rasul and Vollgraf, 2017; Zalando,
MIT licence) from Debian's dataset-fashion-mnist package: 28x28 grey
clothing images, upscaled (bilinear) and repeated over 3 channels, pixel
values in [0, 1].
- cifar10 stand-in: 32x32x3, Fashion-MNIST's own 10 classes (`CLASS_NAMES`,
  not CIFAR-10's).
- vww stand-in: 96x96x3, binary: 1 = garment worn on the torso (T-shirt/top,
  pullover, dress, coat, shirt; plays VWW's "person"), 0 = anything else
  (trouser, sandal, sneaker, bag, ankle boot); half the classes each, so
  the two labels are balanced. A subset (`_VWW_SIZES`) keeps 96x96x3
  float32 arrays around 1 GB.
Both take val from the last 10% of Fashion-MNIST's training images and
test from its test images.
"""
import gzip
import os
from typing import Tuple

import numpy as np
import tensorflow as tf

from mlperf_tiny_models.datasets import cache

FOLDER = "/usr/share/datasets/fashion-mnist"
CLASS_NAMES = ("t-shirt/top", "trouser", "pullover", "dress", "coat",
               "sandal", "shirt", "sneaker", "bag", "ankle boot")
TORSO_CLASSES = (0, 2, 3, 4, 6)
CIFAR10_DESCRIPTION = (
    "Fashion-MNIST stand-in for CIFAR-10, NOT CIFAR-10: Fashion-MNIST's 10 "
    "clothing classes, 28x28 grey upscaled to 32x32x3")
VWW_DESCRIPTION = (
    "Fashion-MNIST stand-in for Visual Wake Words, NOT VWW: 1 = torso "
    "garment (t-shirt/top, pullover, dress, coat, shirt), 0 = other, 28x28 "
    "grey upscaled to 96x96x3")

_VAL_FRACTION = 0.1
_VWW_SIZES = {"train": 10000, "val": 2000, "test": 2000}
_CACHE_VERSION = 1
_IDX_MAGIC = {"images": 2051, "labels": 2049}


def read(part: str) -> Tuple[np.ndarray, np.ndarray]:
  """Reads Fashion-MNIST's "train" or "t10k" part from the Debian package.

  Returns:
    images (N, 28, 28) uint8 and labels (N,) int64.

  Raises:
    RuntimeError: If the package's files are missing (says how to install).
  """
  images = _read_idx(os.path.join(FOLDER, part + "-images-idx3-ubyte.gz"),
                     "images")
  labels = _read_idx(os.path.join(FOLDER, part + "-labels-idx1-ubyte.gz"),
                     "labels")
  return images, labels.astype(np.int64)


def load_cifar10_standin(split: str) -> Tuple[np.ndarray, np.ndarray]:
  """Returns x (N, 32, 32, 3) float32 in [0, 1] and y (N,) int64 in 0-9."""
  return _load("cifar10", split)


def load_vww_standin(split: str) -> Tuple[np.ndarray, np.ndarray]:
  """Returns x (N, 96, 96, 3) float32 in [0, 1] and y (N,) int64 in 0-1."""
  return _load("vww", split)


def _load(standin: str, split: str) -> Tuple[np.ndarray, np.ndarray]:
  name = "fmnist_%s_v%d" % (standin, _CACHE_VERSION)
  builder = _build_cifar10 if standin == "cifar10" else _build_vww
  arrays = cache.cached_arrays(name, builder)
  grey = arrays["x_" + split].astype(np.float32) / 255.0
  return np.repeat(grey[..., None], 3, axis=-1), arrays["y_" + split]


def _splits():
  """Yields (split, images, labels) of Fashion-MNIST."""
  images, labels = read("train")
  cut = len(labels) - int(_VAL_FRACTION * len(labels))
  yield "train", images[:cut], labels[:cut]
  yield "val", images[cut:], labels[cut:]
  yield "test", *read("t10k")


def _build_cifar10():
  arrays = {}
  for split, images, labels in _splits():
    arrays["x_" + split] = _resize(images, 32)
    arrays["y_" + split] = labels
  return arrays


def _build_vww():
  arrays = {}
  for split, images, labels in _splits():
    size = _VWW_SIZES[split]
    arrays["x_" + split] = _resize(images[:size], 96)
    arrays["y_" + split] = np.isin(labels[:size], TORSO_CLASSES).astype(
        np.int64)
  return arrays


def _resize(images: np.ndarray, size: int) -> np.ndarray:
  """Bilinear upscaling of (N, 28, 28) uint8 images to (N, size, size)."""
  resized = tf.image.resize(images[..., None], (size, size), "bilinear")
  return np.clip(np.round(resized.numpy()[..., 0]), 0, 255).astype(np.uint8)


def _read_idx(filename: str, kind: str) -> np.ndarray:
  if not os.path.exists(filename):
    raise RuntimeError(
        "The embedded cifar10/vww stand-ins need Fashion-MNIST from Debian's "
        "dataset-fashion-mnist package, but %s is missing: sudo apt-get "
        "install -y dataset-fashion-mnist (or pass data_dir= a local copy of "
        "the real data set)." % filename)
  with gzip.open(filename, "rb") as f:
    data = f.read()
  magic = int.from_bytes(data[:4], "big")
  if magic != _IDX_MAGIC[kind]:
    raise ValueError("%s is not an IDX %s file (magic %d, expected %d)."
                     % (filename, kind, magic, _IDX_MAGIC[kind]))
  ndim = data[3]
  shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big")
           for i in range(ndim)]
  return np.frombuffer(data, np.uint8, offset=4 + 4 * ndim).reshape(shape)
