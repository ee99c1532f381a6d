r"""What a pruning iteration's fine-tuning does to the unpruned model.

Fine-tunes each model's trained baseline with no block pruned, exactly as
the benchmark's pruning iterations fine-tune (its --fine_tune_epochs, the
recipe's batch size), per learning-rate schedule (--schedules: the last
epochs of the training schedule; the whole schedule, as the pruning
fine-tunes; its first or last rate held constant), with --seeds seeds
(tf_iprune.benchmark.fine_tune_control). Prints a markdown table of the
validation and test accuracy beside the baseline's: a drop here is the
fine-tuning's, not the pruning's.

Example:
  python scripts/fine_tune_control.py --baselines_from=benchmarks \
      --models=cks_cnn,kws_dscnn --seeds=3
"""
import os
import sys

from absl import app
from absl import flags

import mlperf_tiny_models
from mlperf_tiny_models import datasets
from mlperf_tiny_models import training
from tf_iprune import io_utils
from tf_iprune.benchmark import fine_tune_control
from tf_iprune.benchmark import runner
from tf_iprune.pruning import pruning_policy

FLAGS = flags.FLAGS
flags.DEFINE_string("baselines_from", "benchmarks", "Output folder of a "
                    "scripts/benchmark.py run: its FOLDER/MODEL/baseline.")
flags.DEFINE_list("models", ["cks_cnn", "kws_dscnn"], "Models.")
flags.DEFINE_list("fine_tune_epochs", [], "Epochs as for benchmark.py (N or "
                  "MODEL=N or 'recipe'); default: the benchmark's.")
flags.DEFINE_list("schedules", list(fine_tune_control.SCHEDULES),
                  "Learning-rate schedules: %s." %
                  ", ".join(fine_tune_control.SCHEDULES))
flags.DEFINE_integer("seeds", 3, "Fine-tuning seeds (0, 1, ...).",
                     lower_bound=1)
flags.DEFINE_multi_string("data_dir", [], "NAME=PATH: the local copy of a "
                          "real data set the baselines used.")


def _rows():
  config = runner.BenchmarkConfig(
      models=tuple(FLAGS.models), data_dirs=runner.data_dirs(FLAGS.data_dir),
      fine_tune_epochs=runner.fine_tune_epochs(FLAGS.fine_tune_epochs,
                                               FLAGS.models))
  rows = []
  for name in config.models:
    baseline_dir = runner.trained_baseline_dir(FLAGS.baselines_from, name)
    metrics = io_utils.read_json(os.path.join(baseline_dir,
                                              training.METRICS_FILE))
    info = mlperf_tiny_models.get_model_info(name)
    data_dir = config.data_dirs.get(info.dataset)
    data = tuple(datasets.load(info.dataset, split, data_dir)
                 for split in datasets.SPLITS)
    policy = pruning_policy.IntermittentPolicy(config.plan_for(name), name)
    rows.append((name, fine_tune_control.control(
        io_utils.load_model(os.path.join(baseline_dir, training.MODEL_FILE)),
        policy, data, config.fine_tune_epochs_for(name), info.recipe,
        metrics["epochs"], range(FLAGS.seeds), FLAGS.schedules)))
  return rows


def main(argv):
  if len(argv) > 1:
    raise app.UsageError("Unexpected arguments: %s" % " ".join(argv[1:]))
  try:
    rows = _rows()
  except ValueError as e:
    sys.exit("Error: %s" % e)
  print(fine_tune_control.table(rows))


if __name__ == "__main__":
  app.run(main)
