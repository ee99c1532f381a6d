"""Keras -> ONNX with tf2onnx, plus what the lowering needs from Keras.

Pruning wrappers are stripped first. The ONNX graph is the source of what
the runtime executes; from the Keras model the lowering only takes layer
names and types (`keras_layers`), to name runtime layers after Keras layers
and to map an ONNX node back to the Keras layer it came from.
"""
import dataclasses
import re
from typing import Dict, Tuple

import numpy as np
import onnx
import tensorflow as tf
import tensorflow_model_optimization as tfmot
import tf2onnx

from tf_iprune.legacy_keras import keras

OPSET = 13
INPUT_NAME = "input"


@dataclasses.dataclass(frozen=True)
class KerasLayer:
  """What the lowering knows about a Keras layer."""
  name: str
  class_name: str
  inbound: Tuple[str, ...]
  index: int  # Position in model.layers (a topological order).


def strip(model):
  """The model without pruning wrappers (a copy if it had any)."""
  if any(isinstance(l, keras.layers.Wrapper) for l in model.layers):
    return tfmot.sparsity.keras.strip_pruning(model)
  return model


def check_input(model):
  """Raises ValueError unless the model has one fully defined input."""
  if not model.built or not model.inputs:
    raise ValueError("Model %r has no input shape; build it with a fixed "
                     "input shape (keras.Input(shape=...))." % model.name)
  if len(model.inputs) != 1 or len(model.outputs) != 1:
    raise ValueError("Model %r has %d inputs and %d outputs; the runtime "
                     "supports one of each." %
                     (model.name, len(model.inputs), len(model.outputs)))
  shape = tuple(model.inputs[0].shape)[1:]
  if not shape or any(d is None for d in shape):
    raise ValueError("Model %r has no fixed input shape (%s); give it one "
                     "with keras.Input(shape=...)." %
                     (model.name, tuple(model.inputs[0].shape)))
  return shape


def keras_layers(model) -> Dict[str, KerasLayer]:
  """{layer name: KerasLayer} of a (stripped) functional model."""
  layers = {}
  for index, layer in enumerate(model.layers):
    inbound = []
    for node in layer.inbound_nodes:
      nodes = node.inbound_layers
      nodes = nodes if isinstance(nodes, (list, tuple)) else [nodes]
      inbound.extend(l.name for l in nodes)
    layers[layer.name] = KerasLayer(layer.name, type(layer).__name__,
                                    tuple(inbound), index)
  return layers


def _check_weights(model):
  for weight in model.weights:
    if not np.all(np.isfinite(weight.numpy())):
      raise ValueError("Model %r: weight %r holds NaN or Inf values." %
                       (model.name, weight.name))


def canonicalize(proto):
  """Renames what tf2onnx names non-deterministically, in place.

  tf2onnx numbers the nodes it creates with a process-wide counter
  ('Conv__95') and gives a constant shared by several nodes the name of one
  of them, picked in hash order. Counters are renumbered in graph order and
  every initializer is named after its first consumer, so the same Keras
  model always gives the same bytes. Keras layer paths in names are kept.
  """
  graph = proto.graph
  inits = {i.name for i in graph.initializer}
  first_use = {}
  for node in graph.node:
    for slot, name in enumerate(node.input):
      if name in inits and name not in first_use:
        first_use[name] = "%s/const%d" % (node.name, slot)
  numbers = {}

  def renumber(text):
    return re.sub(r"__(\d+)", lambda m: "__%d" % numbers.setdefault(
        m.group(1), len(numbers) + 1), text)

  def rename(name):
    return renumber(first_use.get(name, name)) if name else name

  for node in graph.node:
    node.name = renumber(node.name)
    node.input[:] = [rename(n) for n in node.input]
    node.output[:] = [rename(n) for n in node.output]
  for value in list(graph.input) + list(graph.output) + list(
      graph.value_info):
    value.name = rename(value.name)
    for dim in value.type.tensor_type.shape.dim:
      if dim.HasField("dim_param"):
        dim.dim_param = renumber(dim.dim_param)
  for init in graph.initializer:
    init.name = rename(init.name)
  unused = [i for i in graph.initializer if i.name in inits]
  for init in unused:  # Initializers no node reads.
    graph.initializer.remove(init)
  graph.initializer.sort(key=lambda i: i.name)
  return proto


def convert(model):
  """Converts a tf_keras model to ONNX.

  Args:
    model: A built tf_keras model with one input of fixed shape; pruning
      wrappers are stripped.

  Returns:
    (onnx.ModelProto checked by onnx.checker, the stripped Keras model).

  Raises:
    ValueError: if the model has no fixed input shape, several inputs or
      outputs, or NaN/Inf weights.
  """
  model = strip(model)
  shape = check_input(model)
  _check_weights(model)
  signature = (tf.TensorSpec((None,) + shape, tf.float32, name=INPUT_NAME),)
  proto, _ = tf2onnx.convert.from_keras(model, input_signature=signature,
                                        opset=OPSET)
  canonicalize(proto)
  onnx.checker.check_model(proto, full_check=True)
  return proto, model
