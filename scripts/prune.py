r"""Prunes a model with iPrune (or a baseline), from nothing to a pruned model.

  python scripts/prune.py --model=har_cnn --out_dir=runs/har_cnn_iprune

With --model (a zoo name) and no --model_path, the model is first trained on
its data set as scripts/train.py does (the model's recipe; --pretrain_epochs
overrides its epochs) and cached in out_dir/pretrain/; with --model_path a
trained .keras/.h5 model is pruned.
The data come from `mlperf_tiny_models.datasets` (--data_dir for a local copy
of the real data set, else the embedded default). Decisions use the
validation split only; the test split is only reported.

Writes to --out_dir, every file atomically:
  pretrain/                scripts/train.py's model.keras, metrics.json, logs;
  baseline/, iter_NNN/     per-step checkpoints (see tf_iprune.pruning);
  logs/                    TensorBoard: per-iteration scalars
                           (per-layer sparsity, accelerator outputs), and
                           fine-tuning curves;
  model.keras              the chosen pruned model;
  metrics.json             its data set and accuracies (as train.py writes);
  summary.json             sections baseline, reference, iterations, chosen.
Killed at any point and rerun with --resume (same flags), it continues from
the last finished step and ends with the same result.
"""
import os
import sys

from absl import app
from absl import flags
from absl import logging

import mlperf_tiny_models  # Selects Keras 2 before TensorFlow is imported.
from mlperf_tiny_models import datasets
from mlperf_tiny_models import training
import tensorflow as tf

from tf_iprune import io_utils
from tf_iprune.pruning import iterative
from tf_iprune.pruning import strategy


_MODEL = flags.DEFINE_enum(
    "model", None, mlperf_tiny_models.list_models(),
    "Zoo model to prune; trained first unless --model_path is given.")
_MODEL_PATH = flags.DEFINE_string(
    "model_path", None, "Trained .keras / .h5 model to prune.")
_DATASET = flags.DEFINE_string(
    "dataset", None, "Data set to pretrain and prune on (default: the data "
    "set of the zoo model named like the Keras model or --model); for "
    "--model, one of the same inputs and classes, e.g. har_val7 for "
    "har_cnn.")
_DATA_DIR = flags.DEFINE_string(
    "data_dir", None, "Local copy of the real data set; default: the "
    "embedded data (see mlperf_tiny_models.datasets).")
_METHOD = flags.DEFINE_enum(
    "method", "intermittent", list(iterative.METHODS),
    "intermittent (iPrune), energy (ePrune), magnitude (tfmot) or unpruned.")
_EPSILON = flags.DEFINE_float(
    "epsilon", 1.0, "Tolerated validation accuracy drop, percentage points.")
_REFERENCE = flags.DEFINE_enum(
    "reference", "fine_tuned", list(iterative.REFERENCES),
    "What the drop is measured against: the unpruned model fine-tuned as "
    "the pruned ones are (fine_tuned), or as given (baseline).")
_SECOND_CHANCE = flags.DEFINE_enum(
    "second_chance", "retry", list(iterative.SECOND_CHANCES),
    "After the first drop beyond epsilon: start again from the last model "
    "within epsilon with half the step (retry), or prune on from the failed "
    "model (continue).")
_RETRY_SAVING_CAP = flags.DEFINE_boolean(
    "retry_saving_cap", iterative.PruningConfig.retry_saving_cap,
    "With --second_chance=retry: the retry may also remove at most half the "
    "criterion cost (accelerator outputs, energy) the rejected step removed, "
    "not only spend half its budget.")
_BUDGET = flags.DEFINE_enum(
    "budget", iterative.PruningConfig.budget, list(strategy.BUDGETS),
    "What an iteration's overall ratio is a share of: the remaining weights "
    "(the paper's) or the cost the criterion can remove (docs/pruning.md).")
_BN_CALIBRATION = flags.DEFINE_integer(
    "bn_calibration", 512, "Training examples on which the sensitivity "
    "analysis and the search re-estimate BatchNorm statistics (adaptive "
    "BatchNorm); 0 keeps the model's own.", lower_bound=0)
_UPPER_BOUND = flags.DEFINE_float(
    "upper_bound", 0.4, "Upper bound on an iteration's overall ratio.")
_OVERALL_RATIO = flags.DEFINE_float(
    "overall_ratio", None, "Fixed overall ratio per iteration instead of the "
    "first guideline.")
_FINE_TUNE_EPOCHS = flags.DEFINE_integer(
    "fine_tune_epochs", 5, "Fine-tuning epochs per iteration.", lower_bound=1)
