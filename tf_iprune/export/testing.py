"""Small quantised models for tests of the exporter and the runtime.

`SpecBuilder` writes LayerSpec graphs by hand (no Keras needed),
`example_specs` holds a few graphs that together use every runtime kind, and
`random_qmodel` fills a graph with random Q15 weights, sparse weight blocks
(so some layers are BSR with empty filter groups) and exponents that keep
most values in range. `random_input` draws matching int16 inputs.
"""
import dataclasses

import numpy as np

from tf_iprune.export import ir
from tf_iprune.hardware import blocks as blocks_lib
from tf_iprune.hardware import layer_spec as layer_spec_lib
from tf_iprune.hardware import target as target_lib
from tf_iprune.hardware import tiling


class SpecBuilder:
  """Builds a LayerSpec graph layer by layer, tracking tensor shapes.

  Every method appends one spec and returns its name (the name of its output
  tensor); pass names as inputs of later layers. 'input' is the model input.
  """

  def __init__(self, input_shape):
    self.shapes = {ir.INPUT: tuple(input_shape)}
    self.specs = []

  def _add(self, name, kind, inputs, output_shape, input_shapes=None,
           **kwargs):
    if name in self.shapes:
      raise ValueError("Layer name %r is used twice." % name)
    spec = layer_spec_lib.LayerSpec(
        name=name, kind=kind,
        input_shapes=input_shapes or tuple(self.shapes[i] for i in inputs),
        output_shape=tuple(output_shape), inputs=tuple(inputs), **kwargs)
    self.specs.append(spec)
    self.shapes[name] = spec.output_shape
    return name

  def _window(self, source, kernel, strides, padding):
    """(output shape without channels, pads) of a windowed layer."""
    h, w, _ = self.shapes[source]
    if padding == "same":
      pt, pb = layer_spec_lib.same_pads(h, kernel[0], strides[0])
      pl, pr = layer_spec_lib.same_pads(w, kernel[1], strides[1])
    elif padding == "valid":
      pt = pb = pl = pr = 0
    else:
      pt, pl, pb, pr = padding  # Explicit (top, left, bottom, right).
    oh = layer_spec_lib.conv_output_size(h, kernel[0], strides[0], pt, pb)
    ow = layer_spec_lib.conv_output_size(w, kernel[1], strides[1], pl, pr)
    return (oh, ow), (pt, pl, pb, pr)

  def conv(self, name, source, filters, kernel=(3, 3), strides=(1, 1),
           padding="same", activation="none"):
    (oh, ow), pads = self._window(source, kernel, strides, padding)
    return self._add(name, "conv", (source,), (oh, ow, filters),
                     kernel=tuple(kernel), strides=tuple(strides), pads=pads,
                     activation=activation)

  def depthwise(self, name, source, kernel=(3, 3), strides=(1, 1),
                padding="same", activation="none"):
    (oh, ow), pads = self._window(source, kernel, strides, padding)
    c = self.shapes[source][2]
    return self._add(name, "depthwise", (source,), (oh, ow, c),
                     kernel=tuple(kernel), strides=tuple(strides), pads=pads,
                     activation=activation)

  def dense(self, name, source, units, activation="none"):
    """A dense layer on the flattened source: its input is (1, 1, H*W*C)."""
    flat = (1, 1, int(np.prod(self.shapes[source])))
    return self._add(name, "dense", (source,), (1, 1, units),
                     input_shapes=(flat,), activation=activation)

  def pool(self, name, source, kind, pool_size=(2, 2), strides=None,
           padding="valid"):
    strides = tuple(strides or pool_size)
    (oh, ow), pads = self._window(source, pool_size, strides, padding)
    return self._add(name, kind, (source,),
                     (oh, ow, self.shapes[source][2]),
                     kernel=tuple(pool_size), strides=strides, pads=pads)

  def gap(self, name, source):
    return self._add(name, "gap", (source,), (1, 1, self.shapes[source][2]))

  def add(self, name, sources, activation="none"):
    return self._add(name, "add", tuple(sources), self.shapes[sources[0]],
                     activation=activation)

  def concat(self, name, sources):
    h, w, _ = self.shapes[sources[0]]
    c = sum(self.shapes[s][2] for s in sources)
    return self._add(name, "concat", tuple(sources), (h, w, c))

  def relu(self, name, source):
    return self._add(name, "relu", (source,), self.shapes[source])


