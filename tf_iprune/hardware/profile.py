"""Per-layer and end-to-end cost profile of a model on a target.

This is the one place that combines the hardware model's pieces (tile plan,
block grid, criterion, operation counts, latency model) for a whole model.
The pruner, the exporter's report and the benchmarks all use it.
"""
import numpy as np

from tf_iprune.hardware import blocks as blocks_lib
from tf_iprune.hardware import criterion as criterion_lib
from tf_iprune.hardware import latency as latency_lib
from tf_iprune.hardware import layer_spec as layer_spec_lib
from tf_iprune.hardware import schedule
from tf_iprune.hardware import target as target_lib
from tf_iprune.hardware import tiling
from tf_iprune.legacy_keras import keras

BYTES_PER_WORD = 2


def effective_kernel(layer):
  """A Keras layer's kernel as the runtime will see it (pruning mask applied).

  Args:
    layer: A Conv2D / DepthwiseConv2D / Dense layer, or a tfmot pruning
      wrapper around one.
  """
  mask = None
  if isinstance(layer, keras.layers.Wrapper):
    for weight, m, _ in getattr(layer, "pruning_vars", []):
      if weight.name.split("/")[-1].startswith(("kernel", "depthwise_kernel")):
        mask = m.numpy()
    layer = layer.layer
  kernel = (layer.depthwise_kernel if isinstance(
      layer, keras.layers.DepthwiseConv2D) else layer.kernel).numpy()
  return kernel * mask if mask is not None else kernel


def keras_kernels(model):
  """{layer name: effective kernel} of the prunable layers of a Keras model."""
  return {name: effective_kernel(layer) for name, layer in
          layer_spec_lib.prunable_keras_layers(model).items()}


def bsr_bytes(grid, nonzero=None):
  """Bytes of a layer in BSR (docs/design.md): block values, a row pointer
  per input slice, a (group, order) pair per block, and the bias.

  Blocks are stored whole (edge blocks zero-padded) so that one stored block
  is one accelerator operation.
  """
  nnzb = int(criterion_lib.nnzb_per_group(grid, nonzero).sum())
  words = (nnzb * grid.weights_per_block + (grid.n_cols + 1) + 2 * nnzb +
           grid.spec.out_channels)
  return words * BYTES_PER_WORD


def _nonzero_weights(kernel):
  return int(np.count_nonzero(kernel)) if kernel is not None else None


def _failure_costs(rows, target):
  """Expected recovery and lost work of one power failure.

  A failure lands in a job with probability proportional to the job's
  duration, so a layer with long jobs weighs more: with layer l taking t_l
  seconds in n_l jobs, the failure falls in layer l with probability
  t_l / T and loses on average half of one of its jobs, t_l / (2 n_l). The
  recovery reads both footprints and re-fetches that job's operands (on
  average reads_l / n_l).
  """
  boot = schedule.boot_counts(target)
  total_s = sum(r["intermittent_s"] for r in rows)
  rec_s = rec_j = lost_s = lost_j = 0.0
  for row in rows:
    counts = schedule.OpCounts(**row["counts"])
    jobs = max(counts.commits, 1)
    weight = row["intermittent_s"] / total_s if total_s else 0.0
    refetch = schedule.OpCounts(nvm_read_calls=counts.nvm_read_calls / jobs,
                                nvm_read_words=counts.nvm_read_words / jobs)
    rec_s += weight * refetch.seconds(target)
    rec_j += weight * refetch.joules(target)
    lost_s += weight * counts.seconds(target) / jobs / 2
    lost_j += weight * counts.joules(target) / jobs / 2
  return (latency_lib.RecoveryCost(rec_s + boot.seconds(target),
                                   rec_j + boot.joules(target)),
          latency_lib.RecoveryCost(lost_s, lost_j))


