"""Tests for the atomic data set cache."""
import os

import numpy as np
import pytest

from mlperf_tiny_models.datasets import cache


@pytest.fixture(name="cache_dir")
def _cache_dir(tmp_path, monkeypatch):
  monkeypatch.setenv(cache.ENV_VAR, str(tmp_path))
  return tmp_path


def test_cache_dir_defaults_to_home(monkeypatch):
  monkeypatch.delenv(cache.ENV_VAR, raising=False)
  assert cache.cache_dir() == os.path.join(
      os.path.expanduser("~"), ".cache", "tf_iprune")


def test_cache_dir_follows_env_var(cache_dir):
  assert cache.cache_dir() == str(cache_dir)


def test_atomic_write_writes_file(tmp_path):
  path = tmp_path / "sub" / "out.bin"
  cache.atomic_write(str(path), lambda f: f.write(b"abc"))
  assert path.read_bytes() == b"abc"
  assert os.listdir(path.parent) == ["out.bin"]


def test_failed_write_leaves_neither_file_nor_temp(tmp_path):
  path = tmp_path / "out.bin"

  def write(f):
    f.write(b"half")
    raise KeyboardInterrupt

  with pytest.raises(KeyboardInterrupt):
    cache.atomic_write(str(path), write)
  assert not os.listdir(tmp_path)


def test_cached_arrays_builds_once(cache_dir):
  calls = []

  def build():
    calls.append(1)
    return {"x": np.arange(3, dtype=np.float32), "y": np.array([1, 2])}

  first = cache.cached_arrays("demo_v1", build)
  second = cache.cached_arrays("demo_v1", build)
  assert len(calls) == 1
  for arrays in (first, second):
    np.testing.assert_array_equal(arrays["x"], [0, 1, 2])
    np.testing.assert_array_equal(arrays["y"], [1, 2])
  assert os.listdir(cache_dir) == ["demo_v1.npz"]


def test_stale_temp_file_is_ignored(cache_dir):
  # What an interrupted build leaves behind: a half-written temporary file.
  (cache_dir / ".demo_v1.npz.abc123.tmp").write_bytes(b"PK\x03\x04trunc")
  arrays = cache.cached_arrays("demo_v1", lambda: {"x": np.ones(2)})
  np.testing.assert_array_equal(arrays["x"], [1, 1])
  assert (cache_dir / "demo_v1.npz").exists()


def test_interrupted_build_caches_nothing(cache_dir):
  def build():
    raise RuntimeError("espeak-ng died")

  with pytest.raises(RuntimeError):
    cache.cached_arrays("demo_v1", build)
  assert not os.listdir(cache_dir)
