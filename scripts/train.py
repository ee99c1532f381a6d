r"""Trains a zoo model on its data set and saves it with its accuracies.

  python scripts/train.py --model=har_cnn --out_dir=runs/har_cnn

The model's default recipe (`get_model_info(name).recipe`) gives the
optimizer, learning rate, epochs and batch size; flags override them. The
data comes from `mlperf_tiny_models.datasets`: a local copy of the real data
set with --data_dir, else the embedded default (for kws, cifar10 and vww a
stand-in, named as such in metrics.json). The weights of the epoch with the
best validation accuracy are kept; the test split is evaluated once, at the
end. Writes to --out_dir, each file atomically:
  model.keras   the trained tf_keras model;
  metrics.json  model, dataset, data (description of the data used),
                validation and test accuracy and loss, and the settings;
  logs/         TensorBoard logs.
"""
import dataclasses
import json
import os
import shutil
import sys
import tempfile
import time

from absl import app
from absl import flags

import mlperf_tiny_models
from mlperf_tiny_models import datasets
from mlperf_tiny_models.datasets import cache
from tf_iprune.legacy_keras import keras
import tensorflow as tf

_MODEL = flags.DEFINE_enum(
    "model", None, mlperf_tiny_models.list_models(), "Zoo model to train.")
_DATA_DIR = flags.DEFINE_string(
    "data_dir", None, "Local copy of the model's real data set (see "
    "mlperf_tiny_models.datasets); default: the embedded data.")
_EPOCHS = flags.DEFINE_integer(
    "epochs", None, "Epochs; default: the model's recipe.", lower_bound=1)
_BATCH_SIZE = flags.DEFINE_integer(
    "batch_size", None, "Batch size; default: the model's recipe.",
    lower_bound=1)
_LEARNING_RATE = flags.DEFINE_float(
    "learning_rate", None, "Learning rate; default: the model's recipe.")
_SEED = flags.DEFINE_integer(
    "seed", 0, "Seed of Python, NumPy and TensorFlow random numbers.")
_OUT_DIR = flags.DEFINE_string(
    "out_dir", None, "Output folder; default: runs/<model>.")

METRICS_FILE = "metrics.json"
MODEL_FILE = "model.keras"


class _KeepBestWeights(keras.callbacks.Callback):
  """Restores, after training, the weights of the best validation epoch."""

  def __init__(self):
    super().__init__()
    self.best_epoch = None
    self._best_accuracy = -1.0
    self._best_weights = None

  def on_epoch_end(self, epoch, logs=None):
    if logs["val_accuracy"] > self._best_accuracy:
      self._best_accuracy = logs["val_accuracy"]
      self._best_weights = self.model.get_weights()
      self.best_epoch = epoch + 1

  def on_train_end(self, logs=None):
    self.model.set_weights(self._best_weights)


