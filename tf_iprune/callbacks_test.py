"""Tests for callbacks."""
import numpy as np
import pytest

from tf_iprune import callbacks
from tf_iprune.legacy_keras import keras


def _model():
  keras.utils.set_random_seed(0)
  inputs = keras.Input((4,))
  model = keras.Model(inputs, keras.layers.Dense(2, activation="softmax")(
      inputs))
  model.compile(keras.optimizers.SGD(0.5), "sparse_categorical_crossentropy",
                ["accuracy"])
  return model


class _Recorder(keras.callbacks.Callback):
  """Weights and validation accuracy after each epoch."""

  def __init__(self):
    super().__init__()
    self.epochs = []

  def on_epoch_end(self, epoch, logs=None):
    self.epochs.append((logs["val_accuracy"], self.model.get_weights()))


def test_restores_the_best_epoch_at_or_after_from_epoch():
  rng = np.random.default_rng(0)
  x = rng.normal(size=(64, 4)).astype(np.float32)
  y = (x[:, 0] > 0).astype(np.int64)
  # Validation labels flipped: later (better trained) epochs score worse.
  val = (x, 1 - y)
  for from_epoch in (1, 3):
    model, recorder = _model(), _Recorder()
    keep = callbacks.KeepBestWeights(from_epoch=from_epoch)
    model.fit(x, y, epochs=5, validation_data=val, verbose=0,
              callbacks=[recorder, keep])
    accuracies = [a for a, _ in recorder.epochs]
    best = from_epoch - 1 + int(np.argmax(accuracies[from_epoch - 1:]))
    assert keep.best_epoch == best + 1
    for w, expected in zip(model.get_weights(), recorder.epochs[best][1]):
      np.testing.assert_array_equal(w, expected)
    assert keep.best_epoch >= from_epoch


def test_needs_validation_data():
  model = _model()
  with pytest.raises(ValueError, match="validation_data"):
    model.fit(np.zeros((4, 4)), np.zeros(4), epochs=1, verbose=0,
              callbacks=[callbacks.KeepBestWeights()])
