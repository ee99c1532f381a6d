"""Tests for scripts/profile_model.py (run as a user would)."""
import json

import numpy as np
import pytest

import mlperf_tiny_models

from tf_iprune import hardware
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


def test_empty_blocks_name_the_zeroed_block(tmp_path):
  model = mlperf_tiny_models.get_model("har_cnn")
  specs = {s.name: s for s in hardware.specs_from_keras(model)}
  plans = hardware.plan_model(list(specs.values()), model_name="har_cnn")
  grid = hardware.BlockGrid(specs["conv2"], plans["conv2"])
  keep = np.ones(grid.shape, bool)
  keep[1, 0] = False
  kernel, bias = model.get_layer("conv2").get_weights()
  model.get_layer("conv2").set_weights([kernel * grid.weight_mask(keep), bias])
  path = str(tmp_path / "har.keras")
  model.save(path)
  proc = _run("--model=har_cnn", "--model_path=%s" % path, "--empty_blocks",
              "--json")
  assert proc.returncode == 0, proc.stderr
  assert json.loads(proc.stdout)["empty_blocks"] == {
      "conv1": [], "conv2": [[1, 0]], "conv3": [], "fc": []}
  table = _run("--model=har_cnn", "--model_path=%s" % path, "--empty_blocks")
  assert "empty blocks of conv2 (group, column): (1, 0)" in table.stdout
  assert "empty blocks of conv1 (group, column): none" in table.stdout
