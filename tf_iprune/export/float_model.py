"""The lowered model in float: runtime layers with real-valued weights.

`FloatModel` is what the lowering produces and what calibration and
quantisation consume. `FloatModel.run` executes it in float64 with the
runtime's block structure (one block column at a time, partial sums in
ascending column order), so calibration sees the magnitude of every partial
sum the runtime will store, not only of the final outputs.
"""
import dataclasses
from typing import Dict, List, Optional, Tuple

import numpy as np

from tf_iprune.export import ir
from tf_iprune.export import reference
from tf_iprune.hardware import blocks as blocks_lib
from tf_iprune.hardware import layer_spec as layer_spec_lib
from tf_iprune.hardware import tiling


@dataclasses.dataclass
class FloatLayer:
  """A runtime layer with float weights.

  Attributes:
    spec: Its LayerSpec.
    kernel: Prunable layers: float64 kernel in Keras layout
      (spec.kernel_shape), BatchNorm folded in; None for CPU layers.
    bias: float64 (M,) or None.
    onnx_nodes: Names of the ONNX nodes lowered into it.
  """
  spec: layer_spec_lib.LayerSpec
  kernel: Optional[np.ndarray] = None
  bias: Optional[np.ndarray] = None
  onnx_nodes: Tuple[str, ...] = ()

  @property
  def name(self):
    return self.spec.name


@dataclasses.dataclass
class FloatResult:
  """Float tensors of a batch and, per layer, the largest magnitude of any
  value the runtime stores for it (outputs, block results, partial sums)."""
  tensors: Dict[str, np.ndarray]
  peaks: Dict[str, float]


@dataclasses.dataclass
class FloatModel:
  """Runtime layers in execution order with float weights.

  Attributes:
    name: Model name.
    input_shape: Runtime (H, W, C) of the input.
    keras_input_shape: Shape of one input of the original model.
    layers: FloatLayers in execution order.
  """
  name: str
  input_shape: Tuple[int, int, int]
  keras_input_shape: Tuple[int, ...]
  layers: List[FloatLayer]

  @property
  def specs(self):
    return tuple(layer.spec for layer in self.layers)

  def kernels(self):
    """{layer name: kernel} of the prunable layers."""
    return {l.name: l.kernel for l in self.layers if l.spec.prunable}

  def to_runtime_input(self, x):
    """(N,) + keras_input_shape data as (N, H, W, C) float64."""
    x = np.asarray(x, np.float64)
    if x.shape[1:] != tuple(self.keras_input_shape):
      raise ValueError("Model %r takes inputs of shape %s, got a batch of %s."
                       % (self.name, tuple(self.keras_input_shape),
                          x.shape[1:]))
    return x.reshape((len(x),) + tuple(self.input_shape))

  def run(self, x, plans=None):
    """Runs a batch in float64.

    Args:
      x: (N,) + keras_input_shape inputs.
      plans: {layer name: TilePlan}; partial sums follow their blocks.
        Default: one block per kernel position (all channels at once).

    Returns:
      A FloatResult; tensors are (N, H, W, C), 'input' included.
    """
    tensors = {ir.INPUT: self.to_runtime_input(x)}
    peaks = {}
    for layer in self.layers:
      spec = layer.spec
      inputs = [tensors[n] for n in spec.inputs]
      if spec.prunable:
        plan = (plans or {}).get(spec.name) or tiling.TilePlan(
            spec.out_channels, spec.in_channels, spec.out_pixels)
        out, peak = _accelerator(layer, plan, inputs[0])
      else:
        out = _CPU_OPS[spec.kind](spec, inputs)
        peak = max(_peak(out), *(_peak(i) for i in inputs))
      if spec.activation == "relu":
        out = np.maximum(out, 0)
      tensors[spec.name] = out
      peaks[spec.name] = peak
    return FloatResult(tensors, peaks)


def _peak(x):
  return float(np.abs(x).max()) if x.size else 0.0


def _accelerator(layer, plan, x):
  """Bias, then each non-zero block column in order, as the runtime does."""
  spec = layer.spec
  grid = blocks_lib.BlockGrid(spec, plan)
  blocks = grid.blocks(layer.kernel)
  nonzero = grid.nonzero_blocks(layer.kernel)
  out = np.broadcast_to(layer.bias, (len(x),) + spec.output_shape).copy()
  peak = _peak(layer.bias)
  for active, products in reference.block_products(grid, blocks, nonzero, x):
    out[..., active] += products
    peak = max(peak, _peak(products), _peak(out[..., active]))
  return out, peak


def _pool(spec, inputs):
  if spec.kind == "maxpool":
    _, patches = reference.pooling_windows(spec, inputs[0], -np.inf)
    return np.max(np.stack(patches), axis=0)
  counts, patches = reference.pooling_windows(spec, inputs[0], 0.0)
  return sum(patches) / counts


_CPU_OPS = {
    "maxpool": _pool,
    "avgpool": _pool,
    "gap": _pool,
    "add": lambda spec, inputs: sum(inputs),
    "concat": lambda spec, inputs: np.concatenate(inputs, axis=-1),
    "relu": lambda spec, inputs: np.maximum(inputs[0], 0),
}
