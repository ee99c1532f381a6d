"""Tests for atomic files."""
import os

import numpy as np
import pytest

from tf_iprune.pruning import io_utils
from tf_iprune.pruning import prune
from tf_iprune.pruning import testing


def test_json_round_trip_and_atomicity(tmp_path):
  path = str(tmp_path / "a" / "x.json")
  io_utils.write_json(path, {"b": [1, 2.5], "a": None})
  assert io_utils.read_json(path) == {"a": None, "b": [1, 2.5]}
  with pytest.raises(TypeError):
    io_utils.write_json(path, {"bad": object()})
  # The failed write left the old file and no temporary file.
  assert io_utils.read_json(path) == {"a": None, "b": [1, 2.5]}
  assert os.listdir(tmp_path / "a") == ["x.json"]


def test_models_save_and_load_with_wrappers(tmp_path):
  model = testing.tiny_cnn()
  wrapped = prune.prune_low_intermittency(model,
                                          tile_overrides=testing.tiles(model))
  for name in ("m.keras", "m.h5"):
    path = str(tmp_path / name)
    io_utils.save_model(wrapped, path)
    loaded = io_utils.load_model(path)
    for a, b in zip(wrapped.get_weights(), loaded.get_weights()):
      np.testing.assert_array_equal(a, b)
  assert sorted(os.listdir(tmp_path)) == ["m.h5", "m.keras"]
  with pytest.raises(ValueError, match="must end in .keras or .h5"):
    io_utils.save_model(model, str(tmp_path / "m.tf"))
  with pytest.raises(ValueError, match="does not exist"):
    io_utils.load_model(str(tmp_path / "none.keras"))