def example_specs(name):
  """Small LayerSpec graphs; together they use every runtime kind.

  Args:
    name: 'chain' (conv, maxpool, dense), 'depthwise' (strided conv,
      depthwise, avgpool with padding, gap, dense), 'residual' (convs and an
      add with ReLU), 'fire' (a SqueezeNet Fire module: concat, a separate
      ReLU) or 'all' (every kind in one graph).

  Returns:
    A tuple of LayerSpec.
  """
  if name == "chain":
    b = SpecBuilder((6, 6, 3))
    x = b.conv("conv1", "input", 10, activation="relu")
    x = b.pool("pool1", x, "maxpool")
    b.dense("fc", x, 5)
  elif name == "depthwise":
    b = SpecBuilder((7, 7, 4))
    x = b.conv("conv1", "input", 6, strides=(2, 2), activation="relu")
    x = b.depthwise("dw1", x, activation="relu")
    x = b.pool("avg1", x, "avgpool", (3, 3), (2, 2), "same")
    x = b.gap("gap", x)
    b.dense("fc", x, 4)
  elif name == "residual":
    b = SpecBuilder((5, 5, 3))
    x = b.conv("conv1", "input", 8, activation="relu")
    y = b.conv("conv2", x, 8, activation="relu")
    y = b.conv("conv3", y, 8)
    x = b.add("add1", (x, y), activation="relu")
    x = b.gap("gap", x)
    b.dense("fc", x, 3)
  elif name == "fire":
    b = SpecBuilder((6, 6, 5))
    s = b.conv("squeeze", "input", 4, kernel=(1, 1), activation="relu")
    e1 = b.conv("expand1", s, 6, kernel=(1, 1))
    e3 = b.conv("expand3", s, 6)
    x = b.concat("concat", (e1, e3))
    x = b.relu("relu", x)
    x = b.pool("pool", x, "maxpool", (3, 3), (2, 2), "same")
    b.dense("fc", x, 3)
  elif name == "all":
    b = SpecBuilder((8, 8, 3))
    x = b.conv("conv1", "input", 12, strides=(2, 2), activation="relu")
    d = b.depthwise("dw", x, activation="relu")
    p = b.conv("pw", d, 12, kernel=(1, 1))
    x = b.add("add", (x, p), activation="relu")
    e1 = b.conv("e1", x, 4, kernel=(1, 1))
    e3 = b.conv("e3", x, 4)
    x = b.concat("cat", (e1, e3))
    x = b.relu("relu", x)
    x = b.pool("max", x, "maxpool", (2, 2), (1, 1), "same")
    x = b.pool("avg", x, "avgpool", (2, 2))
    g = b.gap("gap", x)
    x = b.dense("fc1", g, 10, activation="relu")
    b.dense("fc2", x, 4)
  else:
    raise ValueError("Unknown example %r; examples: chain, depthwise, "
                     "residual, fire, all." % name)
  return tuple(b.specs)


def _fan_in(grid):
  """Weights a full column block multiplies per output (LEA operation)."""
  return 1 if grid.spec.kind == "depthwise" else grid.tile_n


