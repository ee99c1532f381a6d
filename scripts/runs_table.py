r"""One model in several finished benchmark runs, every method side by side.

Prints a markdown table, a row per run and method, of what each run's
results.json holds: test accuracy, accelerator outputs, MACs, iterations,
and latency and power cycles at --power (the tables of
docs/benchmark_analysis.md). With --retries, what each method's retry
removed (in accelerator outputs) against the rejected step it retried.

Example:
  python scripts/runs_table.py --model=kws_dscnn \
      --runs=benchmarks/kws_ft36,benchmarks/kws_ft36_seed1
"""
import sys

from absl import app
from absl import flags

from tf_iprune.benchmark import report
from tf_iprune.benchmark import runner

FLAGS = flags.FLAGS
flags.DEFINE_list("runs", [], "Output folders of finished scripts/benchmark.py "
                  "runs, in the order of the table.")
flags.DEFINE_string("model", None, "The model to tabulate, e.g. kws_dscnn.")
flags.DEFINE_enum("power", "4mW", runner.POWERS, "Power strength of the "
                  "latency and power cycles.")
flags.DEFINE_boolean("retries", False, "Print, per run and method, the "
                     "outputs the retry removed against those of the "
                     "rejected step it retried, instead.")
flags.mark_flag_as_required("model")


def main(argv):
  if len(argv) > 1:
    raise app.UsageError("Unexpected arguments: %s" % " ".join(argv[1:]))
  if not FLAGS.runs:
    raise app.UsageError("--runs names no folder.")
  try:
    named_runs = [(folder, runner.read_results(folder))
                  for folder in FLAGS.runs]
    if FLAGS.retries:
      print(report.retries_table(named_runs, FLAGS.model))
    else:
      print(report.runs_table(named_runs, FLAGS.model, FLAGS.power))
  except ValueError as e:
    sys.exit("Error: %s" % e)


if __name__ == "__main__":
  app.run(main)
