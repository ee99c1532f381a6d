"""Framework-neutral layer geometry, and its extraction from Keras models.

A `LayerSpec` is what the hardware model needs to know about a layer of the
runtime's operator set: its kind, tensor shapes (height, width, channels;
batch 1, channels last) and window geometry. The pruner builds specs from
Keras models (`specs_from_keras`), the exporter from its lowered graph; both
then ask the same tile planner and criterion.

Kinds:
  conv       Conv2D (any stride and padding, no dilation or groups).
  depthwise  DepthwiseConv2D with depth multiplier 1.
  dense      A fully connected layer on the flattened (H, W, C) input.
  maxpool, avgpool, gap   Pooling (gap = global average pooling).
  add, concat             Element-wise sum / channel concatenation.
  relu                    A ReLU that could not be fused into its producer.
BatchNormalization is folded into the preceding conv/dense/depthwise; ReLU
into its producer when that is the only consumer; Flatten, Reshape,
Dropout, Softmax and the input layer are not layers of the runtime.
"""
import dataclasses
from typing import Tuple

import numpy as np

from tf_iprune.legacy_keras import keras

PRUNABLE_KINDS = ("conv", "depthwise", "dense")
CPU_KINDS = ("maxpool", "avgpool", "gap", "add", "concat", "relu")
KINDS = PRUNABLE_KINDS + CPU_KINDS
ACTIVATIONS = ("none", "relu")

Shape = Tuple[int, int, int]


@dataclasses.dataclass(frozen=True)
class LayerSpec:
  """Geometry of one runtime layer.

  Attributes:
    name: Name of the Keras layer it comes from.
    kind: One of KINDS.
    input_shapes: (H, W, C) of each input.
    output_shape: (H, W, C) of the output.
    kernel: (KH, KW) window; (1, 1) for dense and element-wise kinds.
    strides: (SH, SW).
    pads: (top, left, bottom, right) zero padding of the input.
    activation: 'none' or 'relu', applied to the output.
    inputs: Names of the specs (or 'input') that produce the inputs.
  """
  name: str
  kind: str
  input_shapes: Tuple[Shape, ...]
  output_shape: Shape
  kernel: Tuple[int, int] = (1, 1)
  strides: Tuple[int, int] = (1, 1)
  pads: Tuple[int, int, int, int] = (0, 0, 0, 0)
  activation: str = "none"
  inputs: Tuple[str, ...] = ()

  def __post_init__(self):
    if self.kind not in KINDS:
      raise ValueError("Layer %r: unknown kind %r; supported kinds: %s." %
                       (self.name, self.kind, ", ".join(KINDS)))
    if self.activation not in ACTIVATIONS:
      raise ValueError("Layer %r: activation %r is not supported; supported: "
                       "%s." % (self.name, self.activation,
                                ", ".join(ACTIVATIONS)))

  @property
  def prunable(self):
    return self.kind in PRUNABLE_KINDS

  @property
  def in_channels(self):
    """Channels the accelerator reduces over (dense: the flattened input)."""
    h, w, c = self.input_shapes[0]
    return h * w * c if self.kind == "dense" else c

  @property
  def out_channels(self):
    return self.output_shape[2]

  @property
  def out_pixels(self):
    """Output positions one filter produces (1 for dense)."""
    h, w, _ = self.output_shape
    return h * w

  @property
  def kernel_shape(self):
    """Shape of the Keras kernel of a prunable layer."""
    kh, kw = self.kernel
    if self.kind == "conv":
      return (kh, kw, self.in_channels, self.out_channels)
    if self.kind == "depthwise":
      return (kh, kw, self.in_channels, 1)
    if self.kind == "dense":
      return (self.in_channels, self.out_channels)
    raise ValueError("Layer %r (%s) has no kernel." % (self.name, self.kind))

  @property
  def num_weights(self):
    """Kernel weights (biases excluded); 0 for CPU layers."""
    return int(np.prod(self.kernel_shape)) if self.prunable else 0

  @property
  def num_biases(self):
    return self.out_channels if self.prunable else 0

  @property
  def macs(self):
    """Dense multiply-accumulates."""
    if not self.prunable:
      return 0
    kh, kw = self.kernel
    per_output = self.in_channels * (1 if self.kind == "dense" else kh * kw)
    if self.kind == "depthwise":
      per_output = kh * kw
    return self.out_pixels * self.out_channels * per_output