def random_qmodel(specs, seed=0, density=0.6, plans=None, overrides=None,
                  target=None, name="random", input_exponent=-12):
  """A QModel with random weights and plausible exponents.

  Args:
    specs: LayerSpecs in execution order (e.g. `example_specs('all')`).
    seed: Random seed; the same seed gives the same model.
    density: Probability that a weight block is kept; 1.0 gives dense
      layers. With density < 1 the first filter group of the first
      accelerator layer with several groups is emptied, so BSR layers with
      bias-only groups are always exercised; the last block of every layer
      is kept.
    plans: {name: TilePlan}; by default `tiling.plan_model`.
    overrides: Tile overrides for the planner (e.g. small tiles for more
      blocks).
    target: Target; default MSP430FR5994.
    name: Model name.
    input_exponent: Exponent of the input tensor.

  Returns:
    A validated `ir.QModel`.
  """
  rng = np.random.default_rng(seed)
  target = target or target_lib.Target.msp430fr5994()
  if plans is None:
    plans = tiling.plan_model(specs, target, overrides=overrides)
  input_shape = specs[0].input_shapes[0]
  tensors = {ir.INPUT: ir.QTensor(ir.INPUT, tuple(input_shape),
                                  input_exponent)}
  layers = []
  emptied = density >= 1
  for spec in specs:
    e_in = [tensors[n].exponent for n in spec.inputs]
    plan = plans[spec.name]
    layer = ir.QLayer(spec=spec, plan=plan)
    if spec.prunable:
      grid = blocks_lib.BlockGrid(spec, plan)
      bits = int(rng.integers(10, 15))
      kernel = rng.integers(-2**bits, 2**bits, spec.kernel_shape)
      blocks = grid.blocks(kernel.astype(np.int16))
      keep = rng.random(grid.shape) < density
      if not emptied and grid.n_groups > 1:
        keep[0] = False
        emptied = True
      keep[-1, -1] = True  # No layer is all zero.
      blocks[~keep] = 0
      layer.blocks = blocks
      layer.weight_exponent = -15
      # Inputs are about 2**13 in magnitude: choose the shift that brings a
      # block's sum of products back to about 2**12.
      typical = 2**13 * 2**(bits - 1) * np.sqrt(_fan_in(grid))
      shift = max(1, int(np.round(np.log2(typical))) - 12)
      e_out = e_in[0] + layer.weight_exponent + shift
      layer.bias = rng.integers(-2**10, 2**10, spec.out_channels).astype(
          np.int16)
    elif spec.kind in ("add", "concat"):
      e_out = max(e_in) + int(rng.integers(0, 2))
    else:
      e_out = e_in[0]
    tensors[spec.name] = ir.QTensor(spec.name, spec.output_shape, e_out)
    layers.append(layer)
  qmodel = ir.QModel(name=name, layers=layers, tensors=tensors, target=target)
  qmodel.validate()
  return qmodel


def random_input(qmodel, seed=0, batch=None, bits=14):
  """Random int16 inputs of magnitude below 2**bits.

  Args:
    qmodel: The model.
    seed: Random seed.
    batch: None for one sample (H, W, C), else the batch size.
    bits: log2 of the largest magnitude (15 = the full int16 range).
  """
  rng = np.random.default_rng(seed)
  shape = tuple(qmodel.input.shape)
  if batch is not None:
    shape = (batch,) + shape
  hi = min(2**bits, 2**15)
  return rng.integers(-hi, hi, shape).astype(np.int16)


def build_qmodel(specs, kernels, biases, exponents, weight_exponents,
                 overrides=None, target=None, name="hand_made"):
  """A QModel from int kernels in Keras layout (for hand-computed cases).

  Args:
    specs: LayerSpecs in execution order.
    kernels: {layer name: integer kernel of shape spec.kernel_shape}.
    biases: {layer name: integer bias (M,)}; missing means zeros.
    exponents: {tensor name: exponent}, 'input' and every layer.
    weight_exponents: {layer name: weight exponent}.
    overrides: Tile overrides {name: (tile_m, tile_n)}.
    target: Target; default MSP430FR5994.
    name: Model name.
  """
  target = target or target_lib.Target.msp430fr5994()
  plans = tiling.plan_model(specs, target, overrides=overrides)
  tensors = {ir.INPUT: ir.QTensor(ir.INPUT, specs[0].input_shapes[0],
                                  exponents[ir.INPUT])}
  layers = []
  for spec in specs:
    layer = ir.QLayer(spec=spec, plan=plans[spec.name])
    if spec.prunable:
      kernel = np.asarray(kernels[spec.name], np.int16)
      layer.blocks = layer.grid.blocks(kernel)
      layer.bias = np.asarray(biases.get(spec.name, np.zeros(
          spec.out_channels)), np.int16)
      layer.weight_exponent = weight_exponents[spec.name]
    tensors[spec.name] = ir.QTensor(spec.name, spec.output_shape,
                                    exponents[spec.name])
    layers.append(layer)
  qmodel = ir.QModel(name=name, layers=layers, tensors=tensors, target=target)
  qmodel.validate()
  return qmodel


def with_exponent(qmodel, tensor, exponent):
  """A copy of `qmodel` with one tensor's exponent changed."""
  tensors = dict(qmodel.tensors)
  tensors[tensor] = dataclasses.replace(tensors[tensor], exponent=exponent)
  return dataclasses.replace(qmodel, tensors=tensors)
