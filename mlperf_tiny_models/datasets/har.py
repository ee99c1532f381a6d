"""Human activity recognition windows in the UCI HAR Dataset layout.

Each example is a 2.56 s window (128 samples at 50 Hz, 50% overlap) of 9
channels in the UCI HAR Dataset's order: body_acc xyz (g), body_gyro xyz
(rad/s), total_acc xyz (g); shape (1, 128, 9) for the models. Labels 0-5 are
walking, walking upstairs, walking downstairs, sitting, standing, laying.

Two sources, with one subject split (`split_mask`):
- `load_uci_har`: a local copy of the UCI HAR Dataset (its `Inertial
  Signals`). Its test files give `test`; its train files give `train` and
  `val`, by subject.
- `load_hapt`: the embedded default, real recordings: the UCI HAPT raw
  data (see `hapt`), cut into windows the way the UCI HAR Dataset was.
"""
import os
from typing import NamedTuple, Optional

import numpy as np
from scipy import signal

from mlperf_tiny_models.datasets import cache
from mlperf_tiny_models.datasets import hapt
from mlperf_tiny_models.datasets import local_copy

CLASS_NAMES = ("walking", "walking_upstairs", "walking_downstairs", "sitting",
               "standing", "laying")
INPUT_SHAPE = (1, 128, 9)
# UCI HAR's test subjects. Validation takes every fifth of its 21 training
# subjects (data set "har"), or every third (data set "har_val7": a larger
# decision split), so model selection never sees a test subject.
TEST_SUBJECTS = (2, 4, 9, 10, 12, 13, 18, 20, 24)
_TRAINING_SUBJECTS = tuple(s for s in range(1, 31) if s not in TEST_SUBJECTS)


def every_nth_training_subject(n: int):
  """Validation subjects: every n-th training subject, from the second on."""
  return _TRAINING_SUBJECTS[1::n]


VAL_SUBJECTS = every_nth_training_subject(5)  # (3, 11, 19, 26)
# {data set name: its validation subjects}, for mlperf_tiny_models.datasets.
VAL_SUBJECTS_OF = {"har": VAL_SUBJECTS,
                   "har_val7": every_nth_training_subject(3)}


def uci_har_description(val_subjects=VAL_SUBJECTS):
  """For datasets.describe(); {data_dir} is filled in with the local copy."""
  return ("UCI HAR Dataset (real) from {data_dir}, Inertial Signals; "
          "validation subjects %s carved from its train split"
          % (tuple(val_subjects),))


def hapt_description(val_subjects=VAL_SUBJECTS):
  """For datasets.describe() of the embedded windows."""
  return ("UCI HAPT recordings (real; Reyes-Ortiz et al., CC BY 4.0), windows "
          "per UCI HAR (128 samples, 50%% overlap, 9 channels), split by "
          "subject: test %s, validation %s"
          % (TEST_SUBJECTS, tuple(val_subjects)))


_SIGNALS = ("body_acc_x", "body_acc_y", "body_acc_z", "body_gyro_x",
            "body_gyro_y", "body_gyro_z", "total_acc_x", "total_acc_y",
            "total_acc_z")
_WINDOW = INPUT_SHAPE[1]
_STRIDE = _WINDOW // 2
_RATE_HZ = 50.0
# UCI HAR's pre-processing: median filter, 20 Hz low-pass against noise,
# then gravity = 0.3 Hz low-pass of the acceleration (3rd-order Butterworth).
_MEDIAN_KERNEL = 3
_NOISE_SOS = signal.butter(3, 20.0, fs=_RATE_HZ, output="sos")
_GRAVITY_SOS = signal.butter(3, 0.3, fs=_RATE_HZ, output="sos")
_CACHE_NAME = "har_hapt_v1"


class Windows(NamedTuple):
  """HAR examples: x (N, 1, 128, 9) float32, y (N,) int64, subject (N,)."""
  x: np.ndarray
  y: np.ndarray
  subject: np.ndarray


def split_mask(subject: np.ndarray, split: str,
               val_subjects=VAL_SUBJECTS) -> np.ndarray:
  """Selects the windows of `split` ("train", "val" or "test") by subject."""
  in_test = np.isin(subject, TEST_SUBJECTS)
  in_val = np.isin(subject, val_subjects)
  return {"train": ~in_test & ~in_val, "val": in_val, "test": in_test}[split]