_DECISION_SEEDS = flags.DEFINE_integer(
    "decision_seeds", 1, "Fine-tuning runs whose mean validation accuracy "
    "decides each step against epsilon (the first run's model is kept).",
    lower_bound=1)
_BATCH_SIZE = flags.DEFINE_integer(
    "batch_size", 64, "Fine-tuning batch size.", lower_bound=1)
_LEARNING_RATE = flags.DEFINE_float(
    "learning_rate", None, "Constant fine-tuning learning rate (Adam); "
    "default: the zoo model's training schedule scaled to the fine-tuning "
    "epochs, else 1e-3.")
_TRAINING_EPOCHS = flags.DEFINE_integer(
    "training_epochs", None, "Learning-rate rewinding instead: the epochs "
    "the zoo model was trained for; fine-tuning runs at the rates of their "
    "last --fine_tune_epochs.", lower_bound=1)
_MAX_ITERATIONS = flags.DEFINE_integer(
    "max_iterations", iterative.PruningConfig.max_iterations,
    "Pruning iterations at most (a safety net: the loop ends at its second "
    "drop beyond epsilon).", lower_bound=1)
_ANNEALING_STEPS = flags.DEFINE_integer(
    "annealing_steps", 300, "Moves of the annealing search.", lower_bound=0)
_ACCURACY_WEIGHT = flags.DEFINE_float(
    "accuracy_weight", 0.001, "Weight of (accuracy drop / epsilon)^2 in the "
    "annealing objective (see tf_iprune.pruning.strategy).")
_VAL_SUBSET = flags.DEFINE_integer(
    "val_subset", 1000, "Validation examples for the sensitivity analysis "
    "and the search.", lower_bound=1)
_PLAN = flags.DEFINE_enum(
    "plan", None, ["auto", "reference"], "Tile plan; default: reference for "
    "har_cnn, cks_cnn and sqn, auto otherwise.")
_TILE_OVERRIDES = flags.DEFINE_list(
    "tile_overrides", [], "Per-layer tiles, e.g. conv1=6:9,fc=2:16 "
    "(tile_m:tile_n).")
_PRETRAIN_EPOCHS = flags.DEFINE_integer(
    "pretrain_epochs", None, "Epochs of training the --model baseline; "
    "default: the model's recipe.", lower_bound=1)
_SEED = flags.DEFINE_integer("seed", 0, "Seed of all random numbers.")
_THREADS = flags.DEFINE_integer(
    "threads", 2, "TensorFlow intra-op threads (0: TensorFlow's default).",
    lower_bound=0)
_OUT_DIR = flags.DEFINE_string("out_dir", None, "Output folder.")
_RESUME = flags.DEFINE_bool(
    "resume", False, "Continue the run in --out_dir from its last finished "
    "step.")


def parse_tile_overrides(items):
  """['conv1=6:9', ...] -> {'conv1': (6, 9)}."""
  overrides = {}
  for item in items:
    try:
      name, tile = item.split("=")
      tile_m, tile_n = (int(v) for v in tile.split(":"))
    except ValueError:
      raise app.UsageError(
          "--tile_overrides: %r is not layer=tile_m:tile_n (e.g. "
          "conv1=6:9)." % item) from None
    overrides[name] = (tile_m, tile_n)
  return overrides


def _load_data(dataset, data_dir):
  return {split: datasets.load(dataset, split, data_dir)
          for split in datasets.SPLITS}


def pretrain(model_name, dataset, data_dir, out_dir, epochs, seed):
  """Trains a zoo model on `dataset` into out_dir/pretrain, once.

  Returns:
    (model, seconds the training took).
  """
  folder = os.path.join(out_dir, "pretrain")
  model, metrics = training.train_once(model_name, folder, data_dir, epochs,
                                       seed, dataset=dataset)
  return model, float(metrics["train_seconds"])


