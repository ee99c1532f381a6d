"""Tests for io_utils: atomic files and saved models."""
import os
import stat

import numpy as np
import pytest

from tf_iprune import io_utils
from tf_iprune.legacy_keras import keras


def test_atomic_path_publishes_only_complete_files(tmp_path):
  path = str(tmp_path / "a" / "out.json")
  with pytest.raises(RuntimeError):
    with io_utils.atomic_path(path) as tmp:
      with open(tmp, "w") as f:
        f.write("half")
      raise RuntimeError("killed")
  assert not os.path.exists(path)
  assert os.listdir(tmp_path / "a") == []  # No temporary file left behind.
  io_utils.write_json(path, {"b": 1, "a": [2]})
  assert io_utils.read_json(path) == {"a": [2], "b": 1}
  with open(path) as f:
    assert f.read() == '{\n  "a": [\n    2\n  ],\n  "b": 1\n}\n'
  umask = os.umask(0)
  os.umask(umask)
  assert stat.S_IMODE(os.stat(path).st_mode) == 0o666 & ~umask


def test_model_round_trip_and_errors(tmp_path):
  inputs = keras.Input((3,))
  model = keras.Model(inputs, keras.layers.Dense(2)(inputs))
  for suffix in (".keras", ".h5"):
    path = str(tmp_path / ("m" + suffix))
    io_utils.save_model(model, path)
    loaded = io_utils.load_model(path)
    for a, b in zip(model.get_weights(), loaded.get_weights()):
      np.testing.assert_array_equal(a, b)
  with pytest.raises(ValueError, match="supported formats"):
    io_utils.save_model(model, str(tmp_path / "m.pb"))
  with pytest.raises(ValueError, match="does not exist"):
    io_utils.load_model(str(tmp_path / "missing.keras"))
