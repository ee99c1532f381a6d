"""Fast validation accuracy of block-masked weights, without fine-tuning.

Sensitivity analysis and the annealing search try many block masks on the
same weights. `MaskedEvaluator` keeps a private copy of the model, writes
kernel * mask into the layers a configuration changes, and runs a compiled
forward pass over a fixed validation subset (never the test split).
"""
import numpy as np
import tensorflow as tf

from tf_iprune.pruning import model_utils
from tf_iprune.pruning import prune_registry


def accuracy_and_loss(probs, y):
  """Top-1 accuracy (percent) and mean cross-entropy of class scores.

  Outputs that are not probabilities (rows not summing to 1) are taken as
  logits.
  """
  probs = np.asarray(probs, np.float64)
  y = np.asarray(y).astype(np.int64).ravel()
  if not np.allclose(probs.sum(axis=1), 1.0, atol=1e-3) or np.any(probs < 0):
    shifted = probs - probs.max(axis=1, keepdims=True)
    probs = np.exp(shifted) / np.exp(shifted).sum(axis=1, keepdims=True)
  accuracy = 100.0 * float(np.mean(np.argmax(probs, axis=1) == y))
  picked = np.clip(probs[np.arange(len(y)), y], 1e-12, 1.0)
  return accuracy, float(-np.mean(np.log(picked)))


class MaskedEvaluator:
  """Evaluates block keep maps on a copy of a model.

  Args:
    model: The plain (unwrapped) model; it is copied, never changed.
    layers: {layer name: block_mask.LayerBlocks} of the prunable layers.
    x, y: Validation examples and integer labels.
    batch_size: Forward-pass batch size.
  """

  def __init__(self, model, layers, x, y, batch_size=256):
    self._model = model_utils.copy_model(model)
    self._layers = layers
    self._weights = {name: prune_registry.prunable_weight(
        self._model.get_layer(name)) for name in layers}
    self._kernels = {name: w.numpy() for name, w in self._weights.items()}
    self._current = {name: l.keep for name, l in layers.items()}
    self._x = np.asarray(x, np.float32)
    self._y = np.asarray(y)
    self._batch_size = batch_size
    self._forward = tf.function(lambda x: self._model(x, training=False))
    self.evaluations = 0

  def evaluate(self, keeps):
    """(accuracy %, loss) with {layer name: (G, J) keep map} applied.

    Layers not in `keeps` keep their current blocks.
    """
    for name, layer in self._layers.items():
      keep = np.asarray(keeps.get(name, layer.keep), bool)
      if not np.array_equal(keep, self._current[name]):
        mask = layer.grid.weight_mask(keep)
        self._weights[name].assign(self._kernels[name] * mask)
        self._current[name] = keep
    outputs = [self._forward(tf.constant(self._x[i:i + self._batch_size]))
               for i in range(0, len(self._x), self._batch_size)]
    self.evaluations += 1
    return accuracy_and_loss(np.concatenate([o.numpy() for o in outputs]),
                             self._y)