def main(argv):
  if len(argv) > 1:
    raise app.UsageError("Unexpected arguments: %s" % " ".join(argv[1:]))
  if (_MODEL.value is None) == (_MODEL_PATH.value is None):
    raise app.UsageError("Give exactly one of --model (a zoo model, trained "
                         "first) and --model_path (a trained model file).")
  if not _OUT_DIR.value:
    raise app.UsageError("--out_dir is required.")
  if _THREADS.value:
    tf.config.threading.set_intra_op_parallelism_threads(_THREADS.value)
    tf.config.threading.set_inter_op_parallelism_threads(1)
  zoo_name = _MODEL.value
  if _MODEL_PATH.value:
    try:
      model = io_utils.load_model(_MODEL_PATH.value)
    except (ValueError, OSError) as e:
      raise app.UsageError("--model_path: %s" % e) from None
    if model.name in mlperf_tiny_models.list_models():
      zoo_name = model.name
  learning_rate, learning_rate_steps = _LEARNING_RATE.value, ()
  if learning_rate is None:
    recipe = (mlperf_tiny_models.get_model_info(zoo_name).recipe
              if zoo_name else None)
    learning_rate = recipe.learning_rate if recipe else 1e-3
    learning_rate_steps = recipe.learning_rate_steps if recipe else ()
  try:
    config = iterative.PruningConfig(
        method=_METHOD.value, epsilon=_EPSILON.value,
        reference=_REFERENCE.value, second_chance=_SECOND_CHANCE.value,
        retry_saving_cap=_RETRY_SAVING_CAP.value,
        budget=_BUDGET.value, bn_calibration=_BN_CALIBRATION.value,
        upper_bound=_UPPER_BOUND.value, overall_ratio=_OVERALL_RATIO.value,
        max_iterations=_MAX_ITERATIONS.value,
        fine_tune_epochs=_FINE_TUNE_EPOCHS.value,
        decision_seeds=_DECISION_SEEDS.value,
        batch_size=_BATCH_SIZE.value, learning_rate=learning_rate,
        learning_rate_steps=learning_rate_steps,
        training_epochs=_TRAINING_EPOCHS.value,
        annealing_steps=_ANNEALING_STEPS.value,
        accuracy_weight=_ACCURACY_WEIGHT.value, val_subset=_VAL_SUBSET.value,
        seed=_SEED.value, plan=_PLAN.value, model_name=zoo_name,
        tile_overrides=parse_tile_overrides(_TILE_OVERRIDES.value) or None)
  except ValueError as e:
    raise app.UsageError(str(e).replace("PruningConfig.", "--")) from None
  out_dir = _OUT_DIR.value
  if (os.path.exists(os.path.join(out_dir, "state.json")) and
      not _RESUME.value):
    raise app.UsageError("%s already holds a run: rerun with --resume to "
                         "continue it, or choose another --out_dir." % out_dir)

  if _MODEL_PATH.value:
    dataset = _DATASET.value
    if dataset is None and zoo_name:
      dataset = mlperf_tiny_models.get_model_info(zoo_name).dataset
    if dataset is None:
      raise app.UsageError("--dataset is required: model %r is not a zoo "
                           "model." % model.name)
    data = _load_data(dataset, _DATA_DIR.value)
    baseline_wall_s = 0.0
  else:
    if mlperf_tiny_models.get_model_info(_MODEL.value).dataset is None:
      raise app.UsageError("Model %s has no data set to train on; give "
                           "--model_path and --dataset." % _MODEL.value)
    try:
      dataset = training.dataset_for(_MODEL.value, _DATASET.value)
    except ValueError as e:
      raise app.UsageError("--dataset: %s" % e) from None
    data = _load_data(dataset, _DATA_DIR.value)
    model, baseline_wall_s = pretrain(_MODEL.value, dataset, _DATA_DIR.value,
                                      out_dir, _PRETRAIN_EPOCHS.value,
                                      _SEED.value)

  pruner = iterative.IterativePruner(config, out_dir=out_dir,
                                     resume=_RESUME.value, verbose=True)
  try:
    result = pruner.run(model, data["train"], data["val"], data["test"],
                        baseline_wall_s=baseline_wall_s)
  except ValueError as e:
    logging.error("%s", e)
    sys.exit(1)
  chosen, base = result.summary["chosen"], result.summary["baseline"]
  # Beside model.keras, as training writes it: the exporter's default
  # calibration data set comes from here.
  io_utils.write_json(os.path.join(out_dir, training.METRICS_FILE), {
      "model": model.name, "dataset": dataset,
      "data": datasets.describe(dataset, _DATA_DIR.value),
      "data_dir": _DATA_DIR.value, "method": config.method,
      "val_accuracy": chosen["val_accuracy"] / 100,
      "test_accuracy": chosen["test_accuracy"] / 100})
  print("Chosen: iteration %d, val accuracy %.2f%% (baseline %.2f%%), test "
        "accuracy %.2f%%, accelerator outputs %d (baseline %d); summary in %s"
        % (chosen["iteration"], chosen["val_accuracy"], base["val_accuracy"],
           chosen["test_accuracy"], chosen["acc_outputs"],
           base["acc_outputs"], os.path.join(out_dir, "summary.json")))


if __name__ == "__main__":
  app.run(main)
