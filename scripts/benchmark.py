r"""Benchmarks iPrune against its baselines on the simulated MSP430 device.

For each model: train it on its data set, prune it with each method (same
settings and fine-tuning budget), export it, and run it on the host
simulator of msp430_runtime under each power strength. Writes:

  OUT_DIR/results.json        every measured number (see
                              tf_iprune/benchmark/runner.py);
  OUT_DIR/*.png               per-layer outputs and ratios, latency per
                              power, accuracy against latency;
  BENCHMARKS.md (--markdown)  the tables, with the command, date, machine,
                              code version (tf_iprune's and its git
                              commit) and the paper's figures beside ours.

Intermediate results live in OUT_DIR/MODEL/ (baseline, one folder per
method); a killed run continues with --resume, and --resume with a higher
--max_iterations continues the loops its cap stopped. --resimulate runs the
exported models of a finished run through the simulator again for their
latencies (after a simulator change, or with other --latency_inputs or
--back_to_back), without pruning again.

Latency under harvested power is the mean of --latency_inputs test inputs
run back to back: each inference starts with the energy the one before left
in the buffer, as on a device that infers continuously (the paper's
"average time to complete one single end-to-end inference").
--noback_to_back starts every inference with a full buffer instead.

--dataset=har_cnn=har_val7 trains, prunes and exports har_cnn on the same
HAR recordings with 7 of the 21 training subjects held out for validation
instead of 4: a larger split for the pruning loop's decisions.

How much a result owes to the seed: prune the same trained baselines again
with other seeds (--baselines_from, --seed), then name those runs in
--seed_runs of the main report, which adds a table of every run and the
spread of the speed-ups. Runs with other settings (a longer fine-tuning
budget, --decision_seeds, ...) named in --other_runs get a table of their
own, with the settings that differ and the claims each misses.
--report_only writes the plots and the report again from a finished run's
results.json (e.g. on a machine that has only the committed results.json
files), measuring nothing.

Examples:
  python scripts/benchmark.py --models=har_cnn --out_dir=benchmarks
  python scripts/benchmark.py --models=har_cnn --seed=1 \
      --baselines_from=benchmarks --out_dir=runs/seed1 --markdown=
  python scripts/benchmark.py --models=har_cnn --out_dir=benchmarks \
      --resume --seed_runs=runs/seed1
  python scripts/benchmark.py --report_only --seed_runs=runs/seed1 \
      --other_runs=runs/har_ft500
"""
import datetime
import os
import platform
import shlex
import sys

from absl import app
from absl import flags
from absl import logging

from tf_iprune import io_utils
from tf_iprune import provenance
from tf_iprune.benchmark import plots
from tf_iprune.benchmark import report
from tf_iprune.benchmark import runner
from tf_iprune.hardware import tiling
from tf_iprune.pruning import iterative
from tf_iprune.pruning import strategy

FLAGS = flags.FLAGS
flags.DEFINE_list("models", list(runner.BenchmarkConfig.models),
                  "Zoo models.")
flags.DEFINE_list("methods", list(runner.METHODS), "Pruning methods.")
flags.DEFINE_list("power", list(runner.POWERS), "Power strengths.")
flags.DEFINE_list("data_dir", [], "Local copies of real data sets as "
                  "NAME=PATH pairs (e.g. kws=/data/speech_commands_v0.02); "
                  "other data sets use the embedded data.")
flags.DEFINE_list("dataset", [], "MODEL=DATASET pairs: train, prune and "
                  "export MODEL on another data set with the same inputs "
                  "and classes, e.g. har_cnn=har_val7 (7 validation "
                  "subjects instead of 4); default: each model's own.")
flags.DEFINE_list("fine_tune_epochs", [], "Fine-tuning epochs per pruning "
                  "iteration, the same for every method: N for every model "
                  "or MODEL=N pairs, N a count or 'recipe' (the model's "
                  "whole training recipe, as the reference implementation "
                  "fine-tunes); default: %s." % ", ".join(
                      "%s=%d" % kv for kv in runner.FINE_TUNE_EPOCHS.items()))
flags.DEFINE_integer("pretrain_epochs", None, "Baseline training epochs "
                     "(default: the model's recipe).", lower_bound=1)
