"""Tables of benchmark results: BENCHMARKS.md and the main job's summary.

Everything here formats numbers from results.json (see runner.py); nothing
is computed that the runner did not measure, except ratios of measured
numbers (speed-ups, reductions).
"""
import os

from tf_iprune.benchmark import paper
from tf_iprune.pruning import iterative

METHOD_NAMES = {"unpruned": "Unpruned", "magnitude": "tfmot magnitude",
                "energy": "ePrune (energy)", "intermittent": "iPrune"}
KB = 1024.0


def _methods(model_results):
  return [m for m in METHOD_NAMES if m in model_results]


def speedup(results, model, power, over):
  """Latency of `over` divided by iPrune's, or None if either is missing."""
  r = results["models"][model]
  if "intermittent" not in r or over not in r:
    return None
  mine = r["intermittent"]["power"].get(power)
  theirs = r[over]["power"].get(power)
  if not mine or not theirs:
    return None
  return theirs["latency_s"] / mine["latency_s"]


def output_reduction(results, model, over="energy"):
  """1 - iPrune's accelerator outputs / `over`'s."""
  r = results["models"][model]
  if "intermittent" not in r or over not in r:
    return None
  return 1 - r["intermittent"]["acc_outputs"] / r[over]["acc_outputs"]


def characteristics_table(results):
  """Table III: accuracy (float, Q15), size, MACs, accelerator outputs."""
  lines = ["| model | method | accuracy (float) | accuracy (Q15, device) | "
           "size (KB, BSR) | MACs (K) | acc. outputs (K) | iterations | "
           "paper: accuracy / KB / MACs K / outputs K |",
           "|---|---|---|---|---|---|---|---|---|"]
  for model, r in results["models"].items():
    for method in _methods(r):
      m = r[method]
      published = paper.TABLE_III.get(model, {}).get(method)
      paper_cell = ("%.1f%% / %d / %d / %d" % (
          100 * published[0], *published[1:]) if published else "")
      lines.append("| %s | %s | %.2f%% | %.2f%% | %.1f | %.0f | %.1f | %d | "
                   "%s |" % (
                       model, METHOD_NAMES[method], 100 * m["test_accuracy"],
                       100 * m["test_accuracy_q15"], m["bsr_bytes"] / KB,
                       m["macs"] / 1e3, m["acc_outputs"] / 1e3,
                       m["iterations"], paper_cell))
  return "\n".join(lines)


def latency_table(results, powers):
  """Fig. 5: latency per power strength, and iPrune's speed-ups."""
  lines = ["| model | power | %s | iPrune speed-up over unpruned / ePrune / "
           "magnitude |" % " | ".join(METHOD_NAMES.values()),
           "|---|---|%s---|" % ("---|" * len(METHOD_NAMES))]
  for model, r in results["models"].items():
    for power in powers:
      cells = []
      for method in METHOD_NAMES:
        p = r.get(method, {}).get("power", {}).get(power)
        cells.append("%.2f s (%.3g cycles)" % (p["latency_s"],
                                                p["power_cycles"])
                     if p else "")
      ups = [speedup(results, model, power, over)
             for over in ("unpruned", "energy", "magnitude")]
      lines.append("| %s | %s | %s | %s |" % (
          model, power, " | ".join(cells),
          " / ".join("%.2fx" % u if u else "-" for u in ups)))
  return "\n".join(lines)


# A line above each plot of plots.write_all that needs one.
PLOT_CAPTIONS = {
    "paths.png": "Every model each pruning loop went through (filled: within "
                 "epsilon on validation; hollow: beyond it; star: chosen), "
                 "test accuracy against the hardware model's latency: the "
                 "methods at equal accuracy, not only where their loops "
                 "stopped.\n\n",
}


def latency_definition(results):
  """How the run measured latency under harvested power (its config)."""
  config = results.get("config", {})
  inputs = config.get("latency_inputs", "the")
  if config.get("back_to_back"):
    return ("Ours: the mean of %s test inputs run back to back, each "
            "starting with the energy the one before left in the buffer "
            "(the paper's \"average time to complete one single end-to-end "
            "inference\"; power cycles are means too)." % inputs)
  return ("Ours: the mean of %s test inputs, each starting with a full "
          "energy buffer." % inputs)


