"""Tests for report: the benchmark's tables."""
import pytest

from tf_iprune.benchmark import report
from tf_iprune.benchmark import testing

POWERS = ("continuous", "8mW", "4mW")


def test_speedups_and_reductions_are_ratios_of_measurements():
  results = testing.results()
  assert report.speedup(results, "har_cnn", "4mW", "unpruned") == (
      pytest.approx(2.0))
  assert report.speedup(results, "har_cnn", "4mW", "energy") == (
      pytest.approx(1.25))
  assert report.speedup(results, "toy", "4mW", "magnitude") is None
  assert report.output_reduction(results, "har_cnn") == pytest.approx(
      1 - 500 / 800)


def test_checks_say_what_is_met_and_what_is_missed():
  text = report.checks(testing.results(), epsilon=1.0)
  har, toy = text.splitlines()
  assert "within 1 point" in har
  assert "2.00x over Unpruned (meets >=1.7x)" in har
  assert "1.25x over ePrune (energy) (meets >=1.1x)" in har
  assert "NOT within 1 point" in toy
  assert "MISSES >=1.7x" in toy and "MISSES >=1.1x" in toy


def test_markdown_has_the_tables_the_command_and_the_paper():
  text = report.markdown(testing.results(), "python scripts/benchmark.py",
                         "2026-11-22 00:00 UTC", "a machine", POWERS, 1.0,
                         ["benchmarks/latency.png"])
  assert "`python scripts/benchmark.py`" in text
  assert "2026-11-22 00:00 UTC (a machine)" in text
  assert "| har_cnn | iPrune | 89.50% | 89.50% | 2.0 | 2 | 0.5 | 2 | " \
         "92.7% / 9 / 108 / 44 |" in text
  assert "2.00x / 1.25x / 1.90x" in text
  assert "UCI HAPT recordings (real)" in text
  assert "![benchmarks/latency.png](benchmarks/latency.png)" in text
  paths = report.markdown(testing.results(), "cmd", "date", "machine",
                          POWERS, 1.0, ["out/paths.png"])
  assert "star: chosen" in paths and "![out/paths.png](out/paths.png)" in (
      paths)
  assert "fewer accelerator outputs than ePrune on average" in text
  # 0.6 + 0.15 of iPrune's 1.0 s in accelerator layers, 0.25 in the pool.
  assert "| har_cnn | iPrune | 0.750 | 0.250 | 25% |" in text


def test_latency_definition_follows_the_config():
  results = testing.results()
  results["config"].update(back_to_back=True, latency_inputs=20)
  text = report.markdown(results, "cmd", "date", "machine", POWERS, 1.0)
  assert "the mean of 20 test inputs run back to back" in text
  results["config"]["back_to_back"] = False
  assert "each starting with a full energy buffer" in (
      report.latency_definition(results))
  # Mean power cycles are fractions.
  results["models"]["har_cnn"]["intermittent"]["power"]["4mW"][
      "power_cycles"] = 11.25
  assert "(11.2 cycles)" in report.latency_table(results, POWERS)


def test_summary_text_lists_every_method_and_power():
  text = report.summary_text(testing.results(), POWERS)
  assert "iPrune" in text and "ePrune (energy)" in text
  assert "latency 4mW" in text
  assert "iPrune speed-up over Unpruned: continuous 2.00x, 8mW 2.00x, " \
         "4mW 2.00x" in text


def _other_seed(seed, latency):
  """testing.results() pruned again: iPrune takes `latency` s at 4mW."""
  results = testing.results()
  results["config"] = {"seed": seed}
  del results["models"]["toy"]
  results["models"]["har_cnn"]["intermittent"]["power"]["4mW"][
      "latency_s"] = latency
  return results


def test_seed_table_has_a_row_per_run_and_the_spread_of_speedups():
  runs = [testing.results(), _other_seed(1, 10.0), _other_seed(2, 2.5),
          _other_seed(3, 5.0)]
  del runs[3]["models"]["har_cnn"]["magnitude"]
  lines = report.seed_table(runs).splitlines()
  har = [l for l in lines if l.startswith("| har_cnn |")]
  assert har[0] == ("| har_cnn | 0 | 0.5 / 0.8 | 0.50 / 0.10 | "
                    "2.00x / 1.25x / 1.90x |")
  assert har[1].startswith("| har_cnn | 1 |")
  assert "| 1.00x / 0.62x / 0.95x |" in har[1]
  assert har[3].startswith("| har_cnn | 3 |") and har[3].endswith("/ - |")
  # Over unpruned (10 s): 2.00x, 1.00x, 4.00x, 2.00x; magnitude: 3 runs.
  assert har[4] == ("| har_cnn | mean (range) | | | 2.25x (1.00-4.00) / "
                    "1.41x (0.62-2.50) / 2.22x (0.95-3.80) |")
  toy = [l for l in lines if l.startswith("| toy |")]
  assert len(toy) == 1  # Only the main run has it: no spread row.
  # A speed-up only one run measured has no spread.
  mean, = [l for l in report.seed_table(runs[::3]).splitlines()
           if "| mean (range) |" in l]
  assert mean.startswith("| har_cnn |") and mean.endswith("/ - |")


