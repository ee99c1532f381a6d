"""Lowers an ONNX graph (from tf2onnx) to the runtime's operator set.

The result is a `FloatModel`: LayerSpecs (geometry, as `specs_from_keras`
gives for the same Keras model) with float weights in Keras layout, BatchNorm
and bias additions folded into the preceding Conv / Gemm, ReLU fused into its
producer where it is the only consumer, and the final Softmax dropped (the
runtime reports argmax).

Layouts. The runtime keeps every activation as an (H, W, C) row-major map;
tf2onnx works in NCHW and inserts Transpose / Reshape nodes to move between
layouts. The lowering does not pattern-match those: every ONNX activation
value is tracked as a view of a runtime tensor, i.e. an integer array with the
value's shape (batch 1) whose entries are positions in the runtime tensor.
Layout nodes (Transpose, Reshape, Flatten, Squeeze, Unsqueeze, Identity,
Dropout) only move those indices; compute nodes check that their input is the
view they need (NCHW for Conv and pooling, any ordering of all elements for
Gemm/MatMul, whose weight rows are then permuted to (H, W, C) order).

Every node is checked before anything else happens; an unsupported node is
refused with an error naming the ONNX node, its op type and the Keras layer
it came from, and listing the supported operators.
"""
import dataclasses
from typing import Callable, Dict, List, Mapping, Optional, Tuple

import numpy as np
import onnx
from onnx import numpy_helper

from tf_iprune.export import float_model
from tf_iprune.export import ir
from tf_iprune.hardware import layer_spec as layer_spec_lib

_FOLDABLE_KINDS = ("conv", "depthwise", "dense")
# Keras layer classes of the accelerator kinds, and classes whose layers
# become no runtime layer of their own.
_KERAS_CLASSES = {"conv": ("Conv2D",), "depthwise": ("DepthwiseConv2D",),
                  "dense": ("Dense",)}
_FOLDED_KERAS_CLASSES = ("Activation", "BatchNormalization", "Dropout",
                         "Flatten", "ReLU", "Reshape", "Softmax",
                         "ZeroPadding2D")
_RELU_FUSABLE_KINDS = ("conv", "depthwise", "dense", "add")


@dataclasses.dataclass
class _View:
  """An ONNX activation value: `index` (the value's shape) into `tensor`."""
  tensor: str
  index: np.ndarray


@dataclasses.dataclass
class _Pending:
  """A runtime layer being built; weights and activation may still change."""
  name: str
  kind: str
  inputs: Tuple[str, ...]
  output_shape: Tuple[int, int, int]
  input_shapes: Tuple[Tuple[int, int, int], ...]
  kernel: Optional[np.ndarray] = None
  bias: Optional[np.ndarray] = None
  window: Tuple[int, int] = (1, 1)
  strides: Tuple[int, int] = (1, 1)
  pads: Tuple[int, int, int, int] = (0, 0, 0, 0)
  activation: str = "none"
  nodes: List[str] = dataclasses.field(default_factory=list)
  keras_index: Optional[int] = None
  tip: str = ""  # The ONNX value that currently is this layer's output.


def nchw_index(shape):
  """The NCHW view (1, C, H, W) of an (H, W, C) tensor."""
  h, w, c = shape
  return np.arange(h * w * c).reshape(1, h, w, c).transpose(0, 3, 1, 2)


def nhwc_index(shape):
  h, w, c = shape
  return np.arange(h * w * c).reshape(1, h, w, c)


def input_shape3(dims):
  """Runtime (H, W, C) of a Keras input shape without batch (as Keras)."""
  dims = tuple(int(d) for d in dims)
  if len(dims) == 3:
    return dims
  if len(dims) == 2:
    return (1,) + dims
  if len(dims) == 1:
    return (1, 1) + dims
  raise ValueError("Inputs of rank %d are not supported; the runtime takes "
                   "(H, W, C) maps and vectors." % (len(dims) + 1))


def _attrs(node):
  return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


