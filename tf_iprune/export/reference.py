"""Bit-exact Python reference of the runtime's Q15 arithmetic.

`run(qmodel, x)` executes a `QModel` on int16 inputs exactly as
msp430_runtime does (docs/design.md, "Q15 arithmetic"): one LEA operation per
non-zero weight block, its products summed exactly, `rshift_round` by the
layer's shift and `sat16` to Q15; the CPU then adds the result to the bias
(a group's first block) or to the partial sum, saturates again and applies the
fused ReLU after the group's last block. Blocks are accumulated in ascending
column order (`BlockGrid`), so the per-block rounding is reproduced. Every
output position of a block is computed independently, so spatial tiles
(tile_p) do not change any value and all positions of a block are computed at
once; all filter groups of one block column are computed together too, each
channel accumulating only where its group's block is non-zero.

The executor is the oracle of the C runtime and measures the accuracy of the
quantised model. It works on a batch of inputs at once.
"""
import dataclasses
from typing import Dict

import numpy as np

from tf_iprune.export import ir
from tf_iprune.hardware import tiling

INT16_MIN, INT16_MAX = -32768, 32767
# Shifts the 64-bit arithmetic supports; real models use far smaller ones.
MAX_SHIFT = 62
# Products of two int16 are below 2**30 in magnitude; float64 sums of integer
# terms are exact while they stay below 2**53, i.e. for up to 2**23 terms.
_MAX_EXACT_TERMS = 2**23


def rshift_round(v, s):
  """Rounding arithmetic shift of int64 values (docs/design.md).

  Args:
    v: Integer array (int64) or int.
    s: Shift; > 0 shifts right rounding half up, < 0 shifts left.

  Returns:
    int64 array: floor((v + 2**(s-1)) / 2**s) for s > 0, v for s = 0,
    v * 2**(-s) for s < 0.

  Raises:
    ValueError: if |s| > MAX_SHIFT or a left shift would overflow 64 bits.
  """
  v = np.asarray(v, np.int64)
  s = int(s)
  if not -MAX_SHIFT <= s <= MAX_SHIFT:
    raise ValueError("Shift %d is outside [-%d, %d]." % (s, MAX_SHIFT,
                                                         MAX_SHIFT))
  if s > 0:
    return (v + (np.int64(1) << (s - 1))) >> s
  if s == 0:
    return v
  if v.size and int(np.abs(v).max()) >= 2**(63 + s):
    raise ValueError("Left shift by %d overflows 64 bits (|v| up to %d)." %
                     (-s, int(np.abs(v).max())))
  return v << -s


def sat16(v):
  """Clamps int64 values to the int16 range."""
  return np.clip(v, INT16_MIN, INT16_MAX)


class _Stats:
  """Saturation events and the largest pre-saturation magnitude of a layer."""

  def __init__(self):
    self.saturated = 0
    self.peak = 0

  def sat(self, v):
    """sat16(v), counting the values it clamps."""
    if v.size:
      self.peak = max(self.peak, int(np.abs(v).max()))
      self.saturated += int(np.count_nonzero((v < INT16_MIN) |
                                             (v > INT16_MAX)))
    return sat16(v)


@dataclasses.dataclass
class Result:
  """What `run` returns.

  Attributes:
    tensors: {tensor name: int16 array}: the input ('input') and every
      layer's output, (N, H, W, C) (or (H, W, C) for an unbatched input).
    output: The last layer's output (int16).
    argmax: Index of the largest value of the flattened output, first on
      ties; an int for an unbatched input, else an (N,) int array.
    saturated: {layer name: number of values that sat16 clamped}, counted
      over every LEA result, CPU sum and re-scaling of the layer.
    peak: {layer name: largest magnitude of a value before sat16}; a layer
      with peak <= 32767 did not saturate.
  """
  tensors: Dict[str, np.ndarray]
  output: np.ndarray
  argmax: object
  saturated: Dict[str, int]
  peak: Dict[str, int]


