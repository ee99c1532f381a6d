"""Tile planner: the shape of one accelerator operation per layer.

For conv, depthwise and dense layers a `TilePlan` gives
  tile_m  output channels (filters) per accelerator operation,
  tile_n  input channels per accelerator operation (dense: inputs),
  tile_p  output positions per accelerator operation (the spatial tile).
One accelerator operation multiplies an input tile (tile_p x tile_n) by a
weight block (tile_n x tile_m) on the LEA and yields tile_p x tile_m outputs
(see `docs/design.md`). For depthwise layers tile_n == tile_m (the block is a
diagonal: tile_m channels at one kernel position). For CPU layers only tile_p
is used: the output positions of one job.

Plans (default: `default_plan`, 'reference' for the paper's models):
  'auto'       per layer, the operation shape that fits the LEA buffer and
               minimises the layer's dense cost in the intermittent engine
               (preservation included), ties broken towards finer blocks.
  'reference'  the tile configuration of the iPrune reference implementation
               for har_cnn, cks_cnn and sqn (tile_p as large as fits).
Any layer can be overridden with `overrides={name: (tile_m, tile_n)}` or a
full TilePlan.
"""
import dataclasses
from typing import Callable, Dict, Mapping, Optional, Sequence

from tf_iprune.hardware import layer_spec as layer_spec_lib
from tf_iprune.hardware import target as target_lib

PLANS = ("auto", "reference")


@dataclasses.dataclass(frozen=True)
class TilePlan:
  tile_m: int
  tile_n: int
  tile_p: int

  def to_dict(self):
    return dataclasses.asdict(self)


def lea_buffer_words(spec, tile_m, tile_n, tile_p):
  """LEA-buffer words one operation of `spec` needs (0 for CPU layers)."""
  words = target_lib.lea_words
  if spec.kind == "depthwise":
    # Element-wise multiply: input, weights replicated per position, output.
    return 3 * words(tile_p, tile_m)
  if spec.kind in ("conv", "dense"):
    return (words(tile_p, tile_n) + words(tile_n, tile_m) +
            words(tile_p, tile_m))
  return 0


def cpu_job_words(spec, plan):
  """VM words one CPU job of `spec` needs."""
  c_out = spec.output_shape[2]
  if spec.kind in ("maxpool", "avgpool", "gap"):
    # One window row of the job's channels at a time, reduced into a 32-bit
    # accumulator.
    _, kw = pool_window(spec)
    return kw * plan.tile_m + 3 * plan.tile_m
  return plan.tile_p * (sum(s[2] for s in spec.input_shapes) + c_out)


def pool_window(spec):
  """Window of a pooling layer; global average pooling covers the input."""
  if spec.kind == "gap":
    return spec.input_shapes[0][:2]
  return spec.kernel


def job_joules(spec, plan, target):
  """Upper bound of the energy of one job (schedule.max_job_counts)."""
  # pylint: disable=g-import-not-at-top
  from tf_iprune.hardware import schedule  # Cycle: schedule uses tiling.
  return schedule.max_job_counts(spec, plan, target).joules(target)


def fits(spec, plan, target):
  """Whether one operation (or CPU job) of `plan` fits the target.

  It must fit the VM (LEA buffer, scratch) and need at most
  `target.max_job_joules`, so it can finish within one power cycle.
  """
  if spec.prunable:
    vm = (lea_buffer_words(spec, plan.tile_m, plan.tile_n, plan.tile_p) <=
          target.lea_buffer_words and
          plan.tile_p * plan.tile_m <= target.vm_scratch_words)
  else:
    vm = cpu_job_words(spec, plan) <= target.lea_buffer_words
  return vm and job_joules(spec, plan, target) <= target.max_job_joules


def _largest(lo, hi, ok):
  """The largest value in [lo, hi] with ok(value), ok monotone; 0 if none."""
  best = 0
  while lo <= hi:
    mid = (lo + hi) // 2
    if ok(mid):
      best, lo = mid, mid + 1
    else:
      hi = mid - 1
  return best


def _max_tile_p(spec, tile_m, tile_n, target):
  """Largest spatial tile that fits with this (tile_m, tile_n), 0 if none."""
  return _largest(1, spec.out_pixels,
                  lambda p: fits(spec, TilePlan(tile_m, tile_n, p), target))


def _cpu_plan(spec, target):
  """CPU layers: pooling jobs are one output position and a chunk of
  tile_m channels; element-wise jobs are tile_p consecutive positions."""
  if spec.kind in ("maxpool", "avgpool", "gap"):
    channels = _largest(1, spec.output_shape[2], lambda c: fits(
        spec, TilePlan(c, 0, 1), target))
    plan = TilePlan(channels, 0, 1 if channels else 0)
  else:
    plan = TilePlan(0, 0, _largest(1, spec.out_pixels, lambda p: fits(
        spec, TilePlan(0, 0, p), target)))
  if not plan.tile_p:
    raise ValueError(
        "Layer %r (%s): even its smallest job does not fit the target's VM "
        "(%d words) and job energy (%.3g J); the runtime cannot tile it." %
        (spec.name, spec.kind, target.lea_buffer_words,
         target.max_job_joules))
  return plan


def _divisors(n):
  return [d for d in range(1, n + 1) if n % d == 0]


