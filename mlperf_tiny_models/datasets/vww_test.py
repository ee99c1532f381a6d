"""Tests for the Visual Wake Words folder reader, on tiny fake images."""
import numpy as np
import pytest
import tensorflow as tf

from mlperf_tiny_models.datasets import vww


def _write_images(root, count=30):
  """Writes person/ and non_person/ PNGs; person images are bright."""
  for label, folder in enumerate(vww.CLASS_NAMES):
    (root / folder).mkdir(parents=True)
    for i in range(count):
      shape = (96, 96, 3) if i % 2 else (40, 50, 3)  # Some need resizing.
      image = np.full(shape, 200 if label else 20, np.uint8)
      png = tf.io.encode_png(image).numpy()
      (root / folder / ("img_%03d.png" % i)).write_bytes(png)
  return root


def test_splits_cover_every_image_once(tmp_path):
  root = _write_images(tmp_path / "vw_coco2014_96")
  total = 0
  for split in ("train", "val", "test"):
    x, y = vww.load(str(tmp_path), split)
    assert x.shape == (len(y), 96, 96, 3) and x.dtype == np.float32
    # Bright images are labelled person (1), dark ones non_person (0).
    np.testing.assert_array_equal(x.mean(axis=(1, 2, 3)) > 0.5, y == 1)
    expected = sum(vww.split_of(p.name) == split
                   for p in root.glob("*/*.png"))
    assert len(y) == expected
    total += len(y)
  assert total == 60


def test_split_of_is_stable_and_roughly_80_10_10():
  splits = [vww.split_of("COCO_%06d.jpg" % i) for i in range(2000)]
  assert splits == [vww.split_of("COCO_%06d.jpg" % i) for i in range(2000)]
  assert 0.07 < splits.count("val") / 2000 < 0.13
  assert 0.07 < splits.count("test") / 2000 < 0.13


def test_missing_class_folder_is_named(tmp_path):
  (tmp_path / "person").mkdir()
  with pytest.raises(ValueError, match="'non_person' is missing"):
    vww.load(str(tmp_path), "train")


def test_undecodable_image_is_named(tmp_path):
  _write_images(tmp_path, count=0)
  for i in range(40):  # Enough names that one lands in each split.
    (tmp_path / "person" / ("bad_%d.jpg" % i)).write_bytes(b"not an image")
  with pytest.raises(ValueError, match=r"Cannot decode image .*bad_\d+.jpg"):
    vww.load(str(tmp_path), "train")
