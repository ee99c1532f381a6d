"""Tests for scripts/runs_table.py (run as a user would)."""

from tf_iprune import io_utils
from tf_iprune import testing
from tf_iprune.benchmark import testing as results_testing


def _run(*args):
  return testing.run_script("runs_table.py", *args, timeout=120)


def test_prints_a_row_per_run_and_method(tmp_path):
  for name in ("a", "b"):
    io_utils.write_json(str(tmp_path / name / "results.json"),
                        results_testing.results())
  runs = "%s,%s" % (tmp_path / "a", tmp_path / "b")
  proc = _run("--runs=%s" % runs, "--model=toy", "--power=8mW")
  assert proc.returncode == 0, proc.stderr
  rows = proc.stdout.strip().splitlines()[2:]
  assert len(rows) == 6
  assert rows[0].startswith(
      "| %s | Unpruned | 90.00%% | 1,000 |" % (tmp_path / "a"))
  assert rows[5].endswith("| iPrune | 85.00% | 950 | 0.00 M | 2 | 1.96 s "
                          "| 9 |")


def test_retries_lists_runs_that_did_not_record_them(tmp_path):
  io_utils.write_json(str(tmp_path / "results.json"),
                      results_testing.results())
  proc = _run("--runs=%s" % tmp_path, "--model=toy", "--retries")
  assert proc.returncode == 0, proc.stderr
  assert proc.stdout.splitlines()[2:] == [
      "| %s | %s | not recorded | | |" % (tmp_path, method)
      for method in ("Unpruned", "ePrune (energy)", "iPrune")]


def test_bad_flags_are_clear_errors(tmp_path):
  proc = _run("--runs=%s" % tmp_path, "--model=toy")
  assert proc.returncode != 0 and "has no results.json" in proc.stderr
  io_utils.write_json(str(tmp_path / "results.json"),
                      results_testing.results())
  proc = _run("--runs=%s" % tmp_path, "--model=sqn")
  assert "No run has model 'sqn'; the runs have ['har_cnn', 'toy']" in (
      proc.stderr)
  assert "Traceback" not in proc.stderr
  assert "--power" in _run("--help").stdout