class _Lowering:
  """One pass over the ONNX nodes in graph (topological) order."""

  def __init__(self, graph, keras_layers, model_name):
    self.graph = graph
    self.keras = dict(keras_layers or {})
    self.model_name = model_name
    self.values: Dict[str, object] = {}  # ONNX value -> _View | ndarray.
    self.shapes: Dict[str, Tuple[int, int, int]] = {}  # Runtime tensors.
    self.layers: Dict[str, _Pending] = {}
    self.consumers: Dict[str, int] = {}
    for node in graph.node:
      for name in node.input:
        if name:
          self.consumers[name] = self.consumers.get(name, 0) + 1
    for out in graph.output:
      self.consumers[out.name] = self.consumers.get(out.name, 0) + 1
    for init in graph.initializer:
      self.values[init.name] = numpy_helper.to_array(init)
    self.node = None

  # Errors and names.

  def keras_name(self, node):
    """The Keras layer a node came from (tf2onnx names carry its path).

    The node's name and outputs are searched first, then the names of its
    constant inputs (a fused bias keeps its layer's path).
    """
    constants = [n for n in node.input if self.const(n) is not None]
    for text in [node.name] + list(node.output) + constants:
      # tf2onnx paths are '<model>/<layer>/<op>': skip the model's scope.
      for part in text.split(":")[0].split("/")[1:]:
        if part in self.keras and part != ir.INPUT:
          return part
    return None

  def keras_name_from_graph(self, kind, source):
    """The unused Keras layer of `kind` that reads tensor `source`, if one.

    For nodes whose names lost the Keras path: Keras layers that the
    runtime folds away (activations, BatchNorm, reshapes) are walked back.
    """
    classes = _KERAS_CLASSES[kind]
    found = []
    for layer in self.keras.values():
      if layer.class_name not in classes or layer.name in self.layers:
        continue
      name = layer.inbound[0] if layer.inbound else None
      while (name in self.keras and name != source and
             self.keras[name].class_name in _FOLDED_KERAS_CLASSES and
             self.keras[name].inbound):
        name = self.keras[name].inbound[0]
      if name == source or (source == ir.INPUT and name in self.keras and
                            self.keras[name].class_name == "InputLayer"):
        found.append(layer.name)
    return found[0] if len(found) == 1 else None

  def error(self, message):
    node = self.node
    raise ValueError(
        "ONNX node %r (op %s, from Keras layer %r) of model %r: %s. Supported "
        "ONNX operators: %s." % (node.name, node.op_type,
                                 self.keras_name(node), self.model_name,
                                 message, ", ".join(SUPPORTED_OPS)))

  def spec_name(self, node, kind=None, source=None):
    """Runtime layer name: the Keras layer (BatchNorm maps to its input)."""
    name = self.keras_name(node)
    if name is None and kind in _KERAS_CLASSES:
      name = self.keras_name_from_graph(kind, source)
    if name is None:
      return node.name
    layer = self.keras[name]
    if layer.class_name == "BatchNormalization" and layer.inbound:
      name = layer.inbound[0]
    return name

  # Values.

  def const(self, name):
    value = self.values.get(name)
    return value if isinstance(value, np.ndarray) else None

  def view(self, name):
    value = self.values.get(name)
    if not isinstance(value, _View):
      self.error("input %r must be an activation, not a constant" % name)
    return value

  def full_view(self, name):
    """A view that holds every element of its tensor exactly once."""
    view = self.view(name)
    n = int(np.prod(self.shapes[view.tensor]))
    if view.index.size != n or not np.array_equal(np.sort(view.index.ravel()),
                                                  np.arange(n)):
      self.error("input %r is only part of tensor %r" % (name, view.tensor))
    return view

  def nchw_view(self, name):
    view = self.view(name)
    shape = self.shapes[view.tensor]
    if view.index.ndim != 4 or not np.array_equal(view.index,
                                                  nchw_index(shape)):
      self.error("input %r is not an NCHW image (shape %s)" %
                 (name, list(view.index.shape)))
    return view

  def per_channel(self, view, const, what):
    """A constant that broadcasts over a view as a (C,) per-channel vector."""
    try:
      full = np.broadcast_to(const, view.index.shape)
    except ValueError:
      self.error("%s of shape %s does not broadcast to the activation %s" %
                 (what, list(const.shape), list(view.index.shape)))
    shape = self.shapes[view.tensor]
    canonical = np.empty(int(np.prod(shape)), np.float64)
    canonical[view.index.ravel()] = full.ravel()
    canonical = canonical.reshape(shape)
    if not np.all(canonical == canonical[:1, :1, :]):
      self.error("%s varies across positions; only per-channel constants can "
                 "be folded" % what)
    return canonical[0, 0, :]

  # Layers.

  def emit(self, node, kind, inputs, output_shape, out_index, name=None,
           **kwargs):
    name = name or self.spec_name(node, kind, inputs[0])
    if name in self.layers or name == ir.INPUT:
      self.error("a second runtime layer would be named %r" % name)
    keras_layer = self.keras.get(name)
    layer = _Pending(
        name=name, kind=kind, inputs=tuple(inputs),
        input_shapes=kwargs.pop("input_shapes", None) or tuple(
            self.shapes[i] for i in inputs),
        output_shape=tuple(int(d) for d in output_shape),
        keras_index=keras_layer.index if keras_layer else None,
        tip=node.output[0], **kwargs)
    layer.nodes.append(node.name)
    self.layers[name] = layer
    self.shapes[name] = layer.output_shape
    self.values[node.output[0]] = _View(name, out_index)
    return layer

  def foldable(self, value_name, kinds):
    """The layer whose unmodified output `value_name` is, if it may change."""
    view = self.values.get(value_name)
    if not isinstance(view, _View) or view.tensor not in self.layers:
      return None
    layer = self.layers[view.tensor]
    if (layer.kind in kinds and layer.tip == value_name and
        layer.activation == "none" and self.consumers.get(value_name) == 1):
      return layer
    return None

  def fold(self, node, layer, scale=None, shift=None):
    """Folds y = x * scale + shift (per channel) into a layer's output."""
    if scale is not None:
      if not np.all(np.isfinite(scale)):
        self.error("the folded scale holds NaN or Inf")
      if layer.kind == "depthwise":
        layer.kernel = layer.kernel * scale[None, None, :, None]
      else:
        layer.kernel = layer.kernel * scale
      layer.bias = layer.bias * scale
    if shift is not None:
      layer.bias = layer.bias + shift
    self.alias(node, node.input[0])
    layer.tip = node.output[0]
    layer.nodes.append(node.name)

  def alias(self, node, source, index=None):
    view = self.view(source)
    self.values[node.output[0]] = _View(
        view.tensor, view.index if index is None else index)

  def run(self):
    inputs = [i for i in self.graph.input if i.name not in self.values]
    if len(inputs) != 1:
      raise ValueError("ONNX model %r has %d inputs; the runtime supports "
                       "one." % (self.model_name, len(inputs)))
    dims = [d.dim_value for d in inputs[0].type.tensor_type.shape.dim][1:]
    if not dims or any(d <= 0 for d in dims):
      raise ValueError("ONNX model %r: input %r has no fixed shape %s; give "
                       "the model a fixed input shape." %
                       (self.model_name, inputs[0].name, dims))
    shape = input_shape3(dims)
    self.shapes[ir.INPUT] = shape
    self.values[inputs[0].name] = _View(
        ir.INPUT, np.arange(int(np.prod(dims))).reshape([1] + dims))
    for node in self.graph.node:
      self.node = node
      rule = _RULES.get(node.op_type)
      if rule is None:
        self.error("operator %s is not supported" % node.op_type)
      rule(self, node, _attrs(node))
    return self.finish(tuple(dims))

  def finish(self, keras_input_shape):
    outputs = list(self.graph.output)
    if len(outputs) != 1:
      raise ValueError("ONNX model %r has %d outputs; the runtime supports "
                       "one." % (self.model_name, len(outputs)))
    view = self.values.get(outputs[0].name)
    if not isinstance(view, _View) or view.tensor == ir.INPUT:
      raise ValueError("ONNX model %r computes nothing the runtime can run." %
                       self.model_name)
    shape = self.shapes[view.tensor]
    if not np.array_equal(view.index.ravel(), np.arange(int(np.prod(shape)))):
      raise ValueError("ONNX model %r: the output is not in (H, W, C) order." %
                       self.model_name)
    layers = list(self.layers.values())
    if all(l.keras_index is not None for l in layers):
      layers.sort(key=lambda l: l.keras_index)  # Keras order, as the pruner.
    if layers[-1].name != view.tensor:
      raise ValueError("ONNX model %r: the output %r is not the last layer." %
                       (self.model_name, view.tensor))
    out = []
    for layer in layers:
      spec = layer_spec_lib.LayerSpec(
          name=layer.name, kind=layer.kind, input_shapes=layer.input_shapes,
          output_shape=layer.output_shape, kernel=layer.window,
          strides=layer.strides, pads=layer.pads,
          activation=layer.activation, inputs=layer.inputs)
      out.append(float_model.FloatLayer(spec, layer.kernel, layer.bias,
                                        tuple(layer.nodes)))
    return float_model.FloatModel(self.model_name, self.shapes[ir.INPUT],
                                  keras_input_shape, out)


