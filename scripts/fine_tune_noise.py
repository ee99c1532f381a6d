r"""Does the fine-tuning seed decide where the pruning loop stops?

Reads a finished benchmark run (scripts/benchmark.py --out_dir) and, for
each model and method, fine-tunes the steps that decided where its pruning
loop stopped (the chosen iteration and every one beyond epsilon), and the
reference, again with --seeds other seeds: the same pruned blocks from the
same start model, only the fine-tuning seed differs
(tf_iprune.benchmark.tuning_noise). Prints a markdown table: the drop the
run measured, the range over the seeds and how many stay within epsilon.

Example:
  python scripts/fine_tune_noise.py --out_dir=benchmarks --models=har_cnn \
      --methods=energy,intermittent --seeds=5
"""
import os
import sys

from absl import app
from absl import flags
import tqdm

from mlperf_tiny_models import datasets
from tf_iprune.benchmark import runner
from tf_iprune.benchmark import tuning_noise
from tf_iprune.pruning import iterative

FLAGS = flags.FLAGS
flags.DEFINE_string("out_dir", "benchmarks", "Output folder of a finished "
                    "scripts/benchmark.py run.")
flags.DEFINE_list("models", [], "Models of the run (default: all).")
flags.DEFINE_list("methods", ["energy", "intermittent"], "Block-pruning or "
                  "magnitude methods of the run.")
flags.DEFINE_integer("seeds", 5, "Fine-tuning seeds (0, 1, ...).",
                     lower_bound=1)
flags.DEFINE_multi_string("data_dir", [], "NAME=PATH: the local copy of a "
                          "real data set the run used, as for benchmark.py.")


def _rows():
  results = runner.read_results(FLAGS.out_dir)
  data_dirs = runner.data_dirs(FLAGS.data_dir)
  models = FLAGS.models or list(results["models"])
  rows = []
  for model in models:
    if model not in results["models"]:
      raise ValueError("--models: the run in %r has no %r (it has %s)." % (
          FLAGS.out_dir, model, ", ".join(results["models"])))
    runs = []
    for method in FLAGS.methods:
      if method not in results["models"][model] or method == "unpruned":
        raise ValueError("--methods: the run has no pruned %r model of %s."
                         % (method, model))
      folder = os.path.join(FLAGS.out_dir, model, method, "pruning")
      runs.append((method, folder, iterative.read_summary(folder)))
    dataset = results["models"][model]["dataset"]
    data = tuple(datasets.load(dataset, split, data_dirs.get(dataset))
                 for split in datasets.SPLITS)
    for method, folder, summary in runs:
      steps = tuning_noise.decisive_iterations(summary)
      tqdm.tqdm.write("%s / %s: steps %s, %d seeds" % (model, method, steps,
                                                       FLAGS.seeds))
      rows.append((model, method, tuning_noise.spread(
          folder, data, steps, range(FLAGS.seeds))))
  return rows


def main(argv):
  if len(argv) > 1:
    raise app.UsageError("Unexpected arguments: %s" % " ".join(argv[1:]))
  try:
    rows = _rows()
  except ValueError as e:
    sys.exit("Error: %s" % e)
  print(tuning_noise.table(rows))


if __name__ == "__main__":
  app.run(main)
