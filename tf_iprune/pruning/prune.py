"""Entry point: wrap a model for intermittent-aware (block) pruning."""
import numbers

import tensorflow_model_optimization as tfmot

from tf_iprune.legacy_keras import keras
from tf_iprune.pruning import model_utils
from tf_iprune.pruning import pruning_policy as policy_lib
from tf_iprune.pruning import pruning_schedule as schedule_lib
from tf_iprune.pruning import pruning_wrapper


def prune_scope():
  """Scope in which models wrapped by `prune_low_intermittency` (or by
  tfmot's `prune_low_magnitude`) load.

  ```python
  model.save("pruned.keras")   # or "pruned.h5"
  with tf_iprune.prune_scope():
    model = keras.models.load_model("pruned.keras")
  ```
  """
  return keras.utils.custom_object_scope({
      "PruneLowIntermittency": pruning_wrapper.PruneLowIntermittency,
      "BlockSparsity": schedule_lib.BlockSparsity,
      "PruneLowMagnitude": pruning_wrapper.tfmot_wrapper.PruneLowMagnitude,
  })


def _schedules(pruning_schedule, names):
  """{layer name: BlockSparsity} from one schedule, a sparsity or a dict."""
  if isinstance(pruning_schedule, dict):
    unknown = set(pruning_schedule) - set(names)
    if unknown:
      raise ValueError("Pruning schedules name layers %s that are not "
                       "prunable layers of the model; prunable: %s." %
                       (sorted(unknown), sorted(names)))
    # Layers without a schedule keep the blocks they have already lost.
    return {n: _as_schedule(pruning_schedule.get(n, 0.0), n) for n in names}
  return {n: _as_schedule(pruning_schedule, n) for n in names}


def _as_schedule(schedule, name):
  if isinstance(schedule, numbers.Real) and not isinstance(schedule, bool):
    return schedule_lib.BlockSparsity(float(schedule))
  if isinstance(schedule, schedule_lib.BlockSparsity):
    return schedule
  raise ValueError("Layer %r: the pruning schedule must be a BlockSparsity "
                   "or a sparsity in [0, 1), got %r." % (name, schedule))


def prune_low_intermittency(to_prune,
                            pruning_schedule=schedule_lib.BlockSparsity(0.5),
                            pruning_policy=None,
                            plan=None,
                            model_name=None,
                            tile_overrides=None,
                            target=None):
  """Wraps a model so training prunes whole accelerator operations.

  The intermittent-aware sibling of `tfmot.sparsity.keras.
  prune_low_magnitude`: every Conv2D, DepthwiseConv2D and Dense layer is
  wrapped in a `PruneLowIntermittency` wrapper whose mask removes whole
  blocks of the tile plan (one block = one accelerator operation), lowest
  block RMS first. Train with `tfmot.sparsity.keras.UpdatePruningStep()`;
  `tfmot.sparsity.keras.strip_pruning` returns the plain pruned model.
  Zero blocks of the input model count as pruned (masks are cumulative).
  Unlike tfmot, the wrapped model has its own copies of the layers and
  weights (the hardware model rejects layers shared between models); as
  with tfmot, the optimizer is not kept.

  ```python
  pruned = tf_iprune.prune_low_intermittency(model)   # 50% in every layer
  pruned.compile(...)
  pruned.fit(x, y, callbacks=[tfmot.sparsity.keras.UpdatePruningStep()])
  model = tfmot.sparsity.keras.strip_pruning(pruned)
  ```

  Args:
    to_prune: A built Sequential or Functional tf_keras model.
    pruning_schedule: A `BlockSparsity`, a sparsity in [0, 1) (pruned once at
      the first training step), or {layer name: either} for per-layer
      ratios; layers left out of a dict keep their current sparsity.
      Sparsities are fractions of each layer's kernel weights.
    pruning_policy: An `IntermittentPolicy`; by default one built from
      `plan`, `model_name`, `tile_overrides` and `target`.
    plan: Tile plan, 'auto' or 'reference' (default: 'reference' for
      har_cnn, cks_cnn and sqn, 'auto' otherwise).
    model_name: Zoo model name for plan='reference' (default: model.name).
    tile_overrides: {layer name: (tile_m, tile_n) or TilePlan}.
    target: `tf_iprune.hardware.Target` (default: MSP430FR5994).

  Returns:
    The wrapped model.

  Raises:
    ValueError: if the model is not Sequential or Functional, the runtime
      cannot execute one of its layers, it has nothing to prune, or a
      schedule is invalid.
  """
  if pruning_policy is None:
    pruning_policy = policy_lib.IntermittentPolicy(plan, model_name,
                                                   tile_overrides, target)
  elif any(a is not None for a in (plan, model_name, tile_overrides, target)):
    raise ValueError("Give either pruning_policy or plan/model_name/"
                     "tile_overrides/target, not both.")
  if not isinstance(to_prune, keras.Model):
    raise ValueError(
        "prune_low_intermittency prunes whole models (the blocks depend on "
        "each layer's input shape); got %s. Pass a Sequential or Functional "
        "tf_keras model." % type(to_prune).__name__)
  plans = pruning_policy.layer_plans(to_prune)
  schedules = _schedules(pruning_schedule, list(plans))

  def wrap(layer):
    if layer.name not in plans:
      return layer
    spec, tile = plans[layer.name]
    return pruning_wrapper.PruneLowIntermittency(
        layer, spec, tile, pruning_schedule=schedules[layer.name])

  pruned = model_utils.clone_wrapped(to_prune, wrap)
  for layer in pruned.layers:
    if isinstance(layer, pruning_wrapper.PruneLowIntermittency):
      layer.reset_mask()  # Now that the kernel holds the original weights.
  return pruned


def strip_pruning(model):
  """The plain model with the pruned weights.

  tfmot's `strip_pruning`, except that the result shares no layer with
  `model` (tfmot's reuses them, which `hardware.specs_from_keras` rejects).
  """
  return model_utils.copy_model(tfmot.sparsity.keras.strip_pruning(model))