# Rules: one per ONNX operator; each updates `lowering.values`.


def _constant(lowering, node, attrs):
  if "value" not in attrs:
    lowering.error("only tensor constants ('value') are supported")
  lowering.values[node.output[0]] = numpy_helper.to_array(attrs["value"])


def _identity(lowering, node, attrs):
  del attrs
  lowering.alias(node, node.input[0])


def _transpose(lowering, node, attrs):
  view = lowering.view(node.input[0])
  perm = attrs.get("perm", list(range(view.index.ndim))[::-1])
  if perm[0] != 0:
    lowering.error("a Transpose must keep the batch axis first")
  lowering.alias(node, node.input[0], view.index.transpose(perm))


def _reshape(lowering, node, attrs):
  view = lowering.view(node.input[0])
  shape = lowering.const(node.input[1]) if len(node.input) > 1 else None
  if shape is None:
    lowering.error("the target shape must be a constant")
  shape = [int(d) for d in shape]
  if attrs.get("allowzero", 0):
    lowering.error("allowzero=1 is not supported")
  shape = [view.index.shape[i] if d == 0 else d for i, d in enumerate(shape)]
  if shape[0] not in (1, -1):
    lowering.error("a Reshape must keep the batch axis first")
  try:
    index = view.index.reshape([1] + shape[1:])
  except ValueError:
    lowering.error("cannot reshape %s to %s" % (list(view.index.shape),
                                                shape))
  lowering.alias(node, node.input[0], index)