def time_table(results):
  """Where the time goes: accelerator layers (what pruning can shrink) and
  the rest (pooling, add, concat), per model and method."""
  lines = ["| model | method | accelerator layers (s) | other layers (s) | "
           "other share |", "|---|---|---|---|---|"]
  for model, r in results["models"].items():
    for method in _methods(r):
      layers = r[method]["layers"]
      accel = sum(l["seconds"] for l in layers if l["weights"])
      other = sum(l["seconds"] for l in layers if not l["weights"])
      lines.append("| %s | %s | %.3f | %.3f | %.0f%% |" % (
          model, METHOD_NAMES[method], accel, other,
          100 * other / (accel + other)))
  return "\n".join(lines)


# The thresholds: (method, least speed-up, whether it may equal it).
THRESHOLDS = (("unpruned", 1.7, True), ("energy", 1.1, True),
              ("magnitude", 1.0, False))


def _claims(results, model, epsilon, power):
  """[(claim, text, met)] of one model's claims, as measured: claim names
  the threshold, text adds the measurement."""
  r = results["models"][model]
  drop = _drop(r, "intermittent")
  within = "within %g point%s" % (epsilon, "" if epsilon == 1 else "s")
  claims = [(within, "test accuracy %.2f%% vs unpruned %.2f%% (%s)" % (
      100 * r["intermittent"]["test_accuracy"],
      100 * r["baseline"]["test_accuracy"],
      within if drop <= epsilon else "NOT " + within), drop <= epsilon)]
  for over, need, equal_ok in THRESHOLDS:
    up = speedup(results, model, power, over)
    if up is not None:
      ok = up >= need if equal_ok else up > need
      bound = "%s%.1fx" % (">=" if equal_ok else ">", need)
      claims.append(("%s over %s" % (bound, METHOD_NAMES[over]),
                     "%.2fx over %s (%s %s)" % (
                         up, METHOD_NAMES[over], "meets" if ok else "MISSES",
                         bound), ok))
  return claims


def checks(results, epsilon, power="4mW"):
  """The benchmark's claims, model by model, as measured (no judgement
  beyond the thresholds of the issue: within epsilon of unpruned accuracy,
  >= 1.7x over unpruned, >= 1.1x over ePrune, faster than magnitude)."""
  return "\n".join(
      "- %s at %s: %s." % (model, power, "; ".join(
          text for _, text, _ in _claims(results, model, epsilon, power)))
      for model, r in results["models"].items() if "intermittent" in r)


def seed_checks(runs, epsilon, power="4mW"):
  """Per model: how many of the runs meet every claim they measured."""
  lines = []
  for model in runs[0]["models"]:
    verdicts = [all(ok for _, _, ok in _claims(results, model, epsilon,
                                               power))
                for results in runs
                if "intermittent" in results["models"].get(model, {})]
    if verdicts:
      lines.append("- %s: %d of %d runs meet every claim they measured." %
                   (model, sum(verdicts), len(verdicts)))
  return "\n".join(lines)


def _accepted(model_results, method):
  """The models a method's loop accepted (within epsilon on validation),
  the unpruned one (iteration 0) included."""
  return [p for p in model_results.get(method, {}).get("path", ())
          if p["within_epsilon"]]


def _fastest_within(model_results, method, epsilon, power):
  """The fastest accepted model within epsilon of the unpruned test
  accuracy (at worst the unpruned one), or None without a path."""
  near = [p for p in _accepted(model_results, method)
          if _points_below(model_results, p["test_accuracy"]) <= epsilon]
  return min(near, key=lambda p: p["latency_s"][power]) if near else None


def _pruned_accepted(model_results, method):
  return [p for p in _accepted(model_results, method) if p["iteration"]]


def _unmatched(model_results, method, other, power):
  """Iterations of the pruned models `method` accepted that no pruned model
  `other` accepted beats: none is faster and at least as accurate."""
  theirs = _pruned_accepted(model_results, other)
  return [p["iteration"] for p in _pruned_accepted(model_results, method)
          if not any(
              q["latency_s"][power] < p["latency_s"][power] and
              q["test_accuracy"] >= p["test_accuracy"] for q in theirs)]


