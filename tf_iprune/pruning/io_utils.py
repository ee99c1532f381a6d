"""Atomic files: a reader sees a complete file or none (for --resume)."""
import contextlib
import json
import os
import tempfile

from tf_iprune.legacy_keras import keras
from tf_iprune.pruning import prune


@contextlib.contextmanager
def _temporary(path, suffix=""):
  """A temporary name beside `path`, renamed to `path` if the body succeeds."""
  folder = os.path.dirname(os.path.abspath(path))
  os.makedirs(folder, exist_ok=True)
  fd, tmp = tempfile.mkstemp(dir=folder, prefix="." + os.path.basename(path),
                             suffix=".tmp" + suffix)
  os.close(fd)
  try:
    yield tmp
    os.replace(tmp, path)
  finally:
    if os.path.exists(tmp):
      os.unlink(tmp)


def write_json(path, obj):
  with _temporary(path) as tmp:
    with open(tmp, "w") as f:
      json.dump(obj, f, indent=2, sort_keys=True)
      f.write("\n")
      f.flush()
      os.fsync(f.fileno())


def read_json(path):
  with open(path) as f:
    return json.load(f)


def save_model(model, path):
  """Saves a Keras model (.keras or .h5) atomically."""
  suffix = os.path.splitext(path)[1]
  if suffix not in (".keras", ".h5"):
    raise ValueError("Model file %r must end in .keras or .h5." % path)
  with _temporary(path, suffix) as tmp:
    model.save(tmp, overwrite=True)


def load_model(path):
  """Loads a model saved by `save_model` (pruning wrappers included)."""
  if not os.path.exists(path):
    raise ValueError("Model file %r does not exist." % path)
  with prune.prune_scope():
    return keras.models.load_model(path, compile=False)