def _flatten(lowering, node, attrs):
  view = lowering.view(node.input[0])
  if attrs.get("axis", 1) != 1:
    lowering.error("only Flatten with axis=1 is supported")
  lowering.alias(node, node.input[0], view.index.reshape(1, -1))


def _axes(lowering, node, attrs):
  if "axes" in attrs:
    return list(attrs["axes"])
  axes = lowering.const(node.input[1]) if len(node.input) > 1 else None
  return None if axes is None else [int(a) for a in axes]


def _squeeze(lowering, node, attrs):
  view = lowering.view(node.input[0])
  axes = _axes(lowering, node, attrs)
  if axes is None:
    axes = [i for i, d in enumerate(view.index.shape) if d == 1 and i]
  axes = [a % view.index.ndim for a in axes]
  if 0 in axes:
    lowering.error("the batch axis cannot be squeezed")
  lowering.alias(node, node.input[0], np.squeeze(view.index, tuple(axes)))


def _unsqueeze(lowering, node, attrs):
  view = lowering.view(node.input[0])
  axes = _axes(lowering, node, attrs)
  if axes is None:
    lowering.error("Unsqueeze needs constant axes")
  ndim = view.index.ndim + len(axes)
  axes = sorted(a % ndim for a in axes)
  if 0 in axes:
    lowering.error("an axis cannot be inserted before the batch axis")
  lowering.alias(node, node.input[0], np.expand_dims(view.index, tuple(axes)))


