"""Fast validation accuracy of block-masked weights, without fine-tuning.

Sensitivity analysis and the annealing search try many block masks on the
same weights. `MaskedEvaluator` keeps a private copy of the model, writes
kernel * mask into the layers a configuration changes, and runs a compiled
forward pass over a fixed validation subset (never the test split).

Adaptive BatchNorm. A block of a 1x1 convolution whose T_n spans all input
channels is T_m whole filters; pruning it leaves those channels' outputs at
a constant, which the following BatchNormalization, still subtracting its
old moving mean, turns into a large constant offset. Measured that way,
pruning a few blocks of a pointwise layer of `kws_dscnn` cost 59 points of
accuracy, though fine-tuning (BatchNorm in training mode re-estimates the
statistics) recovers most of it; the search then avoids whole layers for
the wrong reason, or a forced overall ratio collapses the model. With
calibration examples (training data), the evaluator re-estimates every
BatchNormalization's statistics for each configuration before measuring it,
as EagleEye (Li et al., ECCV 2020) does for pruned candidates: one forward
pass in training mode over the calibration batch, with BatchNorm momentum
0 (the moving statistics become the batch's) and dropout off. Models
without BatchNormalization are evaluated exactly as before.
"""
import numpy as np
import tensorflow as tf

from tf_iprune.legacy_keras import keras
from tf_iprune.pruning import model_utils
from tf_iprune.pruning import prune_registry


def _calibration_copy(model):
  """A copy whose BatchNorm momentum is 0 and dropout rate 0.

  In inference mode it computes what `model` computes; a training-mode call
  sets every BatchNorm's moving statistics to those of its batch.
  """
  def clone(layer):
    config = layer.get_config()
    if isinstance(layer, keras.layers.BatchNormalization):
      config["momentum"] = 0.0
    elif isinstance(layer, keras.layers.Dropout):
      config["rate"] = 0.0
    return layer.__class__.from_config(config)

  return model_utils.copy_model(model, clone)


def has_batch_norm(model):
  return any(isinstance(l, keras.layers.BatchNormalization)
             for l in model.layers)


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
    x_calibration: Training examples to re-estimate BatchNorm statistics
      on, in one batch, whenever the masks changed (adaptive BatchNorm); None,
      or a model without BatchNorm, evaluates with the model's statistics.
  """

  def __init__(self, model, layers, x, y, batch_size=256, x_calibration=None):
    self._calibrate = None
    self._calibrated = False  # Statistics re-estimated for the current masks.
    if x_calibration is not None and has_batch_norm(model):
      self._model = _calibration_copy(model)
      x_cal = tf.constant(np.asarray(x_calibration, np.float32))
      self._calibrate = tf.function(
          lambda: self._model(x_cal, training=True))
    else:
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
        self._calibrated = False
    if self._calibrate is not None and not self._calibrated:
      self._calibrate()
      self._calibrated = True
    outputs = [self._forward(tf.constant(self._x[i:i + self._batch_size]))
               for i in range(0, len(self._x), self._batch_size)]
    self.evaluations += 1
    return accuracy_and_loss(np.concatenate([o.numpy() for o in outputs]),
                             self._y)
