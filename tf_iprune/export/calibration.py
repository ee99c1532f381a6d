"""Chooses the power-of-two exponent of every tensor from calibration data.

1. The FloatModel runs on the calibration inputs with the runtime's block
   structure; each accelerator layer's exponent covers its bias, every
   block's result and every partial sum in block order, not only its output.
   add / concat cover their inputs and their result; maxpool, avgpool, gap
   and relu keep their input's exponent (docs/design.md). The input's
   exponent covers the calibration inputs.
2. The model is quantised and run by the bit-exact reference; a layer that
   still saturates (rounding can push a value just over the edge) gets its
   exponent raised by the bits it overflowed by, and the round repeats until
   nothing saturates on the calibration set.
"""
import dataclasses
import math
from typing import Dict

from absl import logging
import numpy as np

from tf_iprune.export import ir
from tf_iprune.export import quantize
from tf_iprune.export import reference

# Kinds whose output exponent is chosen; the others inherit their input's.
_CHOSEN_KINDS = ("conv", "depthwise", "dense", "add", "concat")
MAX_ROUNDS = 16


@dataclasses.dataclass
class Calibration:
  """Result of `calibrate`.

  Attributes:
    qmodel: The quantised model.
    saturated: {'input' or layer name: values saturated on the calibration
      set} in the final round (all zero unless the input itself is clipped).
    rounds: Quantise-and-check rounds it took.
    samples: Calibration samples used.
  """
  qmodel: ir.QModel
  saturated: Dict[str, int]
  rounds: int
  samples: int


def batches(x, batch_size):
  for start in range(0, len(x), batch_size):
    yield x[start:start + batch_size]


def float_peaks(model, plans, x, batch_size=128):
  """{'input' / layer name: largest magnitude} over the calibration set."""
  peaks = {ir.INPUT: 0.0}
  for batch in batches(x, batch_size):
    result = model.run(batch, plans)
    peaks[ir.INPUT] = max(peaks[ir.INPUT],
                          float(np.abs(result.tensors[ir.INPUT]).max()))
    for name, peak in result.peaks.items():
      peaks[name] = max(peaks.get(name, 0.0), peak)
  return peaks


def resolve(model, chosen):
  """Exponents of all tensors from the chosen ones (the rest inherit)."""
  exponents = {ir.INPUT: chosen[ir.INPUT]}
  for layer in model.layers:
    spec = layer.spec
    if spec.kind in _CHOSEN_KINDS:
      exponents[spec.name] = chosen[spec.name]
    else:
      exponents[spec.name] = exponents[spec.inputs[0]]
  return exponents


def reference_saturation(qmodel, xq, batch_size=128):
  """({name: saturated values}, {name: peak before saturation}) of a run."""
  saturated = {l.name: 0 for l in qmodel.layers}
  peaks = {l.name: 0 for l in qmodel.layers}
  for batch in batches(xq, batch_size):
    result = reference.run(qmodel, batch)
    for name in saturated:
      saturated[name] += result.saturated[name]
      peaks[name] = max(peaks[name], result.peak[name])
  return saturated, peaks


def calibrate(model, plans, x, target, batch_size=128, max_rounds=MAX_ROUNDS):
  """Quantises `model` so that nothing saturates on the calibration inputs.

  Args:
    model: The FloatModel.
    plans: {layer name: TilePlan}.
    x: Calibration inputs, (N,) + model.keras_input_shape, float.
    target: The Target.
    batch_size: Samples per batch (bounds memory).
    max_rounds: Quantise-and-check rounds before giving up.

  Returns:
    A Calibration.

  Raises:
    ValueError: if the calibration set is empty or holds NaN/Inf, or a layer
      still saturates after max_rounds.
  """
  x = np.asarray(x, np.float64)
  if not len(x):
    raise ValueError("Model %r: the calibration set is empty." % model.name)
  if not np.all(np.isfinite(x)):
    raise ValueError("Model %r: the calibration inputs hold NaN or Inf." %
                     model.name)
  peaks = float_peaks(model, plans, x, batch_size)
  chosen = {name: quantize.exponent_for(peak) for name, peak in peaks.items()
            if name == ir.INPUT or name in {
                l.name for l in model.layers if l.spec.kind in _CHOSEN_KINDS}}
  for rounds in range(1, max_rounds + 1):
    qmodel = quantize.quantize(model, plans, resolve(model, chosen), target)
    xq, input_saturated = quantize.quantize_input(qmodel, x)
    saturated, q_peaks = reference_saturation(qmodel, xq, batch_size)
    over = {n: c for n, c in saturated.items() if c}
    logging.info("Calibration round %d of %r: %d layers saturate %s.", rounds,
                 model.name, len(over), sorted(over))
    if not over:
      saturated[ir.INPUT] = input_saturated
      return Calibration(qmodel, saturated, rounds, len(x))
    for name in over:
      chosen[name] += max(1, math.ceil(math.log2(q_peaks[name] /
                                                 quantize.Q15_MAX)))
  raise ValueError("Model %r: layers %s still saturate on the calibration "
                   "set after %d rounds." % (model.name, sorted(over),
                                             max_rounds))