def path_table(results, epsilon, power="4mW"):
  """iPrune against ePrune along their pruning paths, not only where the
  loops stopped.

  Per model, from the `path` of each method: the fastest model the loop
  accepted (within epsilon on validation) that is also within epsilon of
  the unpruned test accuracy, so picked with the test split, and the
  pruned models each loop accepted that no accepted model of the other
  beats (no pruned model the other loop accepted is faster and at least as
  accurate on test). Latency is the hardware model's, as in paths.png.
  """
  lines = ["| model | fastest accepted model within %g point of the "
           "unpruned test accuracy: iPrune / ePrune (iteration: latency at "
           "%s) | iPrune speed-up over ePrune there | accepted models the "
           "other method does not beat: iPrune / ePrune |" % (epsilon, power),
           "|---|---|---|---|"]
  for model, r in results["models"].items():
    best = {m: _fastest_within(r, m, epsilon, power)
            for m in ("intermittent", "energy")}
    if None in best.values():
      continue
    unmatched = {m: _unmatched(r, m, o, power) for m, o in (
        ("intermittent", "energy"), ("energy", "intermittent"))}
    lines.append("| %s | %s | %.2fx | %s |" % (
        model, " / ".join("it. %d: %.2f s" % (best[m]["iteration"],
                                               best[m]["latency_s"][power])
                          for m in best),
        best["energy"]["latency_s"][power] /
        best["intermittent"]["latency_s"][power],
        " / ".join("%d of %d" % (len(unmatched[m]),
                                 len(_pruned_accepted(r, m)))
                   for m in unmatched)))
  return "\n".join(lines)


def _points_below(model_results, test_accuracy):
  """Test accuracy points below the unpruned baseline's.

  Keras reports accuracies in float32 (0.925 is 0.925000011920929), so the
  drop is rounded to 1e-4 points (one example in a million): 12 of 1,200
  examples are 1 point, not 1.0000012, and within an epsilon of 1. Adding
  0.0 turns a drop rounded to -0.0 into 0.
  """
  return round(100 * (model_results["baseline"]["test_accuracy"] -
                      test_accuracy), 4) + 0.0


def _drop(model_results, method):
  """Test accuracy points a method's chosen model lost against the unpruned
  baseline."""
  return _points_below(model_results, model_results[method]["test_accuracy"])


_OVERS = ("unpruned", "energy", "magnitude")


def _run_columns(power):
  """Headings of _run_cells."""
  return ("acc. outputs (K) iPrune / ePrune | test accuracy drop (points) "
          "iPrune / ePrune | iPrune speed-up at %s over %s" % (
              power, " / ".join(METHOD_NAMES[o] for o in _OVERS)))


def _run_cells(results, model, power):
  """One model of one run: outputs, accuracy drops and speed-ups."""
  r = results["models"][model]

  def pair(f):
    return " / ".join(f(m) if m in r else "-"
                      for m in ("intermittent", "energy"))

  ups = [speedup(results, model, power, o) for o in _OVERS]
  return "%s | %s | %s" % (
      pair(lambda m: "%.1f" % (r[m]["acc_outputs"] / 1e3)),
      pair(lambda m: "%.2f" % _drop(r, m)),
      " / ".join("%.2fx" % u if u else "-" for u in ups))


def seed_table(runs, power="4mW"):
  """The same benchmark pruned with other seeds: how much the result varies.

  Args:
    runs: results of the runs (each names its seed in its config), the
      main run first; a model of the main run that another run lacks has no
      row for that run.
    power: Power strength of the speed-ups.

  Returns:
    A markdown table, one row per model and seed and, per model, a row with
    the mean and range of each speed-up over the seeds that measured it.
  """
  lines = ["| model | seed | %s |" % _run_columns(power),
           "|---|---|---|---|---|"]
  for model in runs[0]["models"]:
    ups = {o: [] for o in _OVERS}
    for results in runs:
      r = results["models"].get(model)
      if not r or "intermittent" not in r:
        continue
      for o in _OVERS:
        u = speedup(results, model, power, o)
        if u is not None:
          ups[o].append(u)
      lines.append("| %s | %d | %s |" % (model, results["config"]["seed"],
                                         _run_cells(results, model, power)))
    if len(ups["unpruned"]) > 1:  # Over the runs that have the method.
      lines.append("| %s | mean (range) | | | %s |" % (model, " / ".join(
          "%.2fx (%.2f-%.2f)" % (sum(u) / len(u), min(u), max(u))
          if len(u) > 1 else "-" for u in ups.values())))
  return "\n".join(lines)


