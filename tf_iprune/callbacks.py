"""Keras callbacks shared by training and fine-tuning."""
from tf_iprune.legacy_keras import keras


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