def same_pads(in_size, kernel, stride):
  """TensorFlow 'SAME' padding (before, after) along one dimension."""
  out = -(-in_size // stride)
  total = max((out - 1) * stride + kernel - in_size, 0)
  return total // 2, total - total // 2


def conv_output_size(in_size, kernel, stride, pad_before, pad_after):
  return (in_size + pad_before + pad_after - kernel) // stride + 1


def _shape3(shape, layer_name):
  """(H, W, C) of a Keras tensor shape (batch first); vectors are (1, 1, N)."""
  dims = tuple(shape[1:])
  if any(d is None for d in dims):
    raise ValueError("Layer %r: tensor shape %s is not fully defined; give "
                     "the model a fixed input shape." % (layer_name, shape))
  if len(dims) == 3:
    return dims
  if len(dims) == 1:
    return (1, 1, dims[0])
  if len(dims) == 2:
    return (1, dims[0], dims[1])
  raise ValueError("Layer %r: tensors of rank %d are not supported (the "
                   "runtime works on (H, W, C) maps and vectors)." %
                   (layer_name, len(shape)))


def _unwrap(layer):
  """The layer inside a pruning (or other) wrapper."""
  while isinstance(layer, keras.layers.Wrapper):
    layer = layer.layer
  return layer


def _inbound_layers(layer, model):
  """The layers feeding `layer` in `model` (a layer may also sit in other
  models, e.g. after tfmot's strip_pruning)."""
  # pylint: disable=protected-access
  nodes = [node for i, node in enumerate(layer.inbound_nodes)
           if "%s_ib-%d" % (layer.name, i) in model._network_nodes]
  if len(nodes) != 1:
    raise ValueError("Layer %r is used %d times; shared layers are not "
                     "supported." % (layer.name, len(nodes)))
  inbound = nodes[0].inbound_layers
  return list(inbound) if isinstance(inbound, (list, tuple)) else [inbound]


def _activation_name(layer):
  """'none' / 'relu' / 'softmax' for a layer's built-in activation."""
  act = getattr(layer, "activation", None)
  if act is None:
    return "none"
  name = getattr(act, "__name__", str(act))
  return {"linear": "none"}.get(name, name)


def _window(layer, keras_in_shape, kernel, strides, padding, pending_pads):
  """Runtime input shape and pads of a windowed layer.

  `keras_in_shape` already includes any ZeroPadding2D in front of the layer
  (`pending_pads`); the runtime reads the unpadded tensor and pads on the fly.
  """
  h, w, c = keras_in_shape
  if padding == "same":
    pt, pb = same_pads(h, kernel[0], strides[0])
    pl, pr = same_pads(w, kernel[1], strides[1])
  elif padding == "valid":
    pt = pb = pl = pr = 0
  else:
    raise ValueError("Layer %r: padding %r is not supported (use 'same' or "
                     "'valid')." % (layer.name, padding))
  t, l, b, r = pending_pads
  return (h - t - b, w - l - r, c), (pt + t, pl + l, pb + b, pr + r)


class _Extractor:
  """Walks a Keras model in topological order and emits LayerSpecs."""

  def __init__(self, model):
    self.model = model
    self.specs = []
    # Keras layer name -> (spec name producing its output, pending pads).
    self.source = {}
    self.consumers = {}
    for layer in model.layers:
      if isinstance(layer, keras.layers.InputLayer):
        continue
      for inbound in _inbound_layers(layer, model):
        self.consumers.setdefault(inbound.name, []).append(layer.name)

  def _spec_by_name(self, name):
    for i, spec in enumerate(self.specs):
      if spec.name == name:
        return i, spec
    return None, None

  def _source_of(self, layer, index=0):
    inbound = _inbound_layers(layer, self.model)[index]
    if isinstance(inbound, keras.layers.InputLayer):
      return "input", (0, 0, 0, 0)
    return self.source[inbound.name]

  def _fuse_activation(self, layer, act):
    """Fuses a ReLU into the spec that produced `layer`'s input if possible."""
    src, pads = self._source_of(layer)
    i, spec = self._spec_by_name(src)
    inbound = _inbound_layers(layer, self.model)[0]
    if (spec is not None and spec.activation == "none" and
        spec.kind in ("conv", "depthwise", "dense", "add") and
        len(self.consumers.get(inbound.name, [])) == 1 and
        not any(pads)):
      self.specs[i] = dataclasses.replace(spec, activation=act)
      self.source[layer.name] = (src, pads)
      return True
    return False

  def _add(self, layer, spec_kwargs):
    # Named after the wrapped layer, so pruning does not rename layers.
    spec = LayerSpec(name=_unwrap(layer).name, **spec_kwargs)
    self.specs.append(spec)
    self.source[layer.name] = (spec.name, (0, 0, 0, 0))
    act = _activation_name(_unwrap(layer))
    if act == "relu" and spec.kind in PRUNABLE_KINDS:
      self.specs[-1] = dataclasses.replace(spec, activation="relu")
    elif act not in ("none", "softmax"):
      raise ValueError("Layer %r: activation %r is not supported by the "
                       "runtime; supported: relu (softmax only at the end)." %
                       (layer.name, act))

  def run(self):
    # pylint: disable=too-many-branches
    for wrapped in self.model.layers:
      layer = _unwrap(wrapped)
      if isinstance(layer, keras.layers.InputLayer):
        continue
      name = wrapped.name
      in_shapes = [_shape3(s, name) for s in _as_list(wrapped.input_shape)]
      out_shape = _shape3(wrapped.output_shape, name)
      src, pads = self._source_of(wrapped)
      if isinstance(layer, keras.layers.ZeroPadding2D):
        (t, b), (l, r) = layer.padding
        self.source[name] = (src, (pads[0] + t, pads[1] + l, pads[2] + b,
                                   pads[3] + r))
      # Exact types: subclasses such as Conv2DTranspose compute otherwise.
      elif type(layer) in (keras.layers.Conv2D,  # pylint: disable=unidiomatic-typecheck
                           keras.layers.DepthwiseConv2D):
        self._conv(wrapped, layer, in_shapes[0], out_shape, src, pads)
      elif type(layer) is keras.layers.Dense:  # pylint: disable=unidiomatic-typecheck
        if len(_as_list(wrapped.input_shape)[0]) != 2:
          raise ValueError(
              "Layer %r: Dense on a rank-%d tensor is not supported; flatten "
              "first." % (name, len(_as_list(wrapped.input_shape)[0])))
        self._add(wrapped, dict(kind="dense", input_shapes=(in_shapes[0],),
                                output_shape=out_shape, inputs=(src,)))
      elif isinstance(layer, keras.layers.BatchNormalization):
        self._fold_batchnorm(wrapped, src, pads)
      elif isinstance(layer, keras.layers.ReLU) or (
          isinstance(layer, keras.layers.Activation) and
          _activation_name(layer) == "relu"):
        if isinstance(layer, keras.layers.ReLU) and (
            layer.max_value is not None or float(layer.negative_slope) != 0 or
            float(layer.threshold) != 0):
          raise ValueError("Layer %r: only a plain ReLU is supported (no "
                           "max_value, negative_slope or threshold)." % name)
        if not self._fuse_activation(wrapped, "relu"):
          self._add(wrapped, dict(kind="relu", input_shapes=(in_shapes[0],),
                                  output_shape=out_shape, inputs=(src,)))
      elif isinstance(layer, (keras.layers.MaxPooling2D,
                              keras.layers.AveragePooling2D)):
        kind = ("maxpool" if isinstance(layer, keras.layers.MaxPooling2D)
                else "avgpool")
        in_shape, win_pads = _window(layer, in_shapes[0], layer.pool_size,
                                     layer.strides, layer.padding, pads)
        self._add(wrapped, dict(kind=kind, input_shapes=(in_shape,),
                                output_shape=out_shape,
                                kernel=tuple(layer.pool_size),
                                strides=tuple(layer.strides), pads=win_pads,
                                inputs=(src,)))
      elif isinstance(layer, keras.layers.GlobalAveragePooling2D):
        self._add(wrapped, dict(kind="gap", input_shapes=(in_shapes[0],),
                                output_shape=out_shape, inputs=(src,)))
      elif isinstance(layer, (keras.layers.Add, keras.layers.Concatenate)):
        self._merge(wrapped, layer, in_shapes, out_shape)
      elif isinstance(layer, (keras.layers.Flatten, keras.layers.Reshape,
                              keras.layers.Dropout, keras.layers.Softmax)) or (
                                  isinstance(layer, keras.layers.Activation) and
                                  _activation_name(layer) in ("softmax",
                                                              "none")):
        self.source[name] = (src, pads)
      else:
        raise ValueError(
            "Layer %r of type %s is not supported by the runtime. Supported: "
            "Conv2D, DepthwiseConv2D, Dense, BatchNormalization, ReLU, "
            "MaxPooling2D, AveragePooling2D, GlobalAveragePooling2D, Add, "
            "Concatenate, ZeroPadding2D, Flatten, Reshape, Dropout, Softmax." %
            (name, type(layer).__name__))
      if any(self.source.get(name, (None, (0,)))[1]) and not isinstance(
          layer, keras.layers.ZeroPadding2D):
        raise ValueError("Layer %r follows a ZeroPadding2D; only Conv2D, "
                         "DepthwiseConv2D and pooling can absorb padding." %
                         name)
    return self.specs

  def _conv(self, wrapped, layer, in_shape, out_shape, src, pads):
    name = wrapped.name
    if tuple(layer.dilation_rate) != (1, 1):
      raise ValueError("Layer %r: dilated convolutions are not supported." %
                       name)
    depthwise = isinstance(layer, keras.layers.DepthwiseConv2D)
    if depthwise and layer.depth_multiplier != 1:
      raise ValueError("Layer %r: DepthwiseConv2D needs depth_multiplier 1." %
                       name)
    if not depthwise and getattr(layer, "groups", 1) != 1:
      raise ValueError("Layer %r: grouped convolutions are not supported." %
                       name)
    if len(layer.kernel_size) != 2 or layer.data_format != "channels_last":
      raise ValueError("Layer %r: only 2-D channels_last convolutions are "
                       "supported." % name)
    in_shape, win_pads = _window(layer, in_shape, layer.kernel_size,
                                 layer.strides, layer.padding, pads)
    self._add(wrapped, dict(kind="depthwise" if depthwise else "conv",
                            input_shapes=(in_shape,), output_shape=out_shape,
                            kernel=tuple(layer.kernel_size),
                            strides=tuple(layer.strides), pads=win_pads,
                            inputs=(src,)))

  def _fold_batchnorm(self, wrapped, src, pads):
    i, spec = self._spec_by_name(src)
    inbound = _inbound_layers(wrapped, self.model)[0]
    if (spec is None or spec.kind not in PRUNABLE_KINDS or
        spec.activation != "none" or any(pads) or
        len(self.consumers.get(inbound.name, [])) != 1):
      raise ValueError(
          "Layer %r: BatchNormalization must directly follow a Conv2D, "
          "DepthwiseConv2D or Dense layer (with no activation in between) to "
          "be folded into it." % wrapped.name)
    del i
    self.source[wrapped.name] = (src, pads)

  def _merge(self, wrapped, layer, in_shapes, out_shape):
    name = wrapped.name
    sources = []
    for index in range(len(in_shapes)):
      src, pads = self._source_of(wrapped, index)
      if any(pads):
        raise ValueError("Layer %r: padding before a merge is not supported." %
                         name)
      sources.append(src)
    if isinstance(layer, keras.layers.Concatenate):
      if layer.axis not in (-1, 3):
        raise ValueError("Layer %r: Concatenate must join channels (axis -1)."
                         % name)
      kind = "concat"
    else:
      kind = "add"
    self._add(wrapped, dict(kind=kind, input_shapes=tuple(in_shapes),
                            output_shape=out_shape, inputs=tuple(sources)))


def _as_list(shape):
  if isinstance(shape, list):
    return shape
  return [shape]


def specs_from_keras(model) -> Tuple[LayerSpec, ...]:
  """Runtime layers of a built `tf_keras` model, in execution order.

  Pruning wrappers are looked through, so a model being pruned gives the
  same specs as the stripped one.

  Args:
    model: A built Sequential or Functional tf_keras model with a fixed input
      shape (batch dimension excepted).

  Returns:
    A tuple of LayerSpec.

  Raises:
    ValueError: naming the first layer the runtime cannot execute.
  """
  if not model.built:
    raise ValueError("Model %r is not built; give it an input shape." %
                     model.name)
  return tuple(_Extractor(model).run())


def prunable_keras_layers(model):
  """Keras layers (possibly wrapped) of the prunable specs, by spec name."""
  return {_unwrap(l).name: l for l in model.layers
          if type(_unwrap(l)) in (keras.layers.Conv2D, keras.layers.Dense,  # pylint: disable=unidiomatic-typecheck
                                  keras.layers.DepthwiseConv2D)}
