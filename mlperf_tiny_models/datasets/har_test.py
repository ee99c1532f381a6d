"""Tests for the HAR windows: UCI HAR reader, HAPT windowing, subject split."""
import os

import numpy as np
import pytest

from mlperf_tiny_models.datasets import har

_CHANNELS = ("body_acc_x", "body_acc_y", "body_acc_z", "body_gyro_x",
             "body_gyro_y", "body_gyro_z", "total_acc_x", "total_acc_y",
             "total_acc_z")
_FIXTURE = {  # part: (subject per window, label 1-6 per window)
    "train": ([1, 1, 3, 5], [1, 2, 3, 6]),
    "test": ([2, 4], [4, 5]),
}


def _value(channel, row, step):
  return channel * 100 + row + step / 1000.0


def _write_uci_har(root):
  """Writes a tiny "UCI HAR Dataset" folder; values encode their position."""
  for part, (subjects, labels) in _FIXTURE.items():
    folder = root / "UCI HAR Dataset" / part
    (folder / "Inertial Signals").mkdir(parents=True)
    for c, name in enumerate(_CHANNELS):
      rows = [" ".join("%.3f" % _value(c, r, t) for t in range(128))
              for r in range(len(labels))]
      (folder / "Inertial Signals" / ("%s_%s.txt" % (name, part))).write_text(
          "\n".join(rows) + "\n")
    (folder / ("y_%s.txt" % part)).write_text(
        "".join("%d\n" % y for y in labels))
    (folder / ("subject_%s.txt" % part)).write_text(
        "".join("%d\n" % s for s in subjects))
  return root


def test_uci_har_splits_by_subject(tmp_path):
  _write_uci_har(tmp_path)
  train = har.load_uci_har(str(tmp_path), "train")
  val = har.load_uci_har(str(tmp_path), "val")
  test = har.load_uci_har(str(tmp_path), "test")
  np.testing.assert_array_equal(train.subject, [1, 1, 5])
  np.testing.assert_array_equal(train.y, [0, 1, 5])
  np.testing.assert_array_equal(val.subject, [3])  # In VAL_SUBJECTS.
  np.testing.assert_array_equal(val.y, [2])
  np.testing.assert_array_equal(test.subject, [2, 4])
  np.testing.assert_array_equal(test.y, [3, 4])
  assert test.x.shape == (2,) + har.INPUT_SHAPE
  assert test.x.dtype == np.float32
  # Row 1 of the test files, step 5, channel 7 (total_acc_y).
  assert test.x[1, 0, 5, 7] == pytest.approx(_value(7, 1, 5))


def test_load_windows_reads_the_local_copy_when_given_one(tmp_path):
  _write_uci_har(tmp_path)
  local = har.load_windows("val", (1, 3), str(tmp_path))
  np.testing.assert_array_equal(local.subject, [1, 1, 3])
  np.testing.assert_array_equal(local.x,
                                har.load_uci_har(str(tmp_path), "val",
                                                 (1, 3)).x)


def test_uci_har_accepts_the_dataset_folder_itself(tmp_path):
  _write_uci_har(tmp_path)
  test = har.load_uci_har(str(tmp_path / "UCI HAR Dataset"), "test")
  assert len(test.y) == 2


def test_uci_har_missing_file_is_named(tmp_path):
  _write_uci_har(tmp_path)
  os.remove(tmp_path / "UCI HAR Dataset" / "test" / "Inertial Signals" /
            "total_acc_z_test.txt")
  with pytest.raises(ValueError, match="total_acc_z_test.txt' is missing"):
    har.load_uci_har(str(tmp_path), "test")
  assert len(har.load_uci_har(str(tmp_path), "train").y) == 3


def test_windows_lie_within_one_activity():
  label = np.array([-1] * 50 + [1] * 300 + [7] * 20 + [4] * 200 + [1] * 30)
  sensors = np.zeros((len(label), 6))
  x, y = har.windows_from_recording(sensors, label)
  # Windows start 50, 114, 178 (walking) and 370, 434 (sitting); the
  # transition (7), the unlabelled part and the short last run give none.
  np.testing.assert_array_equal(y, [0, 0, 0, 3, 3])
  assert x.shape == (5,) + har.INPUT_SHAPE


def test_windows_split_gravity_from_body_motion():
  t = np.arange(1000) / 50.0
  motion = 0.5 * np.sin(2 * np.pi * 5.0 * t)  # 5 Hz: walking-like.
  sensors = np.stack([motion, np.zeros_like(t), np.ones_like(t),
                      np.full_like(t, 0.1), np.zeros_like(t),
                      np.zeros_like(t)], axis=1)
  x, _ = har.windows_from_recording(sensors, np.ones(len(t), np.int64))
  middle = x[len(x) // 2, 0]
  body_x, body_z, gyro_x = middle[:, 0], middle[:, 2], middle[:, 3]
  total_x, total_z = middle[:, 6], middle[:, 8]
  assert np.std(body_x) == pytest.approx(0.5 / np.sqrt(2), rel=0.05)
  assert np.abs(body_z).max() < 0.01  # Constant 1 g is all gravity.
  np.testing.assert_allclose(total_z, 1.0, atol=0.01)
  np.testing.assert_allclose(total_x - body_x, 0.0, atol=0.05)
  np.testing.assert_allclose(gyro_x, 0.1, atol=1e-3)


def test_embedded_hapt_windows():
  splits = {split: har.load_hapt(split) for split in ("train", "val", "test")}
  for split, windows in splits.items():
    assert windows.x.shape[1:] == har.INPUT_SHAPE, split
    assert windows.x.dtype == np.float32
    assert set(windows.y) == set(range(6)), split
  train_subjects = set(splits["train"].subject)
  assert set(splits["test"].subject) == set(har.TEST_SUBJECTS)
  assert set(splits["val"].subject) == set(har.VAL_SUBJECTS)
  assert not train_subjects & set(har.TEST_SUBJECTS + har.VAL_SUBJECTS)
  assert train_subjects | set(har.TEST_SUBJECTS + har.VAL_SUBJECTS) == set(
      range(1, 31))
  # About as many windows as the UCI HAR Dataset (10299) cut from the same
  # recordings, and physical units: gravity ~1 g, body motion around 0.
  total = sum(len(w.y) for w in splits.values())
  assert 10000 < total < 10800
  test_x = splits["test"].x[:, 0]
  gravity = np.linalg.norm(test_x[..., 6:9], axis=-1).mean()
  assert gravity == pytest.approx(1.0, abs=0.05)
  assert np.abs(test_x[..., 0:3].mean()) < 0.01


def test_validation_subjects_are_every_nth_training_subject():
  assert har.VAL_SUBJECTS == (3, 11, 19, 26)
  assert har.every_nth_training_subject(3) == (3, 7, 14, 17, 22, 26, 29)
  for n in (3, 5):
    assert not set(har.every_nth_training_subject(n)) & set(
        har.TEST_SUBJECTS)


def test_embedded_hapt_with_more_validation_subjects():
  val7 = har.every_nth_training_subject(3)
  splits = {split: har.load_hapt(split, val7)
            for split in ("train", "val", "test")}
  assert set(splits["val"].subject) == set(val7)
  assert set(splits["test"].subject) == set(har.TEST_SUBJECTS)
  assert not set(splits["train"].subject) & set(val7 + har.TEST_SUBJECTS)
  np.testing.assert_array_equal(splits["test"].x, har.load_hapt("test").x)
