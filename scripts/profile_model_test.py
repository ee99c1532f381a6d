"""Tests for scripts/profile_model.py (run as a user would)."""
import json

import pytest

import mlperf_tiny_models

from tf_iprune import testing


def _run(*args):
  return testing.run_script("profile_model.py", *args, timeout=300)


def test_json_totals_reproduce_the_reference_count():
  proc = _run("--model=har_cnn", "--plan=reference", "--criterion=reference",
              "--power=4mW", "--json")
  assert proc.returncode == 0, proc.stderr
  result = json.loads(proc.stdout)
  total = result["total"]
  assert total["acc_outputs"] == 14_256
  for key in ("params", "macs", "energy_j", "bsr_bytes", "latency_s",
              "power_cycles"):
    assert key in total
  assert total["power_cycles"] > 0
  assert len(result["layers"]) == 7
  steady = json.loads(_run("--model=har_cnn", "--plan=reference",
                           "--power=4mW", "--back_to_back", "--json").stdout)
  assert steady["total"]["power_cycles"] != round(
      steady["total"]["power_cycles"])  # A mean: a fraction.
  assert steady["total"]["latency_s"] > total["latency_s"]


def test_table_and_saved_model(tmp_path):
  model = mlperf_tiny_models.get_model("cks_cnn")
  path = str(tmp_path / "cks.keras")
  model.save(path)
  proc = _run("--model_path=%s" % path)
  assert proc.returncode == 0, proc.stderr
  assert "conv1" in proc.stdout and "total:" in proc.stdout


@pytest.mark.parametrize("args, message", [
    (("--model=kws_dscnn", "--plan=reference"), "not for model 'kws_dscnn'"),
    (("--model_path=/nonexistent.keras",), "does not exist"),
    (("--model=har_cnn", "--power=2mW"), "Unknown power strength"),
])
def test_errors_are_clear(args, message):
  proc = _run(*args)
  assert proc.returncode != 0
  assert message in proc.stderr
  assert "Traceback" not in proc.stderr
