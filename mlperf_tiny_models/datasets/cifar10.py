"""Reads a local copy of CIFAR-10 in its "python version" format.

The folder `cifar-10-batches-py` holds pickled batches data_batch_1..5 and
test_batch, each a dict with b"data" (N, 3072) uint8, channel planes R, G, B
of 32x32, and b"labels". The last 10% of the training images (the end of
data_batch_5) are the validation split; test_batch is the test split.
"""
import os
import pickle
from typing import Tuple

import numpy as np

from mlperf_tiny_models.datasets import local_copy

CLASS_NAMES = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog",
               "horse", "ship", "truck")
DESCRIPTION = ("CIFAR-10 (real) from {data_dir}, validation = last 10% of "
               "its training images")

_TRAIN_FILES = tuple("data_batch_%d" % i for i in range(1, 6))
_TEST_FILE = "test_batch"
_VAL_FRACTION = 0.1


def load(data_dir: str, split: str) -> Tuple[np.ndarray, np.ndarray]:
  """Reads one split.

  Args:
    data_dir: The cifar-10-batches-py folder (or its parent).
    split: "train", "val" or "test".

  Returns:
    x (N, 32, 32, 3) float32 in [0, 1] and y (N,) int64 in 0-9.

  Raises:
    ValueError: Naming the first batch file that is missing.
  """
  files = (_TEST_FILE,) if split == "test" else _TRAIN_FILES
  root = local_copy.find_root(data_dir, files, "cifar-10-batches-py",
                              "CIFAR-10 python batches")
  images, labels = [], []
  for name in files:
    with open(os.path.join(root, name), "rb") as f:
      batch = pickle.load(f, encoding="bytes")
    images.append(np.asarray(batch[b"data"], np.uint8))
    labels.append(np.asarray(batch[b"labels"], np.int64))
  x = np.concatenate(images).reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)
  y = np.concatenate(labels)
  if split != "test":
    cut = len(y) - int(_VAL_FRACTION * len(y))
    x, y = (x[:cut], y[:cut]) if split == "train" else (x[cut:], y[cut:])
  return x.astype(np.float32) / 255.0, y
