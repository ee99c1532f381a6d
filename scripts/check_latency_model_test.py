"""Tests for scripts/check_latency_model.py (run as a user would)."""
import re

from tf_iprune import testing


def _run(*args):
  return testing.run_script("check_latency_model.py", *args, timeout=600)


def test_back_to_back_rows(tmp_path):
  proc = _run("--models=har_cnn", "--power=4mW", "--back_to_back",
              "--repeat=3", "--cache_dir=%s" % tmp_path)
  assert proc.returncode == 0, proc.stderr
  rows = re.findall(r"\| har_cnn (dense|pruned) \| ([+-]\d+\.\d) % "
                    r"\(([\d.]+) / ([\d.]+) cycles\) \|", proc.stdout)
  assert [r[0] for r in rows] == ["dense", "pruned"]
  for _, gap, simulated, predicted in rows:
    assert abs(float(gap)) < 20  # tests/runtime_power_test.py's tolerance.
    assert float(simulated) > 0 and float(predicted) > 0
  assert "--back_to_back" in _run("--help").stdout