# BenchmarkConfig fields (runner.py) that change what a run measures, and
# the flag of scripts/benchmark.py that sets each; the rest (models,
# methods, folders) only say what was run.
_SETTING_FLAGS = {
    "seed": "seed", "plan": "plan", "fine_tune_epochs": "fine_tune_epochs",
    "pretrain_epochs": "pretrain_epochs", "data_dirs": "data_dir",
    "datasets": "dataset",
    "q15_samples": "q15_samples", "latency_inputs": "latency_inputs",
    "back_to_back": "back_to_back"}


# Settings added after every run older than them was made the same way: a
# config that does not record one had this value.
_ADDED_SETTINGS = dict({"budget": "weights", "accuracy_weight": 0.001,
                        "dataset": {}}, **iterative.BEFORE_ADDED)


def _settings(config):
  """{flag: value} of a run's config, its pruning settings included."""
  flat = dict(_ADDED_SETTINGS)
  flat.update({_SETTING_FLAGS[k]: v for k, v in config.items()
               if k in _SETTING_FLAGS})
  flat.update(config.get("pruning", {}))
  return flat


def settings_difference(main, other):
  """The flags by which run config `other` differs from `main`.

  A setting that one of the two configs does not record (a run older than
  the setting) is not compared, unless every older run had the same value
  of it (`_ADDED_SETTINGS`).

  Returns:
    A list of flags, e.g. ['--fine_tune_epochs=har_cnn=500', '--seed=1'].
  """
  main, other = _settings(main), _settings(other)
  flags = []
  for flag in sorted(set(main) & set(other)):
    a, b = main[flag], other[flag]
    if isinstance(b, dict):  # MODEL=VALUE pairs; absent: the default.
      flags += ["--%s=%s=%s" % (flag, k, b.get(k, "default"))
                for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k)]
    elif a != b:
      flags.append("--no%s" % flag if b is False else
                   "--%s" % flag if b is True else
                   "--%s=%s" % (flag, "default" if b is None else b))
  return flags


def other_runs_table(main, other_runs, epsilon, power="4mW"):
  """The benchmark with other settings: one row per run and model.

  Args:
    main: results of the main run, whose settings the others are compared
      with.
    other_runs: (name, results) of each other run; name: its folder.
    epsilon: Tolerated accuracy drop, in points, for the claims.
    power: Power strength of the speed-ups and claims.
  """
  lines = ["| model | run | settings other than the main run's | %s | "
           "claims missed |" % _run_columns(power),
           "|---|---|---|---|---|---|---|"]
  for name, results in other_runs:
    flags = " ".join("`%s`" % f for f in settings_difference(
        main.get("config", {}), results.get("config", {}))) or "none"
    for model, r in results["models"].items():
      if "intermittent" not in r:
        continue
      missed = [claim for claim, _, ok in _claims(results, model, epsilon,
                                                  power) if not ok]
      not_run = [METHOD_NAMES[over] for over, _, _ in THRESHOLDS
                 if speedup(results, model, power, over) is None]
      lines.append("| %s | %s | %s | %s | %s%s |" % (
          model, name, flags, _run_cells(results, model, power),
          ", ".join(missed) or "none",
          " (not run: %s)" % ", ".join(not_run) if not_run else ""))
  return "\n".join(lines)


def runs_table(named_runs, model, power="4mW"):
  """One model in several runs, every method side by side.

  Args:
    named_runs: (name, results) of each run; name: its folder.
    model: The model to tabulate.
    power: Power strength of the latency and power cycles.

  Returns:
    A markdown table, one row per run and method: test accuracy,
    accelerator outputs, MACs, iterations, latency and power cycles.

  Raises:
    ValueError: if no run has `model`.
  """
  lines = ["| run | method | test accuracy | acc. outputs | MACs | "
           "iterations | latency at %s | power cycles |" % power,
           "|---|---|---|---|---|---|---|---|"]
  for name, results in named_runs:
    r = results["models"].get(model, {})
    for method in _methods(r):
      m = r[method]
      p = m["power"].get(power)
      lines.append("| %s | %s | %.2f%% | %s | %.2f M | %d | %s | %s |" % (
          name, METHOD_NAMES[method], 100 * m["test_accuracy"],
          "{:,}".format(m["acc_outputs"]), m["macs"] / 1e6, m["iterations"],
          "%.2f s" % p["latency_s"] if p else "-",
          "%.4g" % p["power_cycles"] if p else "-"))
  if len(lines) == 2:
    raise ValueError("No run has model %r; the runs have %s." % (
        model, sorted({m for _, results in named_runs
                       for m in results["models"]})))
  return "\n".join(lines)