def _window_pads(lowering, attrs, in_hw, kernel, strides):
  """(top, left, bottom, right) pads from ONNX pads / auto_pad."""
  auto_pad = attrs.get("auto_pad", b"NOTSET")
  auto_pad = auto_pad.decode() if isinstance(auto_pad, bytes) else auto_pad
  if auto_pad in ("NOTSET", ""):
    pads = list(attrs.get("pads", [0, 0, 0, 0]))
    if len(pads) != 4 or min(pads) < 0:
      lowering.error("pads %s are not 2-D non-negative pads" % pads)
    return pads[0], pads[1], pads[2], pads[3]
  if auto_pad == "VALID":
    return 0, 0, 0, 0
  if auto_pad in ("SAME_UPPER", "SAME_LOWER"):
    (t, b), (l, r) = (layer_spec_lib.same_pads(in_hw[i], kernel[i], strides[i])
                      for i in range(2))
    if auto_pad == "SAME_LOWER":
      t, b, l, r = b, t, r, l
    return t, l, b, r
  lowering.error("auto_pad %r is not supported" % auto_pad)


def _output_hw(in_hw, kernel, strides, pads):
  t, l, b, r = pads
  return (layer_spec_lib.conv_output_size(in_hw[0], kernel[0], strides[0], t,
                                          b),
          layer_spec_lib.conv_output_size(in_hw[1], kernel[1], strides[1], l,
                                          r))


def _check_finite(lowering, *arrays):
  for array in arrays:
    if array is not None and not np.all(np.isfinite(array)):
      lowering.error("the weights hold NaN or Inf values")


def _conv(lowering, node, attrs):
  view = lowering.nchw_view(node.input[0])
  weights = lowering.const(node.input[1])
  if weights is None or weights.ndim != 4:
    lowering.error("the weights must be a constant 4-D tensor (2-D "
                   "convolutions only)")
  bias = lowering.const(node.input[2]) if len(node.input) > 2 else None
  if len(node.input) > 2 and bias is None:
    lowering.error("the bias must be a constant")
  _check_finite(lowering, weights, bias)
  h, w, c = lowering.shapes[view.tensor]
  m, c_per_group, kh, kw = weights.shape
  if any(d != 1 for d in attrs.get("dilations", [1, 1])):
    lowering.error("dilated convolutions are not supported")
  group = attrs.get("group", 1)
  if group == 1 and c_per_group == c:
    kind = "conv"
    kernel = weights.transpose(2, 3, 1, 0)  # (KH, KW, C, M)
  elif group == c and c_per_group == 1 and m == c:
    kind = "depthwise"
    kernel = weights.transpose(2, 3, 0, 1)  # (KH, KW, C, 1)
  else:
    lowering.error("grouped convolutions (group=%d, %d input channels, %d "
                   "filters) are not supported; only group=1 and depthwise "
                   "with multiplier 1" % (group, c, m))
  strides = tuple(attrs.get("strides", [1, 1]))
  pads = _window_pads(lowering, attrs, (h, w), (kh, kw), strides)
  oh, ow = _output_hw((h, w), (kh, kw), strides, pads)
  lowering.emit(node, kind, (view.tensor,), (oh, ow, m),
                nchw_index((oh, ow, m)), kernel=kernel.astype(np.float64),
                bias=(np.zeros(m) if bias is None else bias).astype(
                    np.float64), window=(kh, kw), strides=strides, pads=pads)


