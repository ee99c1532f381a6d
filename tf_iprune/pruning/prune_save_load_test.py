"""Saving and loading pruned models through tf_iprune.io_utils."""
import os

import numpy as np
import pytest

from tf_iprune import io_utils
from tf_iprune.pruning import prune
from tf_iprune.pruning import testing


def test_models_save_and_load_with_wrappers(tmp_path):
  import tensorflow_model_optimization as tfmot  # pylint: disable=g-import-not-at-top
  model = testing.tiny_cnn()
  magnitude = tfmot.sparsity.keras.prune_low_magnitude(testing.tiny_cnn())
  path = str(tmp_path / "magnitude.keras")
  io_utils.save_model(magnitude, path)
  assert len(io_utils.load_model(path).layers) == len(magnitude.layers)
  os.unlink(path)
  wrapped = prune.prune_low_intermittency(model,
                                          tile_overrides=testing.tiles(model))
  for name in ("m.keras", "m.h5"):
    path = str(tmp_path / name)
    io_utils.save_model(wrapped, path)
    loaded = io_utils.load_model(path)
    for a, b in zip(wrapped.get_weights(), loaded.get_weights()):
      np.testing.assert_array_equal(a, b)
  assert sorted(os.listdir(tmp_path)) == ["m.h5", "m.keras"]
  with pytest.raises(ValueError, match="supported formats"):
    io_utils.save_model(model, str(tmp_path / "m.tf"))
  with pytest.raises(ValueError, match="does not exist"):
    io_utils.load_model(str(tmp_path / "none.keras"))
