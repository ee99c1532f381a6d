r"""Accuracy per subject of a benchmark run's HAR models.

Reads a finished benchmark run (scripts/benchmark.py --out_dir) and prints
a markdown table of each method's chosen model's accuracy on every
validation subject (the pruning loop decides on them) and every test
subject (the benchmark reports them) of the HAR data
(tf_iprune.benchmark.subjects).

Example (after `make demo`, whose run folder holds its models):
  python scripts/subject_accuracy.py --out_dir=runs/demo \
      --methods=unpruned,energy,intermittent
"""
import os
import sys

from absl import app
from absl import flags

from tf_iprune import io_utils
from tf_iprune.benchmark import runner
from tf_iprune.benchmark import subjects

FLAGS = flags.FLAGS
flags.DEFINE_string("out_dir", "runs/demo", "Output folder of a finished "
                    "scripts/benchmark.py run (one that holds its models).")
flags.DEFINE_string("model", "har_cnn", "Model of the run; its data set "
                    "must be split by subject (har, har_val7).")
flags.DEFINE_list("methods", ["unpruned", "energy", "intermittent"],
                  "Methods of the run, one column each.")
flags.DEFINE_string("data_dir", None, "The local copy of UCI HAR the run "
                    "used (its --data_dir=har=PATH); default: the embedded "
                    "HAPT windows.")


def _table():
  results = runner.read_results(FLAGS.out_dir)
  dataset = subjects.split_by_subject(results, FLAGS.model)
  paths = {m: subjects.method_model_path(FLAGS.out_dir, FLAGS.model, m)
           for m in FLAGS.methods}
  for method, path in paths.items():
    if not os.path.exists(path):
      raise ValueError("--methods: the run has no %r model of %s (no %s)."
                       % (method, FLAGS.model, path))
  windows = {split: subjects.load_windows(dataset, split, FLAGS.data_dir)
             for split in subjects.SPLITS}
  accuracies = {}
  for method, path in paths.items():
    model = io_utils.load_model(path)
    accuracies[method] = {split: subjects.accuracy_by_subject(model, w)
                          for split, w in windows.items()}
  return subjects.table(accuracies)


def main(argv):
  if len(argv) > 1:
    raise app.UsageError("Unexpected arguments: %s" % " ".join(argv[1:]))
  try:
    table = _table()
  except ValueError as e:
    sys.exit("Error: %s" % e)
  print(table)


if __name__ == "__main__":
  app.run(main)
