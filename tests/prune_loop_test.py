"""Integration tests of the iterative pruning loop on a tiny model."""
import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from tf_iprune import hardware
from tf_iprune import io_utils
from tf_iprune.pruning import iterative
from tf_iprune.pruning import pruning_policy
from tf_iprune.pruning import testing

SETTINGS = dict(max_iterations=2, fine_tune_epochs=1, annealing_steps=40,
                sensitivity_ratios=(0.3, 0.6), val_subset=200, batch_size=64,
                learning_rate=3e-3, upper_bound=0.5, epsilon=5.0)
_KEYS = ("val_accuracy", "test_accuracy", "params", "nonzero_weights", "macs",
         "acc_outputs", "bsr_bytes", "ratios", "wall_s")


@pytest.fixture(scope="module")
def setup():
  model = testing.trained_tiny_cnn(epochs=8)
  return model, testing.data(1024, 10), testing.data(300, 11), testing.data(
      300, 12)


def _run(setup, out_dir, **kwargs):
  model, train, val, test = setup
  settings = dict(SETTINGS, tile_overrides=testing.tiles(model))
  settings.update(kwargs)
  return iterative.IterativePruner(out_dir=out_dir, verbose=False,
                                   **settings).run(model, train, val, test)


def _without_times(summary):
  text = json.dumps(summary, sort_keys=True)
  value = json.loads(text)

  def strip(node):
    if isinstance(node, dict):
      return {k: strip(v) for k, v in node.items() if k != "wall_s"}
    if isinstance(node, list):
      return [strip(v) for v in node]
    return node

  return strip(value)


def test_full_loop(setup, tmp_path):
  result = _run(setup, str(tmp_path))
  summary = io_utils.read_json(str(tmp_path / "summary.json"))
  assert summary == json.loads(json.dumps(result.summary))
  for section in [summary["baseline"], summary["chosen"]] + summary[
      "iterations"]:
    for key in _KEYS:
      assert key in section, key
  assert len(summary["iterations"]) >= 1
  # Drops are measured against the unpruned model fine-tuned alike.
  reference = summary["reference"]
  assert reference["acc_outputs"] == summary["baseline"]["acc_outputs"]
  assert os.path.exists(tmp_path / "reference" / "metrics.json")
  for record in summary["iterations"]:
    assert record["accuracy_drop"] == pytest.approx(
        reference["val_accuracy"] - record["val_accuracy"])
  base = summary["baseline"]
  assert all(r == 0.0 for r in base["ratios"].values())
  first = summary["iterations"][0]
  assert first["acc_outputs"] < base["acc_outputs"]
  assert first["nonzero_weights"] < base["nonzero_weights"]
  # Every iteration prunes G of the remaining weights (up to whole blocks).
  allocation = io_utils.read_json(str(tmp_path / "iter_001" /
                                      "allocation.json"))
  assert sum(allocation["targets"].values()) == allocation["total_weights"]
  assert allocation["total_weights"] == round(
      allocation["overall_ratio"] * base["nonzero_weights"])
  assert first["drop_before_fine_tuning"] == allocation["annealing"][
      "drop_before_fine_tuning"]
  # The summary's numbers are the hardware model's for the chosen model.
  chosen = summary["chosen"]
  model = io_utils.load_model(str(tmp_path / "model.keras"))
  policy = pruning_policy.IntermittentPolicy(
      tile_overrides=testing.tiles(model))
  specs, plans = policy.model_plans(model)
  profile = hardware.profile_model(specs, hardware.keras_kernels(model),
                                   plans=plans)
  assert chosen["acc_outputs"] == profile["total"]["acc_outputs"]
  assert chosen["bsr_bytes"] == profile["total"]["bsr_bytes"]
  assert chosen["val_accuracy"] >= base["val_accuracy"] - SETTINGS["epsilon"]
  # TensorBoard: per-iteration scalars and fine-tuning logs.
  assert os.listdir(tmp_path / "logs" / "pruning")
  assert os.path.isdir(tmp_path / "logs" / "iter_001")


