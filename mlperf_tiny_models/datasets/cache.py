"""Atomic on-disk cache for the embedded data sets.

An embedded data set is built once and kept under `cache_dir()`. Every file
is written to a temporary name in the same folder and then renamed with
`os.replace`, so a reader sees either no file or a complete one: a build
that is interrupted leaves only a temporary file, which is never read.
"""
import os
import tempfile
from typing import Callable, Dict

import numpy as np

ENV_VAR = "TF_IPRUNE_CACHE"
_TMP_SUFFIX = ".tmp"
# mkstemp creates files 0600; written files get the mode open() would give.
_UMASK = os.umask(0)
os.umask(_UMASK)


def cache_dir() -> str:
  """Returns the cache folder: $TF_IPRUNE_CACHE or ~/.cache/tf_iprune."""
  return os.environ.get(ENV_VAR) or os.path.join(
      os.path.expanduser("~"), ".cache", "tf_iprune")


def atomic_write(path: str, write: Callable[..., None]) -> None:
  """Writes `path` through `write(binary_file)` so it appears complete or not.

  Args:
    path: Final file name.
    write: Called with a binary file object open on a temporary file in the
      same folder; the file is renamed to `path` only if `write` returns.
  """
  folder = os.path.dirname(os.path.abspath(path))
  os.makedirs(folder, exist_ok=True)
  fd, tmp = tempfile.mkstemp(
      dir=folder, prefix="." + os.path.basename(path) + ".",
      suffix=_TMP_SUFFIX)
  try:
    os.chmod(tmp, 0o666 & ~_UMASK)
    with os.fdopen(fd, "wb") as f:
      write(f)
      f.flush()
      os.fsync(f.fileno())
    os.replace(tmp, path)
  except BaseException:
    os.unlink(tmp)
    raise


def cached_arrays(name: str,
                  build: Callable[[], Dict[str, np.ndarray]]
                 ) -> Dict[str, np.ndarray]:
  """Returns the arrays cached as `name`.npz, building and caching them once.

  Args:
    name: File name stem in `cache_dir()`; it should name the build recipe's
      version so that a changed recipe does not read an old cache.
    build: Builds the arrays when the cache has no complete copy.

  Returns:
    A dict from array name to numpy array.
  """
  path = os.path.join(cache_dir(), name + ".npz")
  if os.path.exists(path):
    with np.load(path, allow_pickle=False) as npz:
      return {key: npz[key] for key in npz.files}
  arrays = build()
  atomic_write(path, lambda f: np.savez(f, **arrays))
  return arrays
