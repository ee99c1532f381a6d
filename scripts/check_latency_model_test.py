"""Tests for scripts/check_latency_model.py (run as a user would)."""
import os
import re
import subprocess
import sys

SCRIPT = os.path.join(os.path.dirname(__file__), "check_latency_model.py")
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _run(*args):
  env = dict(os.environ, PYTHONPATH=ROOT)
  return subprocess.run([sys.executable, SCRIPT, *args], env=env,
                        capture_output=True, text=True, timeout=600)


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
