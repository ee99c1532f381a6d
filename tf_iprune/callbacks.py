"""Keras callbacks shared by training and fine-tuning."""
from tf_iprune.legacy_keras import keras


def step_learning_rate(learning_rate, steps, epoch, epochs):
  """The rate of a step schedule at an epoch, as the references train.

  The epochs split into 1 + len(steps) equal parts; the first runs at
  `learning_rate`, each later one at the next rate of `steps` (iPrune's
  `--learning_rate_list` with `--lr-epochs` = epochs / its length; MLPerf
  Tiny's KWS steps at epochs 12 and 24 of 36). A budget shorter than the
  recipe's keeps its proportions.

  Args:
    learning_rate: Rate of the first part.
    steps: Rates of the later parts, in order; () for a constant rate.
    epoch: 0-based epoch.
    epochs: Epochs of the whole run.
  """
  rates = (learning_rate,) + tuple(steps)
  return rates[epoch * len(rates) // epochs]


def rewound_learning_rate(learning_rate, steps, epoch, epochs,
                          training_epochs=None):
  """The rate of a fine-tuning epoch, rewound into training's schedule.

  Learning-rate rewinding (Renda et al., ICLR 2020): a fine-tuning of
  `epochs` epochs runs at the rates of the last `epochs` epochs of the step
  schedule the model was trained with over `training_epochs`. A fine-tuning
  at least as long as training replays the whole schedule over its own
  epochs, as the reference fine-tunes each stage with its training schedule.

  Args:
    learning_rate, steps: The training schedule (`step_learning_rate`).
    epoch: 0-based fine-tuning epoch.
    epochs: Epochs of the fine-tuning.
    training_epochs: Epochs of the training; None: the same as `epochs`.
  """
  span = max(epochs, training_epochs or epochs)
  return step_learning_rate(learning_rate, steps, span - epochs + epoch, span)


class StepLearningRate(keras.callbacks.Callback):
  """Sets the optimizer's rate at each epoch by `rewound_learning_rate`.

  Args:
    learning_rate, steps, epochs, training_epochs: As for
      `rewound_learning_rate`; training leaves `training_epochs` None.
  """

  def __init__(self, learning_rate, steps, epochs, training_epochs=None):
    super().__init__()
    self.learning_rate = learning_rate
    self.steps = tuple(steps)
    self.epochs = epochs
    self.training_epochs = training_epochs

  def on_epoch_begin(self, epoch, logs=None):
    keras.backend.set_value(self.model.optimizer.lr, rewound_learning_rate(
        self.learning_rate, self.steps, epoch, self.epochs,
        self.training_epochs))


class KeepBestWeights(keras.callbacks.Callback):
  """Restores, after training, the weights of the best validation epoch.

  Training (`mlperf_tiny_models.training`) and every pruning iteration's
  fine-tuning select their model the same way, so accuracies compared by the
  pruning loop carry the same selection.

  Args:
    from_epoch: First epoch (1-based) that may be chosen, e.g. the first one
      at which a pruning schedule has reached its final sparsity.
  """

  def __init__(self, from_epoch=1):
    super().__init__()
    self.from_epoch = from_epoch
    self.best_epoch = None
    self._best_accuracy = -1.0
    self._best_weights = None

  def on_epoch_end(self, epoch, logs=None):
    if "val_accuracy" not in logs:
      raise ValueError("KeepBestWeights needs validation_data in fit().")
    if epoch + 1 >= self.from_epoch and (
        logs["val_accuracy"] > self._best_accuracy):
      self._best_accuracy = logs["val_accuracy"]
      self._best_weights = self.model.get_weights()
      self.best_epoch = epoch + 1

  def on_train_end(self, logs=None):
    if self._best_weights is not None:
      self.model.set_weights(self._best_weights)
