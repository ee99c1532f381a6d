"""Small helpers on tf_keras models shared by the pruning modules."""
from tf_iprune.legacy_keras import keras


def copy_model(model, clone_function=None):
  """An independent copy of a model: new layers, same weights.

  tfmot's wrap and strip reuse layer objects between models; the hardware
  model (`specs_from_keras`) rejects a layer that belongs to two models.

  Args:
    model: The model to copy.
    clone_function: layer -> new layer, as for `keras.models.clone_model`
      (None: a layer of the same config); it must keep the weights' shapes.
  """
  copy = keras.models.clone_model(model, clone_function=clone_function)
  copy.set_weights(model.get_weights())
  return copy


def unwrap(layer):
  while isinstance(layer, keras.layers.Wrapper):
    layer = layer.layer
  return layer


def clone_wrapped(model, wrap):
  """A copy of `model` whose layers pass through `wrap(copy) -> layer`.

  Every layer is a fresh copy with the original's weights (wrappers get
  their inner layer's weights), so nothing is shared with `model`.
  """
  clone = keras.models.clone_model(
      model, input_tensors=None,
      clone_function=lambda l: wrap(l.__class__.from_config(l.get_config())))
  originals = {layer.name: layer for layer in model.layers}
  for layer in clone.layers:
    inner = unwrap(layer)
    if inner.weights:
      inner.set_weights(originals[inner.name].get_weights())
  return clone
