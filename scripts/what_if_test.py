"""Tests for scripts/what_if.py (run as a user would)."""

import mlperf_tiny_models
from tf_iprune import io_utils
from tf_iprune import testing


def _run(*args):
  return testing.run_script("what_if.py", *args, timeout=300)


def test_prints_both_runtimes(tmp_path):
  model = mlperf_tiny_models.get_model("har_cnn")
  for method in ("unpruned", "intermittent"):
    io_utils.save_model(model, str(tmp_path / "har_cnn" / method /
                                   "pruning" / "model.keras"))
  io_utils.write_json(str(tmp_path / "results.json"), {"models": {
      "har_cnn": {m: {"plan": "reference"}
                  for m in ("unpruned", "intermittent")}}})
  proc = _run("--out_dir=%s" % tmp_path, "--free_reads=weights")
  assert proc.returncode == 0, proc.stderr
  assert "| har_cnn | as built | 1.00x |" in proc.stdout
  assert "| har_cnn | without reads of weights | 1.00x |" in proc.stdout


def test_bad_flags_are_clear_errors(tmp_path):
  proc = _run("--out_dir=%s" % tmp_path)
  assert proc.returncode != 0 and "no results.json" in proc.stderr
  assert "Traceback" not in proc.stderr
  proc = _run("--out_dir=%s" % tmp_path, "--free_reads=outputs")
  assert "Unknown operands ['outputs']" in proc.stderr
  assert "--free_reads" in _run("--help").stdout
