"""The quantised model: the exporter's output and the runtime's input.

`QModel` is what the lowering + quantisation passes produce and what the
model-format writers (`model.bin`, `model.c`) and the bit-exact Python
reference executor consume. Geometry comes from the hardware model
(`LayerSpec`, `TilePlan`, `BlockGrid`), arithmetic from docs/design.md.
"""
import dataclasses
from typing import Dict, List, Optional, Tuple

import numpy as np

from tf_iprune.hardware import blocks as blocks_lib
from tf_iprune.hardware import layer_spec as layer_spec_lib
from tf_iprune.hardware import schedule
from tf_iprune.hardware import target as target_lib
from tf_iprune.hardware import tiling

INPUT = "input"


@dataclasses.dataclass
class QTensor:
  """An activation tensor: real = q * 2**exponent, q int16, (H, W, C)."""
  name: str
  shape: Tuple[int, int, int]
  exponent: int


@dataclasses.dataclass
class QLayer:
  """One runtime layer with its quantised parameters.

  Attributes:
    spec: Geometry and kind; spec.name is also the name of its output
      tensor, spec.inputs the names of its input tensors.
    plan: Its tile plan.
    blocks: Accelerator layers: int16 weights in BlockGrid.blocks layout
      (G, J, rows, tile_m), zero-padded at the edges; None for CPU layers.
    bias: int16 (M,) at the output exponent; None for CPU layers.
    weight_exponent: Exponent of the weights.
  """
  spec: layer_spec_lib.LayerSpec
  plan: tiling.TilePlan
  blocks: Optional[np.ndarray] = None
  bias: Optional[np.ndarray] = None
  weight_exponent: Optional[int] = None

  @property
  def name(self):
    return self.spec.name

  @property
  def grid(self):
    return blocks_lib.BlockGrid(self.spec, self.plan)

  @property
  def nonzero(self):
    """(G, J) bool: blocks with a non-zero (quantised) weight; these are
    the blocks stored and executed."""
    return np.any(self.blocks != 0, axis=(2, 3))

  @property
  def is_bsr(self):
    """Stored as BSR: some block is all zero (docs/model_format.md)."""
    return schedule.is_bsr(self.nonzero)


@dataclasses.dataclass
class QModel:
  """A quantised model in execution order."""
  name: str
  layers: List[QLayer]
  tensors: Dict[str, QTensor]
  target: target_lib.Target

  @property
  def input(self):
    return self.tensors[INPUT]

  @property
  def output(self):
    return self.tensors[self.layers[-1].name]

  def shift(self, layer):
    """Right shift of an accelerator layer's products (docs/design.md)."""
    x = self.tensors[layer.spec.inputs[0]].exponent
    return self.tensors[layer.name].exponent - x - layer.weight_exponent

  def validate(self):
    """Checks internal consistency; raises ValueError naming the layer."""
    if INPUT not in self.tensors:
      raise ValueError("Quantised model %r has no %r tensor." %
                       (self.name, INPUT))
    seen = {INPUT}
    for layer in self.layers:
      spec = layer.spec
      for name in spec.inputs:
        if name not in seen:
          raise ValueError("Layer %r reads tensor %r before it is produced." %
                           (spec.name, name))
      if spec.name not in self.tensors:
        raise ValueError("Layer %r has no output tensor." % spec.name)
      if tuple(self.tensors[spec.name].shape) != tuple(spec.output_shape):
        raise ValueError("Layer %r: output tensor shape %s != spec %s." %
                         (spec.name, self.tensors[spec.name].shape,
                          spec.output_shape))
      if spec.prunable:
        grid = layer.grid
        rows = 1 if spec.kind == "depthwise" else grid.tile_n
        expected = grid.shape + (rows, grid.tile_m)
        if layer.blocks is None or layer.blocks.shape != expected:
          raise ValueError("Layer %r: weight blocks of shape %s, expected %s."
                           % (spec.name, getattr(layer.blocks, "shape", None),
                              expected))
        if layer.blocks.dtype != np.int16 or layer.bias.dtype != np.int16:
          raise ValueError("Layer %r: weights and bias must be int16." %
                           spec.name)
      if not tiling.fits(spec, layer.plan, self.target):
        raise ValueError("Layer %r: tile plan %s does not fit the target." %
                         (spec.name, layer.plan))
      seen.add(spec.name)