def test_baseline_methods(setup, tmp_path):
  energy = _run(setup, str(tmp_path / "energy"), method="energy",
                max_iterations=1).summary
  assert energy["iterations"][0]["acc_outputs"] < energy["baseline"][
      "acc_outputs"]
  magnitude = _run(setup, str(tmp_path / "magnitude"), method="magnitude",
                   max_iterations=1).summary
  step = SETTINGS["upper_bound"] / 2
  ratios = magnitude["iterations"][0]["ratios"]
  assert ratios["dw"] == 0.0  # tfmot cannot prune DepthwiseConv2D.
  for name in ("conv1", "conv2", "fc"):
    assert ratios[name] == pytest.approx(step, abs=0.02)
  # tfmot's block_size on the Dense layer: whole (tile_n, tile_m) blocks.
  model = io_utils.load_model(str(tmp_path / "magnitude" / "iter_001" /
                                  "model.keras"))
  kernel = model.get_layer("fc").kernel.numpy()
  tile_m, tile_n = testing.TILES["fc"]
  blocks = kernel.reshape(-1, tile_n, kernel.shape[1] // tile_m, tile_m)
  zero = (blocks == 0).all(axis=(1, 3))
  assert np.array_equal(zero, (blocks == 0).any(axis=(1, 3)))
  unpruned = _run(setup, str(tmp_path / "unpruned"),
                  method="unpruned").summary
  assert unpruned["iterations"] == []
  assert unpruned["chosen"]["acc_outputs"] == unpruned["baseline"][
      "acc_outputs"]


def test_resume_after_an_interruption_gives_the_same_result(setup, tmp_path):
  reference = _run(setup, str(tmp_path / "whole")).summary

  class Interrupted(Exception):
    pass

  def stop_after(step_name):
    def callback(name):
      if name == step_name:
        raise Interrupted(name)
    return callback

  out = str(tmp_path / "killed")
  for step_name in ("iter_001/allocation", "iter_002/sensitivity"):
    with pytest.raises(Interrupted):
      _run(setup, out, resume=True, step_callback=stop_after(step_name))
  assert not os.path.exists(os.path.join(out, "summary.json"))
  resumed = _run(setup, out, resume=True).summary
  assert _without_times(resumed) == _without_times(reference)


def test_resume_with_a_higher_cap_continues_the_loop(setup, tmp_path):
  out = str(tmp_path / "capped")
  capped = _run(setup, out, max_iterations=1).summary
  assert capped["stop_reason"] == "max_iterations"
  with pytest.raises(ValueError, match="settings epsilon differ"):
    _run(setup, out, resume=True, epsilon=1.0)
  continued = _run(setup, out, resume=True).summary  # SETTINGS: a cap of 2.
  assert len(continued["iterations"]) == 2
  assert continued["config"]["max_iterations"] == 2
  whole = _run(setup, str(tmp_path / "whole")).summary
  assert _without_times(continued) == _without_times(whole)
  state = io_utils.read_json(os.path.join(out, "state.json"))
  assert state["config"]["max_iterations"] == 2


_CHILD = r"""
import sys
from tf_iprune import io_utils
from tf_iprune.pruning import iterative, testing
sys.path.insert(0, {tests!r})
import prune_loop_test as t
model = io_utils.load_model({model!r})
settings = dict(t.SETTINGS, tile_overrides=testing.tiles(model))
iterative.IterativePruner(out_dir={out!r}, verbose=False, **settings).run(
    model, testing.data(1024, 10), testing.data(300, 11),
    testing.data(300, 12))
"""


def test_resume_after_a_killed_process(setup, tmp_path):
  out = str(tmp_path / "run")
  model_path = str(tmp_path / "trained.keras")
  io_utils.save_model(setup[0], model_path)  # The very same weights.
  code = _CHILD.format(tests=os.path.dirname(__file__), model=model_path,
                       out=out)
  env = dict(os.environ, PYTHONPATH=os.getcwd())
  child = subprocess.Popen([sys.executable, "-c", code], env=env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
  marker = os.path.join(out, "iter_001", "allocation.json")
  deadline = time.time() + 120
  while not os.path.exists(marker) and child.poll() is None:
    assert time.time() < deadline, "the child never reached iteration 1"
    time.sleep(0.05)
  child.send_signal(signal.SIGKILL)
  child.wait()
  assert child.returncode == -signal.SIGKILL, child.stderr.read()[-2000:]
  assert not os.path.exists(os.path.join(out, "summary.json"))
  resumed = _run(setup, out, resume=True).summary
  reference = _run(setup, str(tmp_path / "whole")).summary
  assert _without_times(resumed) == _without_times(reference)


def test_reference_baseline_measures_drops_against_the_given_model(
    setup, tmp_path):
  summary = _run(setup, str(tmp_path), max_iterations=1,
                 reference="baseline").summary
  assert summary["reference"] == summary["baseline"]
  assert not os.path.exists(tmp_path / "reference")
  record, = summary["iterations"]
  assert record["accuracy_drop"] == pytest.approx(
      summary["baseline"]["val_accuracy"] - record["val_accuracy"])


@pytest.mark.parametrize("method", ["magnitude", "intermittent"])
def test_retry_after_a_collapse_restarts_with_half_the_step(
    setup, tmp_path, monkeypatch, method):
  real = iterative.IterativePruner._iteration

  def collapse_first(self, t, start, scale, retry_of):
    record = real(self, t, start, scale, retry_of)
    return (dict(record, val_accuracy=0.0, decision_accuracy=0.0) if t == 1
            else record)

  monkeypatch.setattr(iterative.IterativePruner, "_iteration", collapse_first)
  summary = _run(setup, str(tmp_path), method=method).summary
  first, second = summary["iterations"]
  assert not first["within_epsilon"]
  assert (second["start_iteration"], second["step_scale"]) == (0, 0.5)
  if method == "magnitude":
    allocation = io_utils.read_json(str(tmp_path / "iter_002" /
                                        "allocation.json"))
    assert allocation["initial_sparsity"] == 0.0
    assert allocation["target_sparsity"] == pytest.approx(
        SETTINGS["upper_bound"] / 4)
  else:
    sensitivity = io_utils.read_json(str(tmp_path / "iter_002" /
                                         "sensitivity.json"))
    assert max(sensitivity["mapped_ratios"].values()) == pytest.approx(
        SETTINGS["upper_bound"] / 2)
    # Its G applies to the unpruned model's weights, not the collapsed one's.
    allocation = io_utils.read_json(str(tmp_path / "iter_002" /
                                        "allocation.json"))
    assert allocation["total_weights"] == round(
        allocation["overall_ratio"] * summary["baseline"]["nonzero_weights"])
    # It may remove at most half the outputs the rejected step removed.
    rejected = io_utils.read_json(str(tmp_path / "iter_001" /
                                      "allocation.json"))
    assert second["retry_of"] == 1 and rejected["max_saving"] is None
    assert allocation["max_saving"] == pytest.approx(
        iterative.RETRY_SHRINK * rejected["saving"])
    assert rejected["saving"] == (summary["baseline"]["acc_outputs"] -
                                  first["acc_outputs"])
  assert summary["chosen"]["iteration"] in (0, 2)


@pytest.mark.parametrize("method", ["intermittent", "magnitude"])
def test_fine_tune_again_changes_only_the_seed(setup, tmp_path, method):
  model, train, val, test = setup
  result = _run(setup, str(tmp_path), method=method, max_iterations=1)
  before = {p: os.path.getmtime(p) for p in map(
      str, tmp_path.rglob("*"))}
  pruner = iterative.IterativePruner(
      out_dir=str(tmp_path), verbose=False, method=method,
      **dict(SETTINGS, tile_overrides=testing.tiles(model)))
  record = result.summary["iterations"][0]
  again = pruner.fine_tune_again(train, val, test, 1,
                                 [pruner._seed(1, 3), 12345])
  # The run's own seed gives the run's model back; another seed, the same
  # blocks fine-tuned differently.
  assert again[0]["val_accuracy"] == record["val_accuracy"]
  assert again[0]["seed"] == pruner._seed(1, 3)
  # Block methods prune the saved blocks; magnitude the saved sparsity.
  key = "nonzero_weights" if method == "magnitude" else "acc_outputs"
  assert again[1][key] == record[key]
  reference = pruner.fine_tune_again(train, val, test, 0,
                                     [pruner._seed(0, 3)])
  assert reference[0]["val_accuracy"] == result.summary["reference"][
      "val_accuracy"]
  assert {p: os.path.getmtime(p) for p in map(
      str, tmp_path.rglob("*"))} == before  # Nothing written.
  with pytest.raises(ValueError, match="has iterations \\[1\\]"):
    pruner.fine_tune_again(train, val, test, 7, [0])
  with pytest.raises(ValueError, match="no finished pruning run"):
    iterative.IterativePruner(out_dir=str(tmp_path / "none"), verbose=False,
                              method=method).fine_tune_again(
                                  train, val, test, 1, [0])


def test_decision_seeds_average_the_decision_only(setup, tmp_path):
  one = _run(setup, str(tmp_path / "one"), max_iterations=1).summary
  two = _run(setup, str(tmp_path / "two"), max_iterations=1,
             decision_seeds=2).summary
  # The model carried on is the first fine-tuning run's, as with one seed.
  first, record = one["iterations"][0], two["iterations"][0]
  assert record["val_accuracy"] == first["val_accuracy"]
  assert record["acc_outputs"] == first["acc_outputs"]
  for section in (record, two["reference"]):
    runs = section["decision_val_accuracies"]
    assert len(runs) == 2 and runs[0] == section["val_accuracy"]
    assert section["decision_accuracy"] == pytest.approx(np.mean(runs))
  assert record["accuracy_drop"] == pytest.approx(
      two["reference"]["decision_accuracy"] - record["decision_accuracy"])
  assert first["decision_accuracy"] == first["val_accuracy"]
  assert "decision_val_accuracies" not in first


def test_runs_made_before_a_setting_existed_resume(setup, tmp_path):
  _run(setup, str(tmp_path), max_iterations=1)
  state_path = str(tmp_path / "state.json")
  state = io_utils.read_json(state_path)
  del state["config"]["decision_seeds"]  # As written before it existed.
  io_utils.write_json(state_path, state)
  again = _run(setup, str(tmp_path), max_iterations=1, resume=True)
  assert again.summary["iterations"][0]["iteration"] == 1


def test_a_reference_measured_before_decision_seeds_resumes(setup, tmp_path):
  """reference/metrics.json written before decision_accuracy existed."""
  _run(setup, str(tmp_path), max_iterations=1)
  path = str(tmp_path / "reference" / "metrics.json")
  metrics = io_utils.read_json(path)
  del metrics["decision_accuracy"]
  io_utils.write_json(path, metrics)
  model, train, val, test = setup
  again = iterative.IterativePruner(
      out_dir=str(tmp_path), resume=True, verbose=True,
      **dict(SETTINGS, tile_overrides=testing.tiles(model), max_iterations=1)
  ).run(model, train, val, test)
  record, = again.summary["iterations"]
  assert record["accuracy_drop"] == pytest.approx(
      metrics["val_accuracy"] - record["decision_accuracy"])


def test_the_criterion_budget_reaches_the_search(setup, tmp_path):
  _run(setup, str(tmp_path), max_iterations=1, budget="criterion")
  allocation = io_utils.read_json(
      str(tmp_path / "iter_001" / "allocation.json"))
  prices = allocation["annealing"]["prices"]
  assert min(prices) == 1000 < max(prices)  # Priced, not the weight budget.
  state = io_utils.read_json(str(tmp_path / "state.json"))
  assert state["config"]["budget"] == "criterion"