flags.DEFINE_integer("max_iterations", iterative.PruningConfig.max_iterations,
                     "Pruning iterations at most (a safety net: the loop "
                     "ends at its second drop beyond epsilon).",
                     lower_bound=1)
flags.DEFINE_float("epsilon", 1.0, "Tolerated accuracy drop, in points.")
flags.DEFINE_integer("decision_seeds", 1, "Fine-tuning runs whose mean "
                     "validation accuracy decides each pruning step "
                     "against epsilon (the first run's model is kept).",
                     lower_bound=1)
flags.DEFINE_enum("second_chance", "retry", list(iterative.SECOND_CHANCES),
                  "After the first drop beyond epsilon: retry from the last "
                  "model within epsilon with half the step, or continue "
                  "from the failed model.")
flags.DEFINE_boolean("retry_saving_cap",
                     iterative.PruningConfig.retry_saving_cap,
                     "With --second_chance=retry: the retry may also remove "
                     "at most half the accelerator outputs (energy) the "
                     "rejected step removed, not only spend half its "
                     "budget.")
flags.DEFINE_enum("budget", iterative.PruningConfig.budget,
                  list(strategy.BUDGETS), "What an iteration's overall "
                  "pruning ratio is a share of: the remaining weights (the "
                  "paper's), or the cost the method's criterion can remove, "
                  "each weight priced at its layer's cost per weight.")
flags.DEFINE_integer("bn_calibration", 512, "Training examples on which "
                     "the search re-estimates BatchNorm statistics "
                     "(adaptive BatchNorm); 0: the model's own.",
                     lower_bound=0)
flags.DEFINE_float("upper_bound", 0.4, "Upper bound of an iteration's "
                   "overall pruning ratio.")
flags.DEFINE_integer("annealing_steps", 300, "Simulated-annealing moves.",
                     lower_bound=1)
flags.DEFINE_float("accuracy_weight", iterative.PruningConfig.accuracy_weight,
                   "Weight of (accuracy drop before fine-tuning / epsilon)^2 "
                   "in the annealing objective, against the criterion cost "
                   "as a fraction of the dense model's.", lower_bound=0)
flags.DEFINE_enum("plan", None, tiling.PLANS, "Tile plan; default: the "
                  "reference implementation's for har_cnn, cks_cnn and sqn, "
                  "'auto' for the others.")
flags.DEFINE_integer("q15_samples", None, "Test samples simulated for the "
                     "Q15 accuracy (default: the whole test split).",
                     lower_bound=1)
flags.DEFINE_integer("latency_inputs", 20, "Test inputs simulated per "
                     "power strength.", lower_bound=1)
flags.DEFINE_bool("back_to_back", True, "Latency: the mean of the latency "
                  "inputs run back to back, each starting with the energy "
                  "the one before left; false: each starts with a full "
                  "energy buffer.")
flags.DEFINE_integer("seed", 0, "Seed of everything.")
flags.DEFINE_string("out_dir", "benchmarks", "Output folder.")
flags.DEFINE_string("markdown", "BENCHMARKS.md", "Markdown report to write "
                    "('' for none).")
flags.DEFINE_bool("resume", False, "Continue the run in --out_dir.")
flags.DEFINE_bool("resimulate", False, "Continue the run in --out_dir and "
                  "simulate the latencies of its finished methods again "
                  "(their exported models; nothing is pruned again).")
flags.DEFINE_string("baselines_from", None, "Output folder of an earlier "
                    "run whose trained baselines (FOLDER/MODEL/baseline) to "
                    "use instead of training.")
flags.DEFINE_list("seed_runs", [], "Output folders of the same benchmark run "
                  "with other seeds (and --baselines_from=--out_dir); their "
                  "results.json are tabulated in the markdown report as the "
                  "variation over seeds.")
flags.DEFINE_list("other_runs", [], "Output folders of the benchmark run "
                  "with other settings (e.g. --fine_tune_epochs, "
                  "--decision_seeds); the markdown report tabulates them "
                  "with the settings that differ and the claims each "
                  "misses.")
flags.DEFINE_bool("report_only", False, "Write the plots and --markdown "
                  "from the results.json of the finished run in --out_dir "
                  "(and --seed_runs, --other_runs); nothing is trained, "
                  "pruned or simulated, and results.json is not changed.")


