"""Tests for scripts/fine_tune_noise.py (run as a user would); the
fine-tuning itself is tested in tf_iprune/benchmark/tuning_noise_test.py."""

from tf_iprune import io_utils
from tf_iprune import testing


def _run(*args):
  return testing.run_script("fine_tune_noise.py", *args, timeout=300)


def test_bad_flags_are_clear_errors(tmp_path):
  proc = _run("--out_dir=%s" % tmp_path)
  assert proc.returncode != 0 and "no results.json" in proc.stderr
  io_utils.write_json(str(tmp_path / "results.json"), {"models": {
      "har_cnn": {"dataset": "har", "unpruned": {}, "energy": {}}}})
  proc = _run("--out_dir=%s" % tmp_path, "--data_dir=kws")
  assert "--data_dir entries are NAME=PATH" in proc.stderr
  proc = _run("--out_dir=%s" % tmp_path, "--models=sqn")
  assert "the run in %r has no 'sqn'" % str(tmp_path) in proc.stderr
  proc = _run("--out_dir=%s" % tmp_path, "--methods=intermittent")
  assert "no pruned 'intermittent' model of har_cnn" in proc.stderr
  proc = _run("--out_dir=%s" % tmp_path, "--methods=energy")
  assert "holds no finished pruning run" in proc.stderr
  assert "Traceback" not in proc.stderr
  assert "--seeds" in _run("--help").stdout
