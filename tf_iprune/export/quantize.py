"""Q15 quantisation of a FloatModel with power-of-two scales.

Every tensor t gets an exponent e_t (real = q * 2**e_t, docs/design.md);
weights one exponent per layer, biases are stored at their layer's output
exponent. Values are rounded to the nearest step, halves up (the rounding of
`rshift_round`), and saturated to int16. Weight blocks are laid out as
`BlockGrid.blocks`; blocks that were pruned stay all zero, so they are not
stored or executed.
"""
import math

import numpy as np

from tf_iprune.export import ir
from tf_iprune.hardware import blocks as blocks_lib

Q15_MAX = 32767
# Exponent of a tensor that is zero on all calibration data.
ZERO_EXPONENT = -15


def exponent_for(peak):
  """Smallest e such that values up to `peak` fit: peak / 2**e <= 32767."""
  peak = float(peak)
  if not math.isfinite(peak):
    raise ValueError("Cannot choose a Q15 scale for a non-finite peak %r." %
                     peak)
  if peak <= 0:
    return ZERO_EXPONENT
  e = math.ceil(math.log2(peak / Q15_MAX))
  while peak / 2.0**e > Q15_MAX:
    e += 1
  while peak / 2.0**(e - 1) <= Q15_MAX:
    e -= 1
  return e


def quantize_array(x, exponent):
  """int16 of round(x / 2**exponent) (halves up), saturated.

  Returns:
    (int16 array, number of saturated values).
  """
  scaled = np.floor(np.asarray(x, np.float64) * 2.0**-exponent + 0.5)
  saturated = int(np.count_nonzero((scaled < -Q15_MAX - 1) |
                                   (scaled > Q15_MAX)))
  return np.clip(scaled, -Q15_MAX - 1, Q15_MAX).astype(np.int16), saturated


def kernel_from_blocks(grid, blocks):
  """Inverse of `BlockGrid.blocks`: the Keras-layout kernel of a layer."""
  index = np.arange(1, grid.spec.num_weights + 1).reshape(
      grid.spec.kernel_shape)
  where = grid.blocks(index)
  kernel = np.zeros(grid.spec.num_weights, blocks.dtype)
  kernel[where[where > 0] - 1] = blocks[where > 0]
  return kernel.reshape(grid.spec.kernel_shape)


def quantize_layer(layer, plan, e_out):
  """An ir.QLayer from a FloatLayer, its plan and its output exponent."""
  spec = layer.spec
  qlayer = ir.QLayer(spec=spec, plan=plan)
  if not spec.prunable:
    return qlayer
  grid = blocks_lib.BlockGrid(spec, plan)
  e_w = exponent_for(np.abs(layer.kernel).max())
  kernel, _ = quantize_array(layer.kernel, e_w)
  blocks = grid.blocks(kernel)
  blocks[~grid.nonzero_blocks(layer.kernel)] = 0  # Pruned blocks stay out.
  qlayer.blocks = blocks
  qlayer.bias, _ = quantize_array(layer.bias, e_out)
  qlayer.weight_exponent = e_w
  return qlayer


def quantize(model, plans, exponents, target):
  """Quantises a FloatModel.

  Args:
    model: The FloatModel.
    plans: {layer name: TilePlan}.
    exponents: {tensor name: exponent} for 'input' and every layer.
    target: The Target.

  Returns:
    A validated ir.QModel.
  """
  tensors = {ir.INPUT: ir.QTensor(ir.INPUT, tuple(model.input_shape),
                                  int(exponents[ir.INPUT]))}
  layers = []
  for layer in model.layers:
    e_out = int(exponents[layer.name])
    layers.append(quantize_layer(layer, plans[layer.name], e_out))
    tensors[layer.name] = ir.QTensor(layer.name, layer.spec.output_shape,
                                     e_out)
  qmodel = ir.QModel(name=model.name, layers=layers, tensors=tensors,
                     target=target)
  qmodel.validate()
  return qmodel


def quantize_input(qmodel, x):
  """int16 runtime inputs (N, H, W, C) from float inputs of any batch shape
  that holds N samples of qmodel.input.shape elements.

  Returns:
    (int16 array, number of saturated values).
  """
  x = np.asarray(x, np.float64)
  shape = tuple(qmodel.input.shape)
  return quantize_array(x.reshape((len(x),) + shape),
                        qmodel.input.exponent)


def dequantize(q, exponent):
  return np.asarray(q, np.float64) * 2.0**exponent
