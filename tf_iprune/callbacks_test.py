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


def test_step_learning_rate_splits_the_epochs_into_equal_parts():
  rates = [callbacks.step_learning_rate(5e-4, (1e-4, 2e-5), e, 300)
           for e in range(300)]
  # The reference's KWS_CNN_S: 100 epochs at each rate.
  assert rates == [5e-4] * 100 + [1e-4] * 100 + [2e-5] * 100
  short = [callbacks.step_learning_rate(5e-4, (1e-4, 2e-5), e, 10)
           for e in range(10)]
  assert short == [5e-4] * 4 + [1e-4] * 3 + [2e-5] * 3
  assert [callbacks.step_learning_rate(1e-3, (), e, 3)
          for e in range(3)] == [1e-3] * 3


def test_rewound_learning_rate_runs_the_last_epochs_of_training():
  def rates(epochs, training_epochs):
    return [callbacks.rewound_learning_rate(5e-4, (1e-4, 2e-5), e, epochs,
                                            training_epochs)
            for e in range(epochs)]
  # cks_cnn: its last 10 of 300 training epochs ran at 2e-5.
  assert rates(10, 300) == [2e-5] * 10
  assert rates(150, 300) == [1e-4] * 50 + [2e-5] * 100
  # As long as training, longer, or no training length: the whole schedule.
  assert rates(300, 300) == [5e-4] * 100 + [1e-4] * 100 + [2e-5] * 100
  assert rates(10, 3) == rates(10, None) == (
      [5e-4] * 4 + [1e-4] * 3 + [2e-5] * 3)


class _RateRecorder(keras.callbacks.Callback):
  """The optimizer's learning rate during each epoch."""

  def __init__(self):
    super().__init__()
    self.rates = []

  def on_epoch_end(self, epoch, logs=None):
    self.rates.append(float(keras.backend.get_value(
        self.model.optimizer.lr)))


def test_step_learning_rate_callback_sets_the_optimizer_rate():
  model, recorder = _model(), _RateRecorder()
  x = np.zeros((8, 4), np.float32)
  model.fit(x, np.zeros(8), epochs=4, verbose=0, callbacks=[
      callbacks.StepLearningRate(0.5, (0.25,), 4), recorder])
  assert recorder.rates == [0.5, 0.5, 0.25, 0.25]
  rewound = _RateRecorder()
  model.fit(x, np.zeros(8), epochs=2, verbose=0, callbacks=[
      callbacks.StepLearningRate(0.5, (0.25,), 2, training_epochs=8),
      rewound])
  assert rewound.rates == [0.25, 0.25]
