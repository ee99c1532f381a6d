"""Trains a zoo model on its data set and saves it with its accuracies.

The model's default recipe (`get_model_info(name).recipe`) gives the
optimizer, learning rate, epochs and batch size; arguments override them.
The data comes from `mlperf_tiny_models.datasets`: a local copy of the real
data set with `data_dir`, else the embedded default (for kws, cifar10 and vww
a stand-in, named as such in metrics.json). The weights of the epoch with
the best validation accuracy are kept; the test split is evaluated once, at
the end. Writes to `out_dir`, each file atomically:
  model.keras   the trained tf_keras model;
  metrics.json  model, dataset, data (description of the data used) and
                its fingerprint, validation and test accuracy and loss,
                and the settings;
  logs/         TensorBoard logs.
"""
import dataclasses
import os
import time

from absl import logging

import mlperf_tiny_models
from mlperf_tiny_models import datasets
from tf_iprune import callbacks
from tf_iprune import io_utils
from tf_iprune.legacy_keras import keras
import tensorflow as tf

METRICS_FILE = "metrics.json"
MODEL_FILE = "model.keras"


def dataset_for(model_name, dataset=None):
  """The data set `model_name` trains on: `dataset`, checked to have the
  model's inputs and classes (`datasets.compatible`), else its own.

  Raises:
    ValueError: If `dataset` cannot stand in for the model's own.
  """
  own = mlperf_tiny_models.get_model_info(model_name).dataset
  return datasets.compatible(own, dataset) if dataset else own


def train(model_name, out_dir, data_dir=None, epochs=None, batch_size=None,
          learning_rate=None, seed=0, verbose=2, dataset=None):
  """Trains, evaluates and saves a zoo model.

  Args:
    model_name: A name from `mlperf_tiny_models.list_models()`.
    out_dir: Folder for model.keras, metrics.json and logs/.
    data_dir: Local copy of the real data set, or None for the embedded one.
    epochs: Overrides the recipe's epochs.
    batch_size: Overrides the recipe's batch size.
    learning_rate: Overrides the recipe's learning rate with a constant one
      (no steps).
    seed: Seed of all random numbers.
    verbose: Keras progress output (0 silent, 1 bar, 2 line per epoch).
    dataset: A data set to use instead of the model's own, with the same
      inputs and classes (e.g. "har_val7" for har_cnn); None: the model's.

  Returns:
    The dict written to metrics.json.

  Raises:
    ValueError: If the model has no data set, `dataset` cannot stand in for
      it, an override is not positive, or the data set cannot be loaded
      from `data_dir`.
  """
  info = mlperf_tiny_models.get_model_info(model_name)
  if info.dataset is None:
    raise ValueError(
        "Model %r has no data set in mlperf_tiny_models.datasets, so "
        "train.py cannot train it; models it can train: %s." % (
            model_name, ", ".join(
                m for m in mlperf_tiny_models.list_models()
                if mlperf_tiny_models.get_model_info(m).dataset)))
  dataset = dataset_for(model_name, dataset)
  overrides = {"epochs": epochs, "batch_size": batch_size,
               "learning_rate": learning_rate,
               "learning_rate_steps": None if learning_rate is None else ()}
  # TrainingRecipe checks the values.
  recipe = dataclasses.replace(
      info.recipe, **{k: v for k, v in overrides.items() if v is not None})

  keras.utils.set_random_seed(seed)
  tf.config.experimental.enable_op_determinism()
  data = {split: datasets.load(dataset, split, data_dir)
          for split in datasets.SPLITS}
  model = mlperf_tiny_models.get_model(model_name)
  optimizer = keras.optimizers.get(
      {"class_name": recipe.optimizer,
       "config": {"learning_rate": recipe.learning_rate}})
  model.compile(optimizer=optimizer, loss=recipe.loss, metrics=["accuracy"])

  keep_best = callbacks.KeepBestWeights()
  steps = callbacks.StepLearningRate(
      recipe.learning_rate, recipe.learning_rate_steps, recipe.epochs)
  os.makedirs(out_dir, exist_ok=True)
  start = time.time()
  model.fit(*data["train"], validation_data=data["val"],
            epochs=recipe.epochs, batch_size=recipe.batch_size,
            verbose=verbose,
            callbacks=[keep_best, steps, keras.callbacks.TensorBoard(
                os.path.join(out_dir, "logs"))])
  train_seconds = time.time() - start

  results = {split: model.evaluate(*data[split],
                                   batch_size=recipe.batch_size,
                                   verbose=0, return_dict=True)
             for split in ("val", "test")}
  metrics = {
      "model": model_name,
      "dataset": dataset,
      "data": datasets.describe(dataset, data_dir),
      "data_fingerprint": datasets.fingerprint(data),
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
      "learning_rate_steps": list(recipe.learning_rate_steps),
      "loss": recipe.loss,
      "seed": seed,
      "train_seconds": round(train_seconds, 1),
  }
  io_utils.save_model(model, os.path.join(out_dir, MODEL_FILE))
  io_utils.write_json(os.path.join(out_dir, METRICS_FILE), metrics)
  return metrics


def train_once(model_name, out_dir, data_dir=None, epochs=None, seed=0,
               verbose=2, dataset=None):
  """`train` into `out_dir` unless a finished run is already there.

  Returns:
    (the trained model, its metrics dict).

  Raises:
    ValueError: If the finished run there was trained on another data set.
  """
  metrics_path = os.path.join(out_dir, METRICS_FILE)
  if os.path.exists(metrics_path):  # train() writes it last.
    logging.info("Using the trained %s in %s.", model_name, out_dir)
    metrics = io_utils.read_json(metrics_path)
    wanted = dataset_for(model_name, dataset)
    if metrics["dataset"] != wanted:
      raise ValueError(
          "%s was trained on data set %r, not %r; train into another folder "
          "or use the data set it was trained on." % (
              metrics_path, metrics["dataset"], wanted))
  else:
    logging.info("Training %s into %s.", model_name, out_dir)
    metrics = train(model_name, out_dir, data_dir=data_dir, epochs=epochs,
                    seed=seed, verbose=verbose, dataset=dataset)
  return io_utils.load_model(os.path.join(out_dir, MODEL_FILE)), metrics
