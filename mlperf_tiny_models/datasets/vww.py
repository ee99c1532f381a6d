"""Reads a local copy of Visual Wake Words as person/non_person folders.

The layout is MLPerf Tiny's vw_coco2014_96: images under `person/` (label 1)
and `non_person/` (label 0), any format TensorFlow decodes (JPEG, PNG, BMP,
GIF), resized to 96x96 if needed. The data set has no official split, so
each image goes to val (10%), test (10%) or train by a hash of its file
name: stable whatever other files the folders hold.
"""
import hashlib
import os
from typing import Tuple

import numpy as np
import tensorflow as tf

from mlperf_tiny_models.datasets import local_copy

CLASS_NAMES = ("non_person", "person")
SIZE = 96
DESCRIPTION = ("Visual Wake Words (real) from {data_dir}, person/non_person "
               "at 96x96, split 80/10/10 by file-name hash")

_PERCENT_VAL, _PERCENT_TEST = 10, 10


def load(data_dir: str, split: str) -> Tuple[np.ndarray, np.ndarray]:
  """Reads one split.

  Args:
    data_dir: The vw_coco2014_96 folder holding person/ and non_person/
      (or its parent).
    split: "train", "val" or "test".

  Returns:
    x (N, 96, 96, 3) float32 in [0, 1] and y (N,) int64 (1 = person).

  Raises:
    ValueError: Naming a missing class folder or an image that cannot be
      decoded.
  """
  root = local_copy.find_root(data_dir, CLASS_NAMES, "vw_coco2014_96",
                              "Visual Wake Words person/non_person folders")
  images, labels = [], []
  for label, folder in enumerate(CLASS_NAMES):
    for name in sorted(os.listdir(os.path.join(root, folder))):
      if split_of(name) == split:
        images.append(_read_image(os.path.join(root, folder, name)))
        labels.append(label)
  x = np.reshape(images, (-1, SIZE, SIZE, 3)).astype(np.float32)
  return x, np.array(labels, np.int64)


def split_of(name: str) -> str:
  """Assigns a file name to "train", "val" or "test" by its SHA-1 hash."""
  percent = int(hashlib.sha1(name.encode("utf-8")).hexdigest(), 16) % 100
  if percent < _PERCENT_VAL:
    return "val"
  return "test" if percent < _PERCENT_VAL + _PERCENT_TEST else "train"


def _read_image(filename: str) -> np.ndarray:
  """Decodes an image to (96, 96, 3) float32 in [0, 1]."""
  try:
    image = tf.io.decode_image(tf.io.read_file(filename), channels=3,
                               expand_animations=False)
  except tf.errors.InvalidArgumentError as e:
    raise ValueError("Cannot decode image %s: %s" % (filename, e.message)
                    ) from None
  image = tf.image.convert_image_dtype(image, tf.float32)
  if image.shape[:2] != (SIZE, SIZE):
    image = tf.image.resize(image, (SIZE, SIZE), "bilinear")
  return image.numpy()