def window_patches(x, spec, window, fill):
  """Yields ((kh, kw), (N, OH, OW, C) input values at that window position).

  Positions outside the input (padding) hold `fill`.
  """
  kh_n, kw_n = window
  sh, sw = spec.strides
  pt, pl, pb, pr = spec.pads
  oh_n, ow_n, _ = spec.output_shape
  padded = np.pad(x, ((0, 0), (pt, pb), (pl, pr), (0, 0)),
                  constant_values=fill)
  for kh in range(kh_n):
    for kw in range(kw_n):
      yield (kh, kw), padded[:, kh:kh + (oh_n - 1) * sh + 1:sh,
                             kw:kw + (ow_n - 1) * sw + 1:sw, :]


def _column_weights(grid, blocks, j):
  """Block column j as (rows, M): every group's block side by side."""
  column = blocks[:, j]  # (G, rows, tile_m)
  g, rows, tm = column.shape
  return column.transpose(1, 0, 2).reshape(rows, g * tm)[
      :, :grid.spec.out_channels]


def block_products(grid, blocks, nonzero, x):
  """The LEA operations of a layer, block column by block column.

  Args:
    grid: The layer's BlockGrid.
    blocks: Its weights in BlockGrid.blocks layout (G, J, rows, tile_m).
    nonzero: (G, J) bool: the blocks that are executed.
    x: (N, H, W, C) input (integers for the Q15 reference, or floats).

  Yields:
    (active, products) for each block column j in ascending order that has a
    non-zero block: `active` are the output channels whose group's block j
    is non-zero; `products` (N, OH, OW, len(active)) float64 the sums of
    products of those blocks (exact for integer inputs, see
    _MAX_EXACT_TERMS), one LEA operation's result per output position.
  """
  spec = grid.spec
  n = x.shape[0]
  group_of = np.arange(spec.out_channels) // grid.tile_m
  if spec.kind == "dense":
    columns = {(0, 0): x.reshape(n, 1, 1, -1)}
  else:
    columns = dict(window_patches(x, spec, spec.kernel, 0))
  for j in range(grid.n_cols):
    active = np.flatnonzero(nonzero[group_of, j])
    if not active.size:
      continue
    kh, kw, chunk = grid.column(j)
    patch = columns[(kh, kw)]
    weights = _column_weights(grid, blocks, j)
    if spec.kind == "depthwise":
      products = (patch[..., active].astype(np.float64) *
                  weights[0, active].astype(np.float64))
    else:
      lo = chunk * grid.tile_n
      hi = lo + grid.chunk_width(chunk)
      products = np.matmul(patch[..., lo:hi].astype(np.float64),
                           weights[:hi - lo, active].astype(np.float64))
    yield active, products


def _check_padding(layer):
  """Edge blocks must be zero-padded: the runtime multiplies the padding."""
  grid = layer.grid
  real = grid.blocks(np.ones(grid.spec.kernel_shape, bool))
  if np.any(layer.blocks[~real]):
    raise ValueError("Layer %r: the zero padding of its edge weight blocks "
                     "holds non-zero values." % layer.name)


def _accelerator(qmodel, layer, inputs, stats):
  """conv / depthwise / dense: one LEA operation per non-zero block."""
  spec = layer.spec
  grid = layer.grid
  _check_padding(layer)
  if grid.tile_n > _MAX_EXACT_TERMS:
    raise ValueError("Layer %r: tile_n %d is too large for exact sums." %
                     (spec.name, grid.tile_n))
  x = inputs[0]
  shift = qmodel.shift(layer)
  out = np.broadcast_to(layer.bias.astype(np.int64),
                        (x.shape[0],) + spec.output_shape).copy()
  for active, products in block_products(grid, layer.blocks, layer.nonzero,
                                         x):
    r = stats.sat(rshift_round(products.astype(np.int64), shift))
    out[..., active] = stats.sat(out[..., active] + r)
  return out


def _check_same_exponent(qmodel, spec):
  e_in = qmodel.tensors[spec.inputs[0]].exponent
  e_out = qmodel.tensors[spec.name].exponent
  if e_in != e_out:
    raise ValueError("Layer %r (%s): output exponent %d must equal the input "
                     "exponent %d." % (spec.name, spec.kind, e_out, e_in))


