"""Tests for what_if: latencies without chosen operand reads."""
import os

import pytest

import mlperf_tiny_models
from tf_iprune import hardware
from tf_iprune import io_utils
from tf_iprune.benchmark import what_if


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
  """A benchmark folder with har_cnn unpruned and with half of conv3 zero."""
  out = str(tmp_path_factory.mktemp("bench"))
  model = mlperf_tiny_models.get_model("har_cnn")
  io_utils.save_model(model, os.path.join(
      out, "har_cnn", "unpruned", "pruning", "model.keras"))
  conv3 = model.get_layer("conv3")
  kernel, bias = conv3.get_weights()
  kernel[..., : kernel.shape[-1] // 2] = 0  # Whole groups: fewer outputs.
  conv3.set_weights([kernel, bias])
  io_utils.save_model(model, os.path.join(
      out, "har_cnn", "intermittent", "pruning", "model.keras"))
  io_utils.write_json(os.path.join(out, "results.json"), {"models": {
      "har_cnn": {m: {"plan": "reference"}
                  for m in ("unpruned", "intermittent")}}})
  return out


def test_free_reads_only_shorten_the_latency(run_dir):
  lat = what_if.latencies(run_dir, ["input", "weights"])["har_cnn"]
  for method in ("unpruned", "intermittent"):
    assert lat[method]["what_if_latency_s"] < lat[method]["latency_s"]
  assert lat["intermittent"]["acc_outputs"] < lat["unpruned"]["acc_outputs"]
  same = what_if.latencies(run_dir, [])["har_cnn"]["unpruned"]
  assert same["what_if_latency_s"] == same["latency_s"]


def test_latency_as_the_run_measured_it(run_dir, tmp_path):
  """A run that measured inferences back to back gets their estimate."""
  results = io_utils.read_json(os.path.join(run_dir, "results.json"))
  results["config"] = {"back_to_back": True}
  for method in ("unpruned", "intermittent"):
    os.makedirs(tmp_path / "har_cnn" / method)
    os.symlink(os.path.join(run_dir, "har_cnn", method, "pruning"),
               tmp_path / "har_cnn" / method / "pruning")
  io_utils.write_json(str(tmp_path / "results.json"), results)
  full = what_if.latencies(run_dir, [])["har_cnn"]["unpruned"]
  steady = what_if.latencies(str(tmp_path), [])["har_cnn"]["unpruned"]
  model = mlperf_tiny_models.get_model("har_cnn")
  want = hardware.profile_keras(model, plan="reference", model_name="har_cnn",
                                power="4mW", back_to_back=True)["total"]
  assert steady["latency_s"] == pytest.approx(want["latency_s"])
  assert steady["latency_s"] != pytest.approx(full["latency_s"])


def test_table_has_both_runtimes(run_dir):
  lat = what_if.latencies(run_dir, ["input"])
  text = what_if.table(lat, ["input"])
  built, ideal = [l for l in text.splitlines() if l.startswith("| har_cnn")]
  assert "| as built |" in built and "without reads of input" in ideal
  speedup = lat["har_cnn"]["unpruned"]["latency_s"] / (
      lat["har_cnn"]["intermittent"]["latency_s"])
  assert built.split("|")[3].strip() == "%.2fx" % speedup  # Unpruned's.


def test_bad_input_is_a_clear_error(run_dir, tmp_path):
  with pytest.raises(ValueError, match="Unknown operands"):
    what_if.latencies(run_dir, ["outputs"])
  with pytest.raises(ValueError, match="no results.json"):
    what_if.latencies(str(tmp_path), ["input"])