def config_from_flags():
  """The BenchmarkConfig of the command line."""
  return runner.BenchmarkConfig(
      models=tuple(FLAGS.models), methods=tuple(FLAGS.methods),
      powers=tuple(FLAGS.power), data_dirs=runner.data_dirs(FLAGS.data_dir),
      datasets=runner.model_datasets(FLAGS.dataset),
      plan=FLAGS.plan, pretrain_epochs=FLAGS.pretrain_epochs,
      q15_samples=FLAGS.q15_samples, latency_inputs=FLAGS.latency_inputs,
      back_to_back=FLAGS.back_to_back, seed=FLAGS.seed,
      fine_tune_epochs=runner.fine_tune_epochs(FLAGS.fine_tune_epochs,
                                               FLAGS.models),
      pruning=dict(max_iterations=FLAGS.max_iterations,
                   epsilon=FLAGS.epsilon, upper_bound=FLAGS.upper_bound,
                   second_chance=FLAGS.second_chance,
                   retry_saving_cap=FLAGS.retry_saving_cap,
                   budget=FLAGS.budget,
                   decision_seeds=FLAGS.decision_seeds,
                   bn_calibration=FLAGS.bn_calibration,
                   annealing_steps=FLAGS.annealing_steps,
                   accuracy_weight=FLAGS.accuracy_weight),
      baselines_from=FLAGS.baselines_from)


def _read_runs(folders, flag):
  """The results.json of each folder of a flag's list."""
  try:
    return [runner.read_results(folder) for folder in folders]
  except ValueError as e:
    raise ValueError("%s: %s" % (flag, e)) from None


def machine():
  return "%s, %s, %s, %d cores, Python %s" % (
      platform.node() or "unknown host", platform.platform(),
      provenance.cpu_model(), os.cpu_count() or 0,
      platform.python_version())


def main(argv):
  if len(argv) > 1:
    raise app.UsageError("Unexpected arguments: %s" % " ".join(argv[1:]))
  if FLAGS.report_only and (FLAGS.resume or FLAGS.resimulate):
    raise app.UsageError("--report_only reads a finished run; it cannot be "
                         "combined with --resume or --resimulate.")
  try:
    seed_runs = _read_runs(FLAGS.seed_runs, "--seed_runs")
    other_runs = list(zip(FLAGS.other_runs,
                          _read_runs(FLAGS.other_runs, "--other_runs")))
    if FLAGS.report_only:
      results = runner.read_results(FLAGS.out_dir)
    else:
      config = config_from_flags()
      results = runner.run(config, FLAGS.out_dir, resume=FLAGS.resume,
                           resimulate=FLAGS.resimulate)
  except ValueError as e:
    sys.exit("Error: %s" % e)
  command = "python " + " ".join(shlex.quote(a) for a in sys.argv)
  date = datetime.datetime.now(datetime.timezone.utc).strftime(
      "%Y-%m-%d %H:%M UTC")
  results_path = os.path.join(FLAGS.out_dir, runner.RESULTS_FILE)
  written_by = None
  if FLAGS.report_only:  # The measuring run's settings and provenance.
    written_by = (command, date)
    command, date = results["command"], results["date"]
    powers = results["config"]["powers"]
    epsilon = results["config"]["pruning"]["epsilon"]
  else:
    results.update(command=command, date=date, machine=machine(),
                   code_version=provenance.code_version(),
                   stack=provenance.software_stack())
    io_utils.write_json(results_path, results)
    powers, epsilon = config.powers, FLAGS.epsilon
  names = plots.write_all(results, powers, FLAGS.out_dir)
  if FLAGS.markdown:
    rel = os.path.relpath(FLAGS.out_dir,
                          os.path.dirname(os.path.abspath(FLAGS.markdown)))
    made_on = "; ".join(  # Older runs lack code_version and stack.
        results[key] for key in ("machine", "stack", "code_version")
        if key in results)
    io_utils.write_text(FLAGS.markdown, report.markdown(
        results, command, date, made_on, powers, epsilon,
        [os.path.join(rel, n) for n in names], seed_runs, other_runs,
        written_by))
  print(report.summary_text(results, powers))
  written = ([] if FLAGS.report_only else [results_path]) + (
      [FLAGS.markdown] if FLAGS.markdown else [])
  logging.info("Wrote %s.", ", ".join(written + ["the plots in " +
                                                 FLAGS.out_dir]))


if __name__ == "__main__":
  app.run(main)
