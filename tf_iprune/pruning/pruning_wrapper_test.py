"""Tests for the wrapper and its override of tfmot's private Pruning."""
import inspect

import numpy as np
import pytest
import tensorflow as tf
import tensorflow_model_optimization as tfmot
# pylint: disable=g-direct-tensorflow-import,line-too-long
from tensorflow_model_optimization.python.core.sparsity.keras import pruning_impl

from tf_iprune import hardware
from tf_iprune.legacy_keras import keras
from tf_iprune.pruning import block_mask
from tf_iprune.pruning import pruning_schedule
from tf_iprune.pruning import pruning_wrapper


def _dense_wrapper(sparsity=0.5):
  spec = hardware.LayerSpec("fc", "dense", ((1, 1, 8),), (1, 1, 4))
  layer = keras.layers.Dense(4, name="fc")
  wrapper = pruning_wrapper.PruneLowIntermittency(
      layer, spec, hardware.TilePlan(2, 4, 1),
      pruning_schedule=pruning_schedule.BlockSparsity(sparsity))
  wrapper.build((None, 8))
  return wrapper


def test_tfmot_version_is_pinned():
  assert tfmot.__version__ in pruning_wrapper.TESTED_TFMOT_VERSIONS
  pruning_wrapper.check_tfmot_version("0.8.1")
  with pytest.raises(ImportError, match="tensorflow-model-optimization==0.8.1"):
    pruning_wrapper.check_tfmot_version("0.9.0")


def test_the_overridden_private_method_still_exists_in_tfmot():
  # The override only works while tfmot's mask update calls this method
  # with the weight variable and uses (threshold, mask) it returns.
  # pylint: disable=protected-access
  original = pruning_impl.Pruning._maybe_update_block_mask
  assert list(inspect.signature(original).parameters) == ["self", "weights"]
  source = inspect.getsource(pruning_impl.Pruning.conditional_mask_update)
  assert "self._maybe_update_block_mask(weight)" in source


def test_mask_update_uses_the_block_grid():
  wrapper = _dense_wrapper(0.5)
  assert isinstance(wrapper.pruning_obj, pruning_wrapper.BlockPruning)
  kernel = np.arange(32, dtype=np.float32).reshape(8, 4) - 10.0
  wrapper.layer.kernel.assign(kernel)
  wrapper.reset_mask()
  wrapper.pruning_step.assign(1)
  wrapper.pruning_obj.conditional_mask_update()
  mask = wrapper.pruning_vars[0][1].numpy()
  grid = wrapper.grid
  expected, threshold = block_mask.select_blocks(grid, kernel,
                                                 grid.dense_mask(), 0.5)
  np.testing.assert_array_equal(mask, grid.weight_mask(expected))
  assert float(wrapper.pruning_vars[0][2].numpy()) == pytest.approx(threshold)
  # Not at another step: the schedule prunes once.
  wrapper.pruning_vars[0][1].assign(np.ones((8, 4), np.float32))
  wrapper.pruning_step.assign(2)
  wrapper.pruning_obj.conditional_mask_update()
  assert wrapper.pruning_vars[0][1].numpy().all()


def test_mask_update_inside_a_graph():
  wrapper = _dense_wrapper(0.25)
  wrapper.pruning_step.assign(1)
  tf.function(wrapper.pruning_obj.conditional_mask_update)()
  kept = wrapper.grid.nonzero_blocks(wrapper.pruning_vars[0][1].numpy())
  assert (~kept).sum() == 1  # 8 of 32 weights: one block of 4 x 2.


def test_mask_starts_from_the_zero_blocks():
  wrapper = _dense_wrapper()
  kernel = np.ones((8, 4), np.float32)
  kernel[4:8, 0:2] = 0.0  # Block (group 0, chunk 1).
  wrapper.layer.kernel.assign(kernel)
  wrapper.reset_mask()
  kept = wrapper.grid.nonzero_blocks(wrapper.pruning_vars[0][1].numpy())
  assert kept.tolist() == [[True, False], [True, True]]


def test_rejects_other_schedules_and_layers():
  spec = hardware.LayerSpec("fc", "dense", ((1, 1, 8),), (1, 1, 4))
  with pytest.raises(ValueError, match="needs a BlockSparsity"):
    pruning_wrapper.PruneLowIntermittency(
        keras.layers.Dense(4), spec, hardware.TilePlan(2, 4, 1),
        pruning_schedule=tfmot.sparsity.keras.ConstantSparsity(0.5, 0))
  with pytest.raises(ValueError, match="Conv2DTranspose cannot be pruned"):
    pruning_wrapper.PruneLowIntermittency(
        keras.layers.Conv2DTranspose(4, 3), spec, hardware.TilePlan(2, 4, 1))


def test_spec_config_round_trip():
  spec = hardware.LayerSpec("c", "conv", ((5, 5, 3),), (3, 3, 4), (3, 3),
                            (2, 2), (1, 1, 1, 1), "relu", ("input",))
  config = pruning_wrapper.spec_to_config(spec)
  assert pruning_wrapper.spec_from_config(config) == spec