def _dense(lowering, node, activation, weights, bias):
  view = lowering.full_view(activation)
  if view.index.ndim != 2:
    lowering.error("the input must be a (batch, features) matrix, not %s" %
                   list(view.index.shape))
  _check_finite(lowering, weights, bias)
  k, m = weights.shape
  if view.index.shape[1] != k:
    lowering.error("the weights %s do not match %d inputs" %
                   (list(weights.shape), view.index.shape[1]))
  # Row r of the weights multiplies input position index[r] of the tensor.
  kernel = np.zeros((k, m), np.float64)
  kernel[view.index[0]] = weights
  lowering.emit(node, "dense", (view.tensor,), (1, 1, m),
                np.arange(m).reshape(1, m), kernel=kernel,
                bias=(np.zeros(m) if bias is None else
                      np.broadcast_to(bias, (m,))).astype(np.float64),
                input_shapes=((1, 1, k),))


def _matmul(lowering, node, attrs):
  del attrs
  weights = lowering.const(node.input[1])
  if weights is None or weights.ndim != 2:
    lowering.error("the second operand must be a constant matrix")
  _dense(lowering, node, node.input[0], weights, None)


def _gemm(lowering, node, attrs):
  weights = lowering.const(node.input[1])
  bias = lowering.const(node.input[2]) if len(node.input) > 2 else None
  if weights is None or (len(node.input) > 2 and bias is None):
    lowering.error("the weights and bias must be constants")
  if attrs.get("transA", 0):
    lowering.error("transA=1 is not supported")
  if attrs.get("transB", 0):
    weights = weights.T
  weights = weights * attrs.get("alpha", 1.0)
  if bias is not None:
    bias = bias * attrs.get("beta", 1.0)
    if bias.size not in (1, weights.shape[1]):
      lowering.error("the bias must be a per-output vector")
    bias = np.broadcast_to(bias.reshape(-1), (weights.shape[1],))
  _dense(lowering, node, node.input[0], weights, bias)


def _binary_const(lowering, node):
  """(activation input, constant) of a binary node, or None."""
  a, b = node.input
  if lowering.const(b) is not None and lowering.const(a) is None:
    return a, lowering.const(b)
  if lowering.const(a) is not None and lowering.const(b) is None:
    return b, lowering.const(a)
  return None


def _fold_target(lowering, source, what):
  layer = lowering.foldable(source, _FOLDABLE_KINDS)
  if layer is None:
    lowering.error("%s can only be folded into the output of a Conv or "
                   "Gemm/MatMul that has no other consumer and no activation"
                   % what)
  return layer


def _add(lowering, node, attrs):
  del attrs
  pair = _binary_const(lowering, node)
  if pair is not None:
    source, const = pair
    layer = _fold_target(lowering, source, "adding a constant (a bias)")
    shift = lowering.per_channel(lowering.view(source), const, "the addend")
    lowering.fold(node, layer, shift=shift)
    return
  _sum(lowering, node, None)


def _sum(lowering, node, attrs):
  """Element-wise sum of activations: one add layer (chains merged)."""
  del attrs
  views = [lowering.full_view(name) for name in node.input]
  for view in views[1:]:
    if (lowering.shapes[view.tensor] != lowering.shapes[views[0].tensor] or
        not np.array_equal(view.index, views[0].index)):
      lowering.error("the operands are not element-wise compatible")
  name = lowering.spec_name(node)
  # Keras Add of n inputs becomes a chain of ONNX Adds: merge it back.
  previous = lowering.foldable(node.input[0], ("add",))
  if previous is not None and previous.name == name:
    previous.inputs += tuple(v.tensor for v in views[1:])
    previous.input_shapes += tuple(lowering.shapes[v.tensor]
                                   for v in views[1:])
    lowering.alias(node, node.input[0])
    previous.tip = node.output[0]
    previous.nodes.append(node.name)
    return
  shape = lowering.shapes[views[0].tensor]
  lowering.emit(node, "add", [v.tensor for v in views], shape,
                views[0].index, name=name)