def retries_table(named_runs, model):
  """What each method's retry removed, against the step it retried.

  The retry is the first iteration with a smaller step (`step_scale` < 1);
  the step it retried is the one before it, rejected, which pruned the
  same model (`start_iteration`). Both are counted in accelerator outputs
  removed from that model (ePrune's criterion is energy, so its retry's
  cap does not bound this count).

  Args:
    named_runs: (name, results) of each run; name: its folder.
    model: The model to tabulate.

  Returns:
    A markdown table, one row per run and method with a retry: the
    rejected step (iteration and outputs removed), the retry (iteration,
    outputs removed and their share of the rejected step's) and whether
    the retry was within epsilon. Runs whose results.json does not record
    where each step started (made before it was recorded) are listed
    as such; methods that made no step (the unpruned model) are left out.

  Raises:
    ValueError: if no run has `model`.
  """
  lines = ["| run | method | rejected step: outputs removed | "
           "retry: outputs removed (share) | retry within epsilon |",
           "|---|---|---|---|---|"]
  found = False
  for name, results in named_runs:
    r = results["models"].get(model)
    if r is None:
      continue
    found = True
    for method in _methods(r):
      path = r[method].get("path") or []
      if len(path) < 2:
        continue
      if any("start_iteration" not in p for p in path):
        lines.append("| %s | %s | not recorded | | |" % (
            name, METHOD_NAMES[method]))
        continue
      retry = next((p for p in path[1:] if p["step_scale"] < 1), None)
      if retry is None:
        continue
      outputs = {p["iteration"]: p["acc_outputs"] for p in path}
      rejected = path[retry["iteration"] - 1]
      start = outputs[retry["start_iteration"]]
      removed = start - rejected["acc_outputs"]
      again = start - retry["acc_outputs"]
      lines.append("| %s | %s | %d: %s | %d: %s (%s) | %s |" % (
          name, METHOD_NAMES[method], rejected["iteration"],
          "{:,}".format(removed), retry["iteration"], "{:,}".format(again),
          "%.0f%%" % (100.0 * again / removed) if removed else "-",
          "yes" if retry["within_epsilon"] else "no"))
  if not found:
    raise ValueError("No run has model %r; the runs have %s." % (
        model, sorted({m for _, results in named_runs
                       for m in results["models"]})))
  return "\n".join(lines)


def summary_text(results, powers):
  """A compact plain-text table for a terminal (the main job)."""
  header = ("%-10s %-16s %8s %8s %8s %9s %9s" % (
      "model", "method", "acc", "acc Q15", "KB", "MACs K", "outputs K") +
            "".join(" %14s" % ("latency " + p) for p in powers) +
            "".join(" %9s" % ("cycles " + p) for p in powers if
                    p != "continuous"))
  lines = [header]
  for model, r in results["models"].items():
    for method in _methods(r):
      m = r[method]
      row = "%-10s %-16s %7.2f%% %7.2f%% %8.1f %9.1f %9.1f" % (
          model, METHOD_NAMES[method], 100 * m["test_accuracy"],
          100 * m["test_accuracy_q15"], m["bsr_bytes"] / KB, m["macs"] / 1e3,
          m["acc_outputs"] / 1e3)
      row += "".join(" %12.2f s" % m["power"][p]["latency_s"] for p in powers)
      row += "".join(" %9.3g" % m["power"][p]["power_cycles"]
                     for p in powers if p != "continuous")
      lines.append(row)
    for over in ("unpruned", "energy", "magnitude"):
      ups = ["%s %.2fx" % (p, speedup(results, model, p, over))
             for p in powers if speedup(results, model, p, over)]
      if ups:
        lines.append("  iPrune speed-up over %s: %s" % (
            METHOD_NAMES[over], ", ".join(ups)))
  return "\n".join(lines)