def test_markdown_tabulates_seed_runs_only_when_given():
  args = (testing.results(), "cmd", "date", "machine", POWERS, 1.0)
  assert "Variation over seeds" not in report.markdown(*args)
  text = report.markdown(*args, seed_runs=[_other_seed(1, 10.0)])
  assert "## Variation over seeds" in text
  assert "| har_cnn | 1 |" in text
  # Seed 0 meets every claim; seed 1 is 1.0x over unpruned (10 s).
  assert "- har_cnn: 1 of 2 runs meet every claim they measured." in text
  assert "- toy: 0 of 1 runs meet" in text


def test_a_drop_of_exactly_epsilon_in_float32_is_within_it():
  results = testing.results()
  har = results["models"]["har_cnn"]
  har["baseline"]["test_accuracy"] = 0.925000011920929  # float32 0.925
  har["intermittent"]["test_accuracy"] = 0.915
  assert "(within 1 point)" in report.checks(results, epsilon=1.0)


def test_an_epsilon_other_than_one_is_in_points():
  results = testing.results()
  har = results["models"]["har_cnn"]
  har["baseline"]["test_accuracy"] = 0.925
  har["intermittent"]["test_accuracy"] = 0.915
  assert "(NOT within 0.5 points)" in report.checks(results, epsilon=0.5)


def test_settings_difference_names_the_flags_that_differ():
  main = {"seed": 0, "plan": None, "fine_tune_epochs": {},
          "back_to_back": True, "models": ["har_cnn"],
          "pruning": {"decision_seeds": 1, "max_iterations": 30}}
  other = {"seed": 1, "plan": "auto", "fine_tune_epochs": {"har_cnn": 500},
           "back_to_back": False, "models": ["kws_dscnn"],  # Not a setting.
           "pruning": {"decision_seeds": 3}}  # No max_iterations: older.
  assert report.settings_difference(main, other) == [  # By flag name.
      "--noback_to_back", "--decision_seeds=3",
      "--fine_tune_epochs=har_cnn=500", "--plan=auto", "--seed=1"]
  assert report.settings_difference(other, main) == [
      "--back_to_back", "--decision_seeds=1",
      "--fine_tune_epochs=har_cnn=default", "--plan=default", "--seed=0"]
  assert report.settings_difference(main, main) == []


def test_settings_difference_knows_the_value_older_runs_had():
  older = {"seed": 0, "pruning": {"decision_seeds": 1}}
  newer = {"seed": 0, "pruning": {"decision_seeds": 1, "budget": "weights"}}
  criterion = {"seed": 0, "pruning": {"budget": "criterion"}}
  assert report.settings_difference(older, newer) == []
  assert report.settings_difference(older, criterion) == [
      "--budget=criterion"]
  assert report.settings_difference(criterion, older) == ["--budget=weights"]
  heavier = {"seed": 0, "pruning": {"accuracy_weight": 0.01}}
  assert report.settings_difference(older, heavier) == [
      "--accuracy_weight=0.01"]
  assert report.settings_difference(older, {
      "seed": 0, "pruning": {"accuracy_weight": 0.001}}) == []
  capped = {"seed": 0, "pruning": {"retry_saving_cap": True}}
  assert report.settings_difference(older, capped) == ["--retry_saving_cap"]
  assert report.settings_difference(capped, older) == ["--noretry_saving_cap"]
  val7 = {"seed": 0, "datasets": {"har_cnn": "har_val7"}, "pruning": {}}
  assert report.settings_difference(older, val7) == [
      "--dataset=har_cnn=har_val7"]
  assert report.settings_difference(val7, older) == [
      "--dataset=har_cnn=default"]
  assert report.settings_difference(older, {"seed": 0, "datasets": {}}) == []


def test_other_runs_table_names_each_run_its_settings_and_missed_claims():
  main = testing.results()
  longer = testing.results()
  longer["config"] = {"seed": 0, "fine_tune_epochs": {"har_cnn": 500}}
  main["config"]["fine_tune_epochs"] = {}
  lines = report.other_runs_table(main, [("runs/ft500", longer)],
                                  epsilon=1.0).splitlines()
  assert len(lines) == 4  # Heading, rule, har_cnn, toy.
  assert lines[2] == (
      "| har_cnn | runs/ft500 | `--fine_tune_epochs=har_cnn=500` | "
      "0.5 / 0.8 | 0.50 / 0.10 | 2.00x / 1.25x / 1.90x | none |")
  assert lines[3].endswith("| within 1 point, >=1.7x over Unpruned, "
                           ">=1.1x over ePrune (energy) "
                           "(not run: tfmot magnitude) |")


def test_other_runs_table_says_which_baselines_were_not_run():
  main = testing.results()
  without = testing.results()
  for r in without["models"].values():
    r.pop("magnitude", None)
  lines = report.other_runs_table(main, [("runs/x", without)],
                                  epsilon=1.0).splitlines()
  assert lines[2].endswith(
      "| 2.00x / 1.25x / - | none (not run: tfmot magnitude) |")