def _sub(lowering, node, attrs):
  del attrs
  if lowering.const(node.input[1]) is None:
    lowering.error("only subtracting a constant (a bias) is supported")
  source, const = node.input[0], lowering.const(node.input[1])
  layer = _fold_target(lowering, source, "subtracting a constant")
  lowering.fold(node, layer, shift=-lowering.per_channel(
      lowering.view(source), const, "the subtrahend"))


def _mul(lowering, node, attrs):
  del attrs
  pair = _binary_const(lowering, node)
  if pair is None:
    lowering.error("only multiplying by a constant (a scale) is supported")
  source, const = pair
  layer = _fold_target(lowering, source, "multiplying by a constant")
  lowering.fold(node, layer, scale=lowering.per_channel(
      lowering.view(source), const, "the scale"))


def _batchnorm(lowering, node, attrs):
  if attrs.get("training_mode", 0):
    lowering.error("training-mode BatchNormalization is not supported")
  view = lowering.view(node.input[0])
  params = [lowering.const(n) for n in node.input[1:5]]
  if any(p is None for p in params):
    lowering.error("scale, bias, mean and variance must be constants")
  gamma, beta, mean, var = (p.astype(np.float64) for p in params)
  scale = gamma / np.sqrt(var + attrs.get("epsilon", 1e-5))
  shape = [1] * view.index.ndim
  if view.index.ndim < 2:
    lowering.error("the input has no channel axis")
  shape[1] = -1
  layer = _fold_target(lowering, node.input[0], "BatchNormalization")
  lowering.fold(node, layer,
                scale=lowering.per_channel(view, scale.reshape(shape),
                                           "the scale"),
                shift=lowering.per_channel(view, (beta - mean * scale).reshape(
                    shape), "the shift"))


def _relu(lowering, node, attrs):
  del attrs
  layer = lowering.foldable(node.input[0], _RELU_FUSABLE_KINDS)
  if layer is not None:
    layer.activation = "relu"
    lowering.alias(node, node.input[0])
    layer.tip = node.output[0]
    layer.nodes.append(node.name)
    return
  view = lowering.full_view(node.input[0])
  lowering.emit(node, "relu", (view.tensor,), lowering.shapes[view.tensor],
                view.index)


def _pool(lowering, node, attrs):
  kind = {"MaxPool": "maxpool", "AveragePool": "avgpool"}[node.op_type]
  view = lowering.nchw_view(node.input[0])
  if len(node.output) > 1 and node.output[1]:
    lowering.error("the Indices output is not supported")
  if attrs.get("ceil_mode", 0):
    lowering.error("ceil_mode=1 is not supported")
  if any(d != 1 for d in attrs.get("dilations", [1, 1])):
    lowering.error("dilated pooling is not supported")
  if attrs.get("storage_order", 0):
    lowering.error("storage_order=1 is not supported")
  h, w, c = lowering.shapes[view.tensor]
  kernel = tuple(attrs["kernel_shape"])
  if len(kernel) != 2:
    lowering.error("only 2-D pooling is supported")
  strides = tuple(attrs.get("strides", [1, 1]))
  pads = _window_pads(lowering, attrs, (h, w), kernel, strides)
  if kind == "avgpool" and attrs.get("count_include_pad", 0) and any(pads):
    lowering.error("count_include_pad=1 is not supported (the runtime "
                   "averages the in-bounds values)")
  oh, ow = _output_hw((h, w), kernel, strides, pads)
  lowering.emit(node, kind, (view.tensor,), (oh, ow, c),
                nchw_index((oh, ow, c)), window=kernel, strides=strides,
                pads=pads)


def _global_average_pool(lowering, node, attrs):
  del attrs
  view = lowering.nchw_view(node.input[0])
  c = lowering.shapes[view.tensor][2]
  lowering.emit(node, "gap", (view.tensor,), (1, 1, c), nchw_index((1, 1, c)))