def _candidates(spec, target):
  """(tile_m, tile_n) pairs the automatic planner considers."""
  m, n = spec.out_channels, spec.in_channels
  cap = min(m, target.max_tile_m)
  tile_ms = sorted({d for d in _divisors(m) if d <= cap} | {cap})
  if spec.kind == "depthwise":
    return [(t, t) for t in tile_ms]
  tile_ns = _divisors(n)
  return [(tm, tn) for tm in tile_ms for tn in tile_ns]


def plan_layer(spec, target, tile_m=None, tile_n=None):
  """Plans one layer; with tile_m/tile_n given, only tile_p is chosen."""
  # pylint: disable=g-import-not-at-top
  from tf_iprune.hardware import schedule  # Cycle: schedule uses TilePlan.
  if not spec.prunable:
    return _cpu_plan(spec, target)
  if tile_m is not None:
    if spec.kind == "depthwise":
      tile_n = tile_m
    if not (1 <= tile_m <= spec.out_channels and
            1 <= tile_n <= spec.in_channels):
      raise ValueError(
          "Layer %r: tile (tile_m=%d, tile_n=%d) must satisfy 1 <= tile_m <= "
          "%d output channels and 1 <= tile_n <= %d input channels." %
          (spec.name, tile_m, tile_n, spec.out_channels, spec.in_channels))
    candidates = [(tile_m, tile_n)]
  else:
    candidates = _candidates(spec, target)
  best, best_key = None, None
  for tm, tn in candidates:
    tp = _max_tile_p(spec, tm, tn, target)
    if tp == 0:
      continue
    plan = TilePlan(tm, tn, tp)
    cycles = schedule.intermittent_counts(spec, plan).cycles(target)
    key = (cycles, tm, -tn)
    if best_key is None or key < best_key:
      best, best_key = plan, key
  if best is None:
    raise ValueError(
        "Layer %r (%s, %d -> %d channels): no accelerator operation of tile "
        "%s fits the LEA buffer of %d words; lower the tile or use a target "
        "with more LEA RAM." % (
            spec.name, spec.kind, spec.in_channels, spec.out_channels,
            "(tile_m=%s, tile_n=%s)" % (tile_m, tile_n) if tile_m else
            "shape", target.lea_buffer_words))
  return best


# The iPrune reference implementation's (tile_m, tile_n) per layer, as rules
# on layer geometry so they do not depend on layer names or order.
def _har_reference(spec):
  return (2, 16) if spec.kind == "dense" else (6, spec.in_channels)


def _cks_reference(spec):
  if spec.kind == "conv":
    return (4, spec.in_channels)
  return (4, {1792: 64, 16: 16, 128: 32}[spec.in_channels])


def _sqn_reference(spec):
  if spec.kind == "conv" and spec.in_channels == 3:
    return (4, 3)  # conv1
  if spec.kind == "conv" and spec.kernel == (3, 3) and spec.in_channels == 32:
    return (4, 16)  # fire3 expand 3x3
  return (2, 16)


REFERENCE_PLANS: Dict[str, Callable] = {
    "har_cnn": _har_reference,
    "cks_cnn": _cks_reference,
    "sqn": _sqn_reference,
}


def default_plan(model_name):
  """'reference' for the paper's models (har_cnn, cks_cnn, sqn), else 'auto'.

  The pruner, the exporter and the profiler all plan with this unless told
  otherwise, so a model is exported in the blocks it was pruned in.
  """
  return "reference" if model_name in REFERENCE_PLANS else "auto"


def plan_model(specs: Sequence[layer_spec_lib.LayerSpec],
               target: Optional[target_lib.Target] = None,
               plan: Optional[str] = None,
               model_name: Optional[str] = None,
               overrides: Optional[Mapping[str, object]] = None):
  """Tile plan of every layer.

  Args:
    specs: The model's LayerSpecs.
    target: The target; defaults to the MSP430FR5994.
    plan: 'auto', 'reference', or None for `default_plan(model_name)`.
    model_name: Zoo model name; required by plan='reference'.
    overrides: {layer name: TilePlan or (tile_m, tile_n)} taking precedence.

  Returns:
    {layer name: TilePlan} for every spec.
  """
  target = target or target_lib.Target.msp430fr5994()
  plan = plan or default_plan(model_name)
  overrides = dict(overrides or {})
  names = {s.name for s in specs}
  unknown = set(overrides) - names
  if unknown:
    raise ValueError("Tile overrides name unknown layers %s; layers: %s." %
                     (sorted(unknown), sorted(names)))
  if plan not in PLANS:
    raise ValueError("Unknown tile plan %r; supported: %s." %
                     (plan, ", ".join(PLANS)))
  if plan == "reference" and model_name not in REFERENCE_PLANS:
    raise ValueError(
        "The 'reference' tile plan exists for %s, not for model %r." %
        (", ".join(sorted(REFERENCE_PLANS)), model_name))
  plans = {}
  for spec in specs:
    override = overrides.get(spec.name)
    if isinstance(override, TilePlan):
      if not fits(spec, override, target):
        raise ValueError("Layer %r: the tile override %s does not fit the "
                         "LEA buffer of %d words." %
                         (spec.name, override, target.lea_buffer_words))
      plans[spec.name] = override
    elif override is not None:
      plans[spec.name] = plan_layer(spec, target, *override)
    elif plan == "reference" and spec.prunable:
      try:
        tm, tn = REFERENCE_PLANS[model_name](spec)
      except KeyError as e:
        raise ValueError("Layer %r does not match the reference %s model." %
                         (spec.name, model_name)) from e
      plans[spec.name] = plan_layer(spec, target, tm, tn)
    else:
      plans[spec.name] = plan_layer(spec, target)
  return plans
