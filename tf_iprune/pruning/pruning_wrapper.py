"""tfmot's pruning wrapper with block masks of the accelerator's operations.

`PruneLowIntermittency` is a `tfmot.sparsity.keras.PruneLowMagnitude`, so
tfmot's `UpdatePruningStep`, `PruningSummaries` and `strip_pruning` treat it
as theirs. It differs in two places:
- it makes the layer's accelerator weights prunable through
  `prune_registry` (tfmot never prunes DepthwiseConv2D);
- after tfmot builds the mask variables it installs `BlockPruning`, which
  computes masks with `block_mask.select_blocks` on the layer's
  `hardware.BlockGrid` instead of tfmot's element (or 2-D block) magnitude
  threshold. The mask starts as the kernel's non-zero blocks, so a model
  pruned earlier stays pruned (masks are cumulative).

`BlockPruning` overrides `pruning_impl.Pruning._maybe_update_block_mask`, a
private method of tensorflow-model-optimization, and the wrapper subclasses
the (unexported) `pruning_wrapper.PruneLowMagnitude`: both are tested
against `TESTED_TFMOT_VERSIONS` and other versions are refused.
"""
import numpy as np
import tensorflow as tf
import tensorflow_model_optimization as tfmot
# pylint: disable=g-direct-tensorflow-import,line-too-long
from tensorflow_model_optimization.python.core.sparsity.keras import pruning_impl
from tensorflow_model_optimization.python.core.sparsity.keras import pruning_wrapper as tfmot_wrapper
# pylint: enable=line-too-long

from tf_iprune import hardware
from tf_iprune.legacy_keras import keras
from tf_iprune.pruning import block_mask
from tf_iprune.pruning import prune_registry
from tf_iprune.pruning import pruning_schedule as schedule_lib

TESTED_TFMOT_VERSIONS = ("0.8.1",)


def check_tfmot_version(version=None):
  """Refuses tfmot versions whose private `Pruning` class is untested."""
  version = version or tfmot.__version__
  if version not in TESTED_TFMOT_VERSIONS:
    raise ImportError(
        "tf_iprune.pruning overrides a private method of "
        "tensorflow-model-optimization and is tested with version(s) %s, "
        "not %s; install tensorflow-model-optimization==%s." %
        (", ".join(TESTED_TFMOT_VERSIONS), version, TESTED_TFMOT_VERSIONS[-1]))


check_tfmot_version()


def spec_to_config(spec):
  return {"name": spec.name, "kind": spec.kind,
          "input_shapes": [list(s) for s in spec.input_shapes],
          "output_shape": list(spec.output_shape),
          "kernel": list(spec.kernel), "strides": list(spec.strides),
          "pads": list(spec.pads), "activation": spec.activation,
          "inputs": list(spec.inputs)}


def spec_from_config(config):
  config = dict(config)
  config["input_shapes"] = tuple(tuple(s) for s in config["input_shapes"])
  for key in ("output_shape", "kernel", "strides", "pads", "inputs"):
    config[key] = tuple(config[key])
  return hardware.LayerSpec(**config)


class BlockPruning(pruning_impl.Pruning):
  """tfmot's `Pruning` with masks made of whole accelerator blocks."""

  def __init__(self, grid, **kwargs):
    super().__init__(block_size=(1, 1), block_pooling_type="AVG", **kwargs)
    self._grid = grid

  def _mask_of(self, weights):
    for weight, mask, _ in self._pruning_vars:
      if weight is weights:
        return mask
    raise ValueError("Weight %s is not pruned by this layer." % weights.name)

  def _select(self, kernel, mask, sparsity):
    keep = self._grid.nonzero_blocks(mask)
    new_keep, threshold = block_mask.select_blocks(self._grid, kernel, keep,
                                                   float(sparsity))
    return (np.asarray(threshold, kernel.dtype),
            self._grid.weight_mask(new_keep).astype(kernel.dtype))

  def _maybe_update_block_mask(self, weights):
    """(threshold, mask) of the blocks to keep; overrides tfmot's private."""
    sparsity = self._pruning_schedule(self._step_fn())[1]
    mask = self._mask_of(weights)
    threshold, new_mask = tf.numpy_function(
        self._select, [weights, mask, sparsity], [weights.dtype, weights.dtype],
        stateful=False)
    threshold.set_shape([])
    new_mask.set_shape(weights.shape)
    return threshold, new_mask


class PruneLowIntermittency(tfmot_wrapper.PruneLowMagnitude):
  """Wraps a Conv2D, DepthwiseConv2D or Dense layer for block pruning.

  Args:
    layer: The layer to prune.
    spec: Its `hardware.LayerSpec` in the model (from `specs_from_keras`).
    tile: Its `hardware.TilePlan`; the blocks are `BlockGrid(spec, tile)`.
    pruning_schedule: A `BlockSparsity` schedule.
    **kwargs: Passed to `keras.layers.Wrapper`.
  """

  def __init__(self, layer, spec, tile,
               pruning_schedule=schedule_lib.BlockSparsity(), **kwargs):
    if not isinstance(pruning_schedule, schedule_lib.BlockSparsity):
      raise ValueError("Layer %r: PruneLowIntermittency needs a BlockSparsity "
                       "schedule, got %s." %
                       (layer.name, type(pruning_schedule).__name__))
    for key in ("block_size", "block_pooling_type", "sparsity_m_by_n"):
      kwargs.pop(key, None)  # tfmot's options; blocks come from the tile.
    self.spec = spec
    self.tile = tile
    self.grid = hardware.BlockGrid(spec, tile)
    super().__init__(prune_registry.make_prunable(layer),
                     pruning_schedule=pruning_schedule, **kwargs)

  def build(self, input_shape):
    super().build(input_shape)
    step = self.pruning_obj._step_fn  # pylint: disable=protected-access
    self.pruning_obj = BlockPruning(
        self.grid, training_step_fn=step, pruning_vars=self.pruning_vars,
        pruning_schedule=self.pruning_schedule)
    self.reset_mask()

  def reset_mask(self):
    """Sets the mask to the kernel's non-zero blocks (zero blocks = pruned)."""
    with tf.init_scope():
      for weight, mask, _ in self.pruning_vars:
        mask.assign(self.grid.weight_mask(self.grid.nonzero_blocks(
            weight.numpy())))

  def get_config(self):
    config = super().get_config()
    for key in ("block_size", "block_pooling_type"):
      config.pop(key, None)
    config["spec"] = spec_to_config(self.spec)
    config["tile"] = self.tile.to_dict()
    return config

  @classmethod
  def from_config(cls, config):
    config = dict(config)
    config["pruning_schedule"] = schedule_lib.BlockSparsity.from_config(
        config["pruning_schedule"]["config"])
    config["spec"] = spec_from_config(config["spec"])
    config["tile"] = hardware.TilePlan(**config["tile"])
    config["layer"] = keras.layers.deserialize(config["layer"])
    return cls(**config)