def _reduce_mean(lowering, node, attrs):
  view = lowering.view(node.input[0])
  shape = lowering.shapes[view.tensor]
  axes = _axes(lowering, node, attrs)
  keepdims = attrs.get("keepdims", 1)
  c = shape[2]
  if (view.index.ndim == 4 and np.array_equal(view.index, nchw_index(shape))
      and sorted(a % 4 for a in axes or []) == [2, 3]):
    out = nchw_index((1, 1, c)) if keepdims else np.arange(c).reshape(1, c)
  elif (view.index.ndim == 4 and np.array_equal(view.index, nhwc_index(shape))
        and sorted(a % 4 for a in axes or []) == [1, 2]):
    out = nhwc_index((1, 1, c)) if keepdims else np.arange(c).reshape(1, c)
  else:
    lowering.error("only a mean over the spatial axes (global average "
                   "pooling) is supported")
  lowering.emit(node, "gap", (view.tensor,), (1, 1, c), out)


def _concat(lowering, node, attrs):
  views = [lowering.view(name) for name in node.input]
  axis = attrs.get("axis")
  ndim = views[0].index.ndim
  shapes = [lowering.shapes[v.tensor] for v in views]
  if ndim == 4 and axis % 4 == 1:
    for name in node.input:
      lowering.nchw_view(name)
  elif ndim == 2 and axis % 2 == 1 and all(s[:2] == (1, 1) for s in shapes):
    for view, shape in zip(views, shapes):
      if not np.array_equal(view.index.ravel(), np.arange(shape[2])):
        lowering.error("the operands are not in channel order")
  else:
    lowering.error("only a concatenation of channels is supported")
  if len({s[:2] for s in shapes}) != 1:
    lowering.error("the operands differ in height or width")
  out = shapes[0][:2] + (sum(s[2] for s in shapes),)
  index = nchw_index(out) if ndim == 4 else np.arange(out[2]).reshape(1, -1)
  lowering.emit(node, "concat", [v.tensor for v in views], out, index)


def _softmax(lowering, node, attrs):
  del attrs
  view = lowering.view(node.input[0])
  if node.output[0] not in {o.name for o in lowering.graph.output}:
    lowering.error("Softmax is only supported as the last operation (it is "
                   "dropped: the runtime reports argmax)")
  if lowering.shapes[view.tensor][:2] != (1, 1):
    lowering.error("Softmax over a spatial map is not supported")
  lowering.alias(node, node.input[0])


_RULES: Mapping[str, Callable] = {
    "Add": _add,
    "AveragePool": _pool,
    "BatchNormalization": _batchnorm,
    "Concat": _concat,
    "Constant": _constant,
    "Conv": _conv,
    "Dropout": _identity,
    "Flatten": _flatten,
    "Gemm": _gemm,
    "GlobalAveragePool": _global_average_pool,
    "Identity": _identity,
    "MatMul": _matmul,
    "MaxPool": _pool,
    "Mul": _mul,
    "ReduceMean": _reduce_mean,
    "Relu": _relu,
    "Reshape": _reshape,
    "Softmax": _softmax,
    "Squeeze": _squeeze,
    "Sub": _sub,
    "Sum": _sum,
    "Transpose": _transpose,
    "Unsqueeze": _unsqueeze,
}

SUPPORTED_OPS = tuple(sorted(_RULES))


def lower(onnx_model, keras_layers=None, name=None):
  """Lowers an ONNX model to the runtime's layers.

  Args:
    onnx_model: An onnx.ModelProto (tf2onnx output of a Keras model).
    keras_layers: {name: keras_to_onnx.KerasLayer} of the Keras model it came
      from: runtime layers are named and ordered after them. Without it,
      layers are named after the ONNX nodes, in graph order.
    name: Model name for messages; default the ONNX graph name.

  Returns:
    A `float_model.FloatModel`.

  Raises:
    ValueError: naming the first ONNX node (op type, Keras layer) the
      runtime cannot execute, before any data is touched.
  """
  name = name or onnx_model.graph.name
  return _Lowering(onnx_model.graph, keras_layers, name).run()