def pooling_windows(spec, x, fill):
  """The windows of a maxpool / avgpool / gap layer.

  Args:
    spec: The pooling LayerSpec (gap: one window over the whole input).
    x: (N, H, W, C) input.
    fill: Value of the positions outside the input.

  Returns:
    (counts, patches): counts (1, OH, OW, 1) of in-bounds positions of each
    window; patches a list of (N, OH, OW, C) values, one per window offset.
  """
  window = tiling.pool_window(spec)
  if spec.kind == "gap":
    # The window covers the whole input: no stride, no padding.
    spec = dataclasses.replace(spec, kernel=window, strides=(1, 1),
                               pads=(0, 0, 0, 0))
  valid = np.ones((1,) + x.shape[1:3] + (1,), np.int64)
  counts = sum(p for _, p in window_patches(valid, spec, window, 0))
  if np.any(counts == 0):
    raise ValueError("Layer %r: a pooling window lies entirely in the "
                     "padding." % spec.name)
  return counts, [p for _, p in window_patches(x, spec, window, fill)]


def _pool(qmodel, layer, inputs, stats):
  """maxpool / avgpool / gap over the in-bounds values of each window."""
  del stats
  spec = layer.spec
  _check_same_exponent(qmodel, spec)
  x = inputs[0].astype(np.int64)
  if spec.kind == "maxpool":
    _, patches = pooling_windows(spec, x, INT16_MIN - 1)
    return np.max(np.stack(patches), axis=0)
  counts, patches = pooling_windows(spec, x, 0)
  total = sum(patches)
  half = counts // 2
  # Round half away from zero with C's truncating division.
  return np.where(total >= 0, (total + half) // counts,
                  -((-total + half) // counts))


def _add(qmodel, layer, inputs, stats):
  e_out = qmodel.tensors[layer.name].exponent
  total = sum(rshift_round(x, e_out - qmodel.tensors[name].exponent)
              for name, x in zip(layer.spec.inputs, inputs))
  return stats.sat(total)


def _concat(qmodel, layer, inputs, stats):
  e_out = qmodel.tensors[layer.name].exponent
  return np.concatenate([
      stats.sat(rshift_round(x, e_out - qmodel.tensors[name].exponent))
      for name, x in zip(layer.spec.inputs, inputs)], axis=-1)


def _relu(qmodel, layer, inputs, stats):
  del stats
  _check_same_exponent(qmodel, layer.spec)
  return np.maximum(inputs[0], 0)


_OPS = {
    "conv": _accelerator,
    "depthwise": _accelerator,
    "dense": _accelerator,
    "maxpool": _pool,
    "avgpool": _pool,
    "gap": _pool,
    "add": _add,
    "concat": _concat,
    "relu": _relu,
}


def run(qmodel: ir.QModel, x) -> Result:
  """Executes a quantised model on int16 inputs.

  Args:
    qmodel: The QModel (validated first).
    x: int16 input of shape qmodel.input.shape (one sample) or
      (N,) + that shape (a batch).

  Returns:
    A `Result` with every tensor, the output and its argmax.

  Raises:
    ValueError: on a bad input, an inconsistent model or exponents the
      runtime cannot execute, naming the layer.
  """
  qmodel.validate()
  x = np.asarray(x)
  shape = tuple(qmodel.input.shape)
  batched = x.shape != shape
  if batched and x.shape[1:] != shape:
    raise ValueError("Model %r takes inputs of shape %s (or a batch of them), "
                     "got %s." % (qmodel.name, shape, x.shape))
  if x.dtype != np.int16:
    raise ValueError("Model %r takes int16 inputs, got %s." %
                     (qmodel.name, x.dtype))
  if not batched:
    x = x[None]
  tensors = {ir.INPUT: x}
  saturated, peak = {}, {}
  for layer in qmodel.layers:
    stats = _Stats()
    out = _OPS[layer.spec.kind](qmodel, layer,
                                [tensors[n] for n in layer.spec.inputs], stats)
    if layer.spec.activation == "relu":
      out = np.maximum(out, 0)
    tensors[layer.name] = out.astype(np.int16)
    saturated[layer.name], peak[layer.name] = stats.saturated, stats.peak
  output = tensors[qmodel.layers[-1].name]
  argmax = np.argmax(output.reshape(output.shape[0], -1), axis=1)
  if not batched:
    tensors = {k: v[0] for k, v in tensors.items()}
    output, argmax = output[0], int(argmax[0])
  return Result(tensors=tensors, output=output, argmax=argmax,
                saturated=saturated, peak=peak)