def load_uci_har(data_dir: str, split: str,
                 val_subjects=VAL_SUBJECTS) -> Windows:
  """Reads one split from a local copy of the UCI HAR Dataset.

  Args:
    data_dir: The "UCI HAR Dataset" folder (or its parent).
    split: "train", "val" or "test".
    val_subjects: Training subjects held out as "val".

  Returns:
    The split's windows.

  Raises:
    ValueError: Naming the first file of the split that is missing.
  """
  part = "test" if split == "test" else "train"
  signal_files = [
      os.path.join(part, "Inertial Signals", "%s_%s.txt" % (name, part))
      for name in _SIGNALS]
  label_file = os.path.join(part, "y_%s.txt" % part)
  subject_file = os.path.join(part, "subject_%s.txt" % part)
  root = local_copy.find_root(
      data_dir, signal_files + [label_file, subject_file], "UCI HAR Dataset",
      "UCI HAR Dataset")
  x = np.stack([np.loadtxt(os.path.join(root, f), dtype=np.float32, ndmin=2)
                for f in signal_files], axis=-1)[:, None]
  y = np.loadtxt(os.path.join(root, label_file), dtype=np.int64, ndmin=1) - 1
  subject = np.loadtxt(os.path.join(root, subject_file), dtype=np.int64,
                       ndmin=1)
  mask = split_mask(subject, split, val_subjects)
  return Windows(x[mask], y[mask], subject[mask])


def load_hapt(split: str, val_subjects=VAL_SUBJECTS) -> Windows:
  """Returns one split of the embedded HAR windows (built and cached once)."""
  arrays = cache.cached_arrays(_CACHE_NAME, _build_hapt_windows)
  mask = split_mask(arrays["subject"], split, val_subjects)
  return Windows(arrays["x"][mask], arrays["y"][mask],
                 arrays["subject"][mask])


def load_windows(split: str, val_subjects=VAL_SUBJECTS,
                 data_dir: Optional[str] = None) -> Windows:
  """One split's windows: from a local UCI HAR copy, or the embedded ones.

  Args:
    split: "train", "val" or "test".
    val_subjects: Training subjects held out as "val".
    data_dir: A local copy of the UCI HAR Dataset (`load_uci_har`); None for
      the embedded UCI HAPT windows (`load_hapt`).

  Returns:
    The split's windows, with their subjects.
  """
  if data_dir is None:
    return load_hapt(split, val_subjects)
  return load_uci_har(data_dir, split, val_subjects)


def _build_hapt_windows():
  """Cuts every HAPT recording into UCI-HAR-style windows."""
  xs, ys, subjects = [], [], []
  for subject, sessions in sorted(hapt.read_sessions(hapt.path()).items()):
    for session in sessions:
      x, y = windows_from_recording(session.sensors, session.label)
      xs.append(x)
      ys.append(y)
      subjects.append(np.full(len(y), subject, np.int64))
  return {"x": np.concatenate(xs), "y": np.concatenate(ys),
          "subject": np.concatenate(subjects)}


def windows_from_recording(sensors: np.ndarray, label: np.ndarray):
  """Filters one continuous recording and cuts it into labelled windows.

  Args:
    sensors: (n, 6) accelerometer xyz (g) and gyroscope xyz (rad/s), 50 Hz.
    label: (n,) per-sample label; only 1-6 (the six activities) are kept.

  Returns:
    x (N, 1, 128, 9) float32 and y (N,) int64 in 0-5: windows of 128
    samples, stride 64, each lying entirely within one activity.
  """
  # Filtering the whole recording keeps filter edge effects out of windows.
  filtered = signal.medfilt(sensors, (_MEDIAN_KERNEL, 1))
  filtered = signal.sosfiltfilt(_NOISE_SOS, filtered, axis=0)
  total_acc, gyro = filtered[:, :3], filtered[:, 3:]
  body_acc = total_acc - signal.sosfiltfilt(_GRAVITY_SOS, total_acc, axis=0)
  channels = np.concatenate([body_acc, gyro, total_acc], axis=1)
  boundaries = np.flatnonzero(np.diff(label)) + 1
  starts = np.concatenate([[0], boundaries])
  ends = np.concatenate([boundaries, [len(label)]])
  xs, ys = [], []
  for start, end in zip(starts, ends):
    if 1 <= label[start] <= len(CLASS_NAMES):
      for offset in range(start, end - _WINDOW + 1, _STRIDE):
        xs.append(channels[offset:offset + _WINDOW])
        ys.append(label[start] - 1)
  x = np.asarray(xs, np.float32).reshape((-1,) + INPUT_SHAPE)
  return x, np.asarray(ys, np.int64)
