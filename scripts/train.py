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
import os
import sys

from absl import app
from absl import flags

import mlperf_tiny_models
from mlperf_tiny_models import training

_MODEL = flags.DEFINE_enum(
    "model", None, mlperf_tiny_models.list_models(), "Zoo model to train.")
_DATA_DIR = flags.DEFINE_string(
    "data_dir", None, "Local copy of the model's real data set (see "
    "mlperf_tiny_models.datasets); default: the embedded data.")
_DATASET = flags.DEFINE_string(
    "dataset", None, "Data set to train on; default: the model's. Another "
    "must have the same inputs and classes (e.g. har_val7 for har_cnn: 7 "
    "validation subjects instead of 4).")
_EPOCHS = flags.DEFINE_integer(
    "epochs", None, "Epochs; default: the model's recipe.", lower_bound=1)
_BATCH_SIZE = flags.DEFINE_integer(
    "batch_size", None, "Batch size; default: the model's recipe.",
    lower_bound=1)
_LEARNING_RATE = flags.DEFINE_float(
    "learning_rate", None, "Constant learning rate; default: the model's "
    "recipe (with its steps).")
_SEED = flags.DEFINE_integer(
    "seed", 0, "Seed of Python, NumPy and TensorFlow random numbers.")
_OUT_DIR = flags.DEFINE_string(
    "out_dir", None, "Output folder; default: runs/<model>.")


def main(argv):
  if len(argv) > 1:
    raise app.UsageError("Unexpected arguments: %s" % " ".join(argv[1:]))
  try:
    metrics = training.train(
        _MODEL.value, _OUT_DIR.value or os.path.join("runs", _MODEL.value),
        data_dir=_DATA_DIR.value, epochs=_EPOCHS.value,
        batch_size=_BATCH_SIZE.value, learning_rate=_LEARNING_RATE.value,
        seed=_SEED.value, verbose=1 if sys.stdout.isatty() else 2,
        dataset=_DATASET.value)
  except ValueError as e:
    sys.exit("Error: %s" % e)  # The message says it all; no traceback.
  print("%s on %s: val accuracy %.4f, test accuracy %.4f" % (
      metrics["model"], metrics["data"], metrics["val_accuracy"],
      metrics["test_accuracy"]))


if __name__ == "__main__":
  flags.mark_flag_as_required("model")
  app.run(main)
