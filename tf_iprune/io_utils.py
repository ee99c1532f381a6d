"""Files that appear whole or not at all, and saved Keras models.

Every file tf_iprune writes goes through `atomic_path`: it is written under a
temporary name in the same folder and renamed into place only when complete,
so a reader (or a resumed run) never sees a half-written file.
"""
import contextlib
import json
import os
import tempfile

from tf_iprune.legacy_keras import keras

MODEL_SUFFIXES = (".keras", ".h5")

# mkstemp creates files 0600; written files get the mode open() would give.
_UMASK = os.umask(0)
os.umask(_UMASK)


@contextlib.contextmanager
def atomic_path(path):
  """Yields a temporary path beside `path`; renames it to `path` on success.

  The temporary file keeps `path`'s suffix (Keras picks the format by it).
  On an exception the temporary file is removed and `path` is untouched.
  """
  folder = os.path.dirname(os.path.abspath(path))
  os.makedirs(folder, exist_ok=True)
  base = os.path.basename(path)
  fd, tmp = tempfile.mkstemp(dir=folder, prefix="." + base + ".",
                             suffix=".tmp" + os.path.splitext(base)[1])
  os.close(fd)
  try:
    os.chmod(tmp, 0o666 & ~_UMASK)
    yield tmp
    os.replace(tmp, path)
  finally:
    if os.path.exists(tmp):
      os.unlink(tmp)


def write_bytes(path, data):
  """Writes bytes atomically (flushed to disk before the rename)."""
  with atomic_path(path) as tmp:
    with open(tmp, "wb") as f:
      f.write(data)
      f.flush()
      os.fsync(f.fileno())


def write_text(path, text):
  write_bytes(path, text.encode("utf-8"))


def write_json(path, obj):
  """Writes JSON atomically, with sorted keys (byte-identical for equal
  objects)."""
  write_text(path, json.dumps(obj, indent=2, sort_keys=True) + "\n")


def read_json(path):
  with open(path) as f:
    return json.load(f)


def _check_model_path(path):
  if not path.endswith(MODEL_SUFFIXES):
    raise ValueError("Model file %r: supported formats are %s." %
                     (path, ", ".join(MODEL_SUFFIXES)))


def save_model(model, path):
  """Saves a Keras model (.keras or .h5, pruning wrappers included)
  atomically."""
  _check_model_path(path)
  with atomic_path(path) as tmp:
    model.save(tmp, overwrite=True)


def load_model(path, compile=False):  # pylint: disable=redefined-builtin
  """Loads a .keras / .h5 model saved by tf_keras, pruned or not (wrappers
  of prune_low_intermittency and of tfmot's prune_low_magnitude).

  Args:
    path: The model file.
    compile: Whether to restore the training configuration.

  Raises:
    ValueError: if the file is missing or not a supported format.
  """
  # pylint: disable=g-import-not-at-top
  from tf_iprune.pruning import prune  # The pruner writes through io_utils.
  if not os.path.isfile(path):
    raise ValueError("Model file %r does not exist." % path)
  _check_model_path(path)
  with prune.prune_scope():
    return keras.models.load_model(path, compile=compile)
