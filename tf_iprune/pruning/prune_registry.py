"""Registry of the Keras layers intermittent-aware pruning can prune.

Maps each supported layer class to the attribute holding the weights that
the accelerator reads block by block. tfmot's own registry gives
DepthwiseConv2D no prunable weights; here its depthwise kernel is pruned
(one block = tile_m channels at one kernel position, see
`tf_iprune.hardware.blocks`). Classes match exactly: a subclass such as
Conv2DTranspose computes something else and is not supported.
"""
from tf_iprune.legacy_keras import keras

_PRUNABLE_WEIGHTS = {
    keras.layers.Conv2D: "kernel",
    keras.layers.DepthwiseConv2D: "depthwise_kernel",
    keras.layers.Dense: "kernel",
}


def supports(layer):
  """Whether `layer` is a layer type this registry can prune."""
  return type(layer) in _PRUNABLE_WEIGHTS


def supported_names():
  return ", ".join(sorted(c.__name__ for c in _PRUNABLE_WEIGHTS))


def _check(layer):
  if not supports(layer):
    raise ValueError("Layer %r of type %s cannot be pruned; supported: %s." %
                     (layer.name, type(layer).__name__, supported_names()))


def prunable_weight(layer):
  """The weight variable of `layer` that is pruned in blocks."""
  _check(layer)
  return getattr(layer, _PRUNABLE_WEIGHTS[type(layer)])


def make_prunable(layer):
  """Gives `layer` the `get_prunable_weights` tfmot's wrapper asks for.

  This is how tfmot's own registry makes built-in layers prunable (an
  instance method); it also works for DepthwiseConv2D, which tfmot skips.
  """
  _check(layer)
  layer.get_prunable_weights = lambda: [prunable_weight(layer)]
  return layer