def profile_model(specs, kernels=None, target=None, plan="auto", model_name=None,
            criterion="full", power="continuous", plans=None,
            overrides=None, free_reads=(), back_to_back=False):
  """Cost profile of a model.

  Args:
    specs: LayerSpecs of the model (execution order).
    kernels: {layer name: kernel ndarray}; zero weights mark pruned blocks.
      None or a missing layer means dense.
    target: Target; default MSP430FR5994.
    plan: Tile plan name ('auto' or 'reference'), unless `plans` is given.
    model_name: Zoo model name (needed by plan='reference').
    criterion: 'full' or 'reference' accelerator-output formula.
    power: Power strength name or watts for the latency estimate.
    plans: {layer name: TilePlan} to use instead of planning.
    overrides: Tile overrides passed to the planner.
    free_reads: Operands of accelerator jobs whose NVM reads are left out
      (`schedule.intermittent_counts`): the latency of a runtime that would
      keep them in VM, for what-if analyses. Default: the runtime as built.
    back_to_back: Latency as the mean of inferences run back to back
      (`latency.estimate`) instead of one that starts with a full buffer.

  Returns:
    {'layers': [per-layer dict], 'total': dict, 'power': power,
     'criterion': criterion}. Totals include params, macs, acc_outputs,
    energy_j (conventional engine, continuous power), bsr_bytes, latency_s,
    power_cycles and the intermittent engine's operation counts.
  """
  target = target or target_lib.Target.msp430fr5994()
  kernels = kernels or {}
  if plans is None:
    plans = tiling.plan_model(specs, target, plan, model_name, overrides)
  rows = []
  total_counts = schedule.boot_counts(target)
  for spec in specs:
    tile = plans[spec.name]
    row = {
        "name": spec.name, "kind": spec.kind,
        "input_shape": list(spec.input_shapes[0]),
        "output_shape": list(spec.output_shape),
        "activation": spec.activation,
        "params": spec.num_weights + spec.num_biases,
        "weights": spec.num_weights,
        "tile_m": tile.tile_m, "tile_n": tile.tile_n, "tile_p": tile.tile_p,
    }
    nonzero = None
    if spec.prunable:
      grid = blocks_lib.BlockGrid(spec, tile)
      kernel = kernels.get(spec.name)
      nonzero = grid.nonzero_blocks(kernel) if kernel is not None else None
      nz_weights = (_nonzero_weights(kernel) if kernel is not None
                    else spec.num_weights)
      row.update(
          nonzero_weights=nz_weights,
          blocks=int(grid.n_groups * grid.n_cols),
          nonzero_blocks=int(criterion_lib.nnzb_per_group(grid,
                                                          nonzero).sum()),
          macs=spec.macs,
          nonzero_macs=(nz_weights * (spec.out_pixels if spec.kind != "dense"
                                      else 1)),
          bsr_bytes=bsr_bytes(grid, nonzero),
          acc_outputs=criterion_lib.accelerator_outputs(spec, tile, nonzero,
                                                        criterion))
    else:
      row.update(nonzero_weights=0, blocks=0, nonzero_blocks=0, macs=0,
                 nonzero_macs=0, bsr_bytes=0, acc_outputs=0)
    counts = schedule.intermittent_counts(spec, tile, nonzero, target,
                                          free_reads)
    conventional = schedule.conventional_counts(spec, tile, nonzero, target)
    row["energy_j"] = conventional.joules(target)
    row["intermittent_energy_j"] = counts.joules(target)
    row["intermittent_s"] = counts.seconds(target)
    row["counts"] = counts.to_dict()
    total_counts = total_counts + counts
    rows.append(row)

  work_s = total_counts.seconds(target)
  work_j = total_counts.joules(target)
  recovery, lost = _failure_costs(rows, target)
  estimate = latency_lib.estimate(work_s, work_j, recovery, lost, target,
                                  power, back_to_back)
  extra_s = estimate.latency_s - work_s
  for row in rows:
    # Failures fall on layers in proportion to the energy they draw.
    share = row["intermittent_energy_j"] / work_j if work_j else 0.0
    row["latency_s"] = row["intermittent_s"] + share * extra_s
    row["power_cycles"] = share * estimate.power_cycles

  def total(key):
    return sum(r[key] for r in rows)

  totals = {
      "params": total("params"),
      "weights": total("weights"),
      "nonzero_weights": total("nonzero_weights"),
      "macs": total("macs"),
      "nonzero_macs": total("nonzero_macs"),
      "acc_outputs": total("acc_outputs"),
      "energy_j": total("energy_j"),
      "intermittent_energy_j": work_j,
      "bsr_bytes": total("bsr_bytes"),
      "latency_s": estimate.latency_s,
      "on_time_s": estimate.on_time_s,
      "charge_time_s": estimate.charge_time_s,
      "power_cycles": estimate.power_cycles,
      "counts": total_counts.to_dict(),
  }
  return {"layers": rows, "total": totals, "power": power,
          "criterion": criterion}


def profile_keras(model, **kwargs):
  """`profile_model` of a tf_keras model (pruning wrappers are looked through)."""
  return profile_model(layer_spec_lib.specs_from_keras(model),
                 keras_kernels(model), **kwargs)