def markdown(results, command, date, machine, powers, epsilon, plots=(),
             seed_runs=(), other_runs=(), written_by=None):
  """BENCHMARKS.md.

  Args:
    seed_runs: results of the same benchmark pruned with other seeds
      (scripts/benchmark.py --seed_runs); adds a table of how the result
      varies.
    other_runs: (name, results) of the benchmark run with other settings
      (--other_runs); adds a table of them with the claims each misses.
    written_by: (command, date) of a run that wrote the report from the
      results of the run named by command and date (--report_only).
  """
  data = "\n".join("- %s: %s" % (m, r["data"])
                   for m, r in results["models"].items())
  reductions = [output_reduction(results, m) for m in results["models"]]
  reductions = [x for x in reductions if x is not None]
  reduction_text = ("iPrune has %.0f%% fewer accelerator outputs than ePrune "
                    "on average (at most %.0f%%); the paper reports %.0f%% "
                    "on average, up to %.0f%%." % (
                        100 * sum(reductions) / len(reductions),
                        100 * max(reductions),
                        100 * paper.FEWER_OUTPUTS_THAN_ENERGY_MEAN,
                        100 * paper.FEWER_OUTPUTS_THAN_ENERGY_MAX)
                    if reductions else "")
  figures = "\n".join("%s![%s](%s)" % (
      PLOT_CAPTIONS.get(os.path.basename(p), ""), p, p) for p in plots)
  seeds = ""
  if seed_runs:
    runs = [results] + list(seed_runs)
    seeds = """
## Variation over seeds

The same benchmark, its trained baselines reused, pruned again with other
seeds (fine-tuning order and initial states, annealing moves): each row
is a run, measured as above (test split; latency at 4mW); "-" marks a
method the run did not include.

%s

%s
""" % (seed_table(runs), seed_checks(runs, epsilon))
  others = ""
  if other_runs:
    others = """
## Other settings

The same benchmark with settings other than the main run's (each run's
command is in its results.json; test split; latency at 4mW; the claims
as above). They are not part of the main run's tables and claims.

%s
""" % other_runs_table(results, other_runs, epsilon)
  paths = ""
  paths_table = path_table(results, epsilon)
  if len(paths_table.splitlines()) > 2:  # A row below the heading.
    paths = """
## Along the pruning paths

Where a loop stops decides the claims above; every model a loop accepted
compares the criteria at equal accuracy (paths.png). Picked with the test
split, so a view of the paths, not a result of the method; latency by the
hardware model.

%s
""" % paths_table
  rewritten = ("\nThis file was written from that run's results.json by "
               "`%s` on %s; nothing was measured again.\n" % written_by
               if written_by else "")
  return """# Benchmarks

Generated by `%s` on %s (%s). Every number below was measured by that run
(with --resume, partly by the run it continued; with --resimulate, the
latencies by this run and the rest by the run it continued; each method's
result.json):
accuracy by Keras (float) and by the msp430_runtime host simulator (Q15,
the exported model on the full or a seeded subset of the test split),
latency, power cycles and NVM traffic by the simulator's energy model
(docs/design.md). The paper's figures (Lin et al., Table III and Fig. 5)
were measured on an MSP430FR5994 board with the original data sets; ours on
the data below, so compare trends, not values.
%s
Data:
%s

## Pruned models (cf. the paper's Table III)

%s

%s

## Intermittent inference latency (cf. the paper's Fig. 5)

The paper reports iPrune %.1fx to %.1fx faster than ePrune and %.1fx to %.1fx
faster than the unpruned models. %s

%s

## Where the time goes (continuous power)

Work of one inference in the accelerator layers, which pruning shrinks, and
in the others (pooling, add, concat), which it does not (the hardware
model's operation counts, equal to the simulator's).

%s

## Claims checked

%s

Why a claim is missed, and what was fixed on the way:
docs/benchmark_analysis.md.
%s%s%s
%s
""" % (command, date, machine, rewritten, data,
       characteristics_table(results),
       reduction_text, paper.SPEEDUP_OVER_ENERGY[0],
       paper.SPEEDUP_OVER_ENERGY[1], paper.SPEEDUP_OVER_UNPRUNED[0],
       paper.SPEEDUP_OVER_UNPRUNED[1], latency_definition(results),
       latency_table(results, powers),
       time_table(results), checks(results, epsilon), paths, seeds,
       others, figures)
