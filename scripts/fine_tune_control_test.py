"""Tests for scripts/fine_tune_control.py (run as a user would); the
fine-tuning itself is tested in
tf_iprune/benchmark/fine_tune_control_test.py."""

from tf_iprune import testing


def _run(*args):
  return testing.run_script("fine_tune_control.py", *args, timeout=300)


def test_bad_flags_are_clear_errors(tmp_path):
  proc = _run("--baselines_from=%s" % tmp_path, "--models=har_cnn")
  assert proc.returncode != 0
  assert "No trained har_cnn baseline in %r" % str(
      tmp_path / "har_cnn" / "baseline") in proc.stderr
  proc = _run("--baselines_from=%s" % tmp_path, "--models=ad_autoencoder")
  assert "cannot be benchmarked" in proc.stderr
  proc = _run("--baselines_from=%s" % tmp_path, "--fine_tune_epochs=x")
  assert "--fine_tune_epochs entries are N or MODEL=N" in proc.stderr
  assert "Traceback" not in proc.stderr
  assert "--schedules" in _run("--help").stdout