def train(model_name, out_dir, data_dir=None, epochs=None, batch_size=None,
          learning_rate=None, seed=0, verbose=2):
  """Trains, evaluates and saves a zoo model.

  Args:
    model_name: A name from `mlperf_tiny_models.list_models()`.
    out_dir: Folder for model.keras, metrics.json and logs/.
    data_dir: Local copy of the real data set, or None for the embedded one.
    epochs: Overrides the recipe's epochs.
    batch_size: Overrides the recipe's batch size.
    learning_rate: Overrides the recipe's learning rate.
    seed: Seed of all random numbers.
    verbose: Keras progress output (0 silent, 1 bar, 2 line per epoch).

  Returns:
    The dict written to metrics.json.

  Raises:
    ValueError: If the model has no data set, an override is not positive,
      or the data set cannot be loaded from `data_dir`.
  """
  info = mlperf_tiny_models.get_model_info(model_name)
  if info.dataset is None:
    raise ValueError(
        "Model %r has no data set in mlperf_tiny_models.datasets, so "
        "train.py cannot train it; models it can train: %s." % (
            model_name, ", ".join(
                m for m in mlperf_tiny_models.list_models()
                if mlperf_tiny_models.get_model_info(m).dataset)))
  overrides = {"epochs": epochs, "batch_size": batch_size,
               "learning_rate": learning_rate}
  # TrainingRecipe checks the values.
  recipe = dataclasses.replace(
      info.recipe, **{k: v for k, v in overrides.items() if v is not None})

  keras.utils.set_random_seed(seed)
  tf.config.experimental.enable_op_determinism()
  data = {split: datasets.load(info.dataset, split, data_dir)
          for split in datasets.SPLITS}
  model = mlperf_tiny_models.get_model(model_name)
  optimizer = keras.optimizers.get(
      {"class_name": recipe.optimizer,
       "config": {"learning_rate": recipe.learning_rate}})
  model.compile(optimizer=optimizer, loss=recipe.loss, metrics=["accuracy"])

  keep_best = _KeepBestWeights()
  os.makedirs(out_dir, exist_ok=True)
  start = time.time()
  model.fit(*data["train"], validation_data=data["val"],
            epochs=recipe.epochs, batch_size=recipe.batch_size,
            verbose=verbose,
            callbacks=[keep_best, keras.callbacks.TensorBoard(
                os.path.join(out_dir, "logs"))])
  train_seconds = time.time() - start

  results = {split: model.evaluate(*data[split],
                                   batch_size=recipe.batch_size,
                                   verbose=0, return_dict=True)
             for split in ("val", "test")}
  metrics = {
      "model": model_name,
      "dataset": info.dataset,
      "data": datasets.describe(info.dataset, data_dir),
      "data_dir": data_dir,
      "val_accuracy": results["val"]["accuracy"],
      "test_accuracy": results["test"]["accuracy"],
      "val_loss": results["val"]["loss"],
      "test_loss": results["test"]["loss"],
      "examples": {split: len(data[split][1]) for split in datasets.SPLITS},
      "best_epoch": keep_best.best_epoch,
      "epochs": recipe.epochs,
      "batch_size": recipe.batch_size,
      "optimizer": recipe.optimizer,
      "learning_rate": recipe.learning_rate,
      "loss": recipe.loss,
      "seed": seed,
      "train_seconds": round(train_seconds, 1),
  }
  _save_model(model, os.path.join(out_dir, MODEL_FILE))
  text = json.dumps(metrics, indent=2) + "\n"
  cache.atomic_write(os.path.join(out_dir, METRICS_FILE),
                     lambda f: f.write(text.encode("utf-8")))
  return metrics


def _save_model(model, path):
  """Saves to a temporary folder beside `path`, then renames into place."""
  tmp_dir = tempfile.mkdtemp(dir=os.path.dirname(path), prefix=".tmp-")
  try:
    tmp_path = os.path.join(tmp_dir, os.path.basename(path))
    model.save(tmp_path)  # The .keras name selects the Keras v3 format.
    os.replace(tmp_path, path)
  finally:
    shutil.rmtree(tmp_dir)


def main(argv):
  if len(argv) > 1:
    raise app.UsageError("Unexpected arguments: %s" % " ".join(argv[1:]))
  try:
    metrics = train(
        _MODEL.value, _OUT_DIR.value or os.path.join("runs", _MODEL.value),
        data_dir=_DATA_DIR.value, epochs=_EPOCHS.value,
        batch_size=_BATCH_SIZE.value, learning_rate=_LEARNING_RATE.value,
        seed=_SEED.value, verbose=1 if sys.stdout.isatty() else 2)
  except ValueError as e:
    sys.exit("Error: %s" % e)  # The message says it all; no traceback.
  print("%s on %s: val accuracy %.4f, test accuracy %.4f" % (
      metrics["model"], metrics["data"], metrics["val_accuracy"],
      metrics["test_accuracy"]))


if __name__ == "__main__":
  flags.mark_flag_as_required("model")
  app.run(main)