def test_markdown_adds_other_runs_and_who_wrote_it_only_when_given():
  args = (testing.results(), "cmd", "date", "machine", POWERS, 1.0)
  plain = report.markdown(*args)
  assert "## Other settings" not in plain
  assert "written from that run's results.json" not in plain
  text = report.markdown(*args, other_runs=[("runs/x", testing.results())],
                         written_by=("python report", "today"))
  assert "## Other settings" in text and "| har_cnn | runs/x | none |" in text
  assert ("written from that run's results.json by `python report` on "
          "today; nothing was measured again.") in text
  assert "Generated by `cmd` on date (machine)." in text


def test_runs_table_has_a_row_per_run_and_method():
  results = testing.results()
  table = report.runs_table([("run0", results), ("run1", results)],
                            "har_cnn", "4mW")
  rows = table.splitlines()[2:]
  assert len(rows) == 8
  assert rows[3] == ("| run0 | iPrune | 89.50% | 500 | 0.00 M | 2 | 5.00 s "
                     "| 20 |")
  assert rows[4].startswith("| run1 | Unpruned | 90.00% | 1,000 |")
  with pytest.raises(ValueError, match="No run has model 'sqn'"):
    report.runs_table([("run0", results)], "sqn")


def test_retries_table_compares_each_retry_with_the_step_it_retried():
  results = testing.results()
  steps = ((None, None, 1000, True), (0, 1.0, 800, True),
           (1, 1.0, 600, False), (1, 0.5, 700, True), (3, 0.5, 650, False))
  results["models"]["har_cnn"]["intermittent"]["path"] = [
      {"iteration": t, "start_iteration": start, "step_scale": scale,
       "acc_outputs": outputs, "within_epsilon": ok}
      for t, (start, scale, outputs, ok) in enumerate(steps)]
  results["models"]["har_cnn"]["magnitude"]["path"] = [
      dict(p, step_scale=None if p["iteration"] == 0 else 1.0,
           start_iteration=None if p["iteration"] == 0 else 0)
      for p in results["models"]["har_cnn"]["magnitude"]["path"]]
  del results["models"]["har_cnn"]["unpruned"]["path"][1:]  # No step.
  rows = report.retries_table([("run0", results)], "har_cnn").splitlines()
  assert rows[2:] == [
      "| run0 | ePrune (energy) | not recorded | | |",
      "| run0 | iPrune | 2: 200 | 3: 100 (50%) | yes |"]  # Magnitude: none.
  with pytest.raises(ValueError, match="No run has model 'sqn'"):
    report.retries_table([("run0", results)], "sqn")


def _path(*points):
  """A pruning path of (test accuracy, latency at 4mW, accepted) per
  iteration, the first the unpruned model (90%, 10 s)."""
  return [{"iteration": t, "test_accuracy": acc, "within_epsilon": ok,
           "latency_s": {"4mW": latency}}
          for t, (acc, latency, ok) in enumerate(((0.90, 10.0, True),) +
                                                 points)]


def test_path_table_compares_the_accepted_models_at_equal_accuracy():
  results = testing.results()
  har = results["models"]["har_cnn"]
  # iPrune: 89.5% at 6 s, then 88.9% (beyond a point) at 4 s, rejected 3 s.
  har["intermittent"]["path"] = _path((0.895, 6.0, True), (0.889, 4.0, True),
                                      (0.895, 3.0, False))
  # ePrune: 89.6% at 7 s, unbeaten; 88% at 5 s, beaten by iPrune's 88.9%.
  har["energy"]["path"] = _path((0.896, 7.0, True), (0.88, 5.0, True))
  toy = results["models"]["toy"]
  toy["intermittent"]["path"] = _path((0.85, 5.0, True))
  toy["energy"]["path"] = _path((0.895, 8.0, True))
  lines = report.path_table(results, epsilon=1.0).splitlines()
  assert lines[2] == ("| har_cnn | it. 1: 6.00 s / it. 1: 7.00 s | 1.17x | "
                      "2 of 2 / 1 of 2 |")
  # No pruned iPrune model within a point: its best is the unpruned one.
  assert lines[3] == ("| toy | it. 0: 10.00 s / it. 1: 8.00 s | 0.80x | "
                      "1 of 1 / 1 of 1 |")


def test_path_table_skips_models_without_paths():
  results = testing.results()
  for method in ("energy", "intermittent"):
    del results["models"]["toy"][method]["path"]
  assert "toy" not in report.path_table(results, epsilon=1.0)
  text = report.markdown(results, "cmd", "date", "machine", POWERS, 1.0)
  assert "## Along the pruning paths" in text
  for model in results["models"].values():
    for method in ("energy", "intermittent"):
      model[method].pop("path", None)
  assert "## Along the pruning paths" not in report.markdown(
      results, "cmd", "date", "machine", POWERS, 1.0)
