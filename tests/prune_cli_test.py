"""Tests of scripts/prune.py, run as a user would (subprocesses)."""
import json
import os
import shutil
import subprocess

from tf_iprune import testing
from tf_iprune.legacy_keras import keras

_KEYS = ("val_accuracy", "test_accuracy", "params", "nonzero_weights", "macs",
         "acc_outputs", "bsr_bytes", "ratios", "wall_s")


def _start(*args):
  return subprocess.Popen(testing.script_command("prune.py", *args),
                          env=testing.script_env(), stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True)


def _run(*args):
  process = _start(*args)
  stdout, stderr = process.communicate(timeout=600)
  return process.returncode, stdout, stderr


def _without_times(node):
  if isinstance(node, dict):
    return {k: _without_times(v) for k, v in node.items() if k != "wall_s"}
  if isinstance(node, list):
    return [_without_times(v) for v in node]
  return node


def test_help_and_bad_flags(tmp_path):
  out = "--out_dir=%s" % tmp_path
  cases = {
      ("--help",): "--fine_tune_epochs",
      (out,): "Give exactly one of --model",
      ("--model=har_cnn", "--model_path=x.keras", out): "Give exactly one",
      ("--model=har_cnn", "--epsilon=-1", out): "--epsilon must be > 0",
      ("--model=har_cnn", "--tile_overrides=conv1=6", out):
          "'conv1=6' is not layer=tile_m:tile_n",
      ("--model=nope", out): "flag --model=nope: value should be one of",
      ("--model=har_cnn", "--dataset=kws", out):
          "--dataset: Data set 'kws' has inputs",
      ("--model_path=%s" % (tmp_path / "none.keras"), out):
          "none.keras' does not exist",
  }
  processes = {args: _start(*args) for args in cases}
  for args, process in processes.items():
    stdout, stderr = process.communicate(timeout=300)
    assert cases[args] in stdout + stderr, (args, stderr[-2000:])
    if args != ("--help",):
      assert process.returncode != 0
  assert not os.listdir(tmp_path)  # Nothing written on a usage error.


def test_model_with_nothing_to_prune(tmp_path):
  inputs = keras.Input((1, 128, 9))
  outputs = keras.layers.Softmax()(keras.layers.Flatten()(
      keras.layers.MaxPooling2D((1, 128))(inputs)))
  path = str(tmp_path / "pool.keras")
  keras.Model(inputs, outputs, name="pool").save(path)
  code, _, stderr = _run("--model_path=%s" % path, "--dataset=har",
                         "--out_dir=%s" % (tmp_path / "out"))
  assert code == 1
  assert "Model 'pool' has nothing to prune" in stderr


def test_from_nothing_to_a_pruned_model_and_resume(tmp_path):
  out = str(tmp_path / "run")
  args = ["--model=har_cnn", "--pretrain_epochs=3", "--max_iterations=1",
          "--fine_tune_epochs=1", "--annealing_steps=20", "--val_subset=200",
          "--out_dir=%s" % out]
  code, stdout, stderr = _run(*args)
  assert code == 0, stderr[-3000:]
  assert "Chosen: iteration" in stdout
  assert "sensitivity" in stderr and "Finished step iter_001/metrics" in stderr
  summary = json.load(open(os.path.join(out, "summary.json")))
  for section in [summary["baseline"], summary["chosen"]] + summary[
      "iterations"]:
    assert all(key in section for key in _KEYS)
  assert len(summary["iterations"]) == 1
  assert summary["baseline"]["acc_outputs"] == 14256
  assert summary["config"]["training_epochs"] is None  # Replays its recipe.
  assert os.path.exists(os.path.join(out, "pretrain", "model.keras"))
  assert os.listdir(os.path.join(out, "logs", "pruning"))
  metrics = json.load(open(os.path.join(out, "metrics.json")))
  assert metrics["dataset"] == "har" and metrics["method"] == "intermittent"
  assert metrics["test_accuracy"] == summary["chosen"]["test_accuracy"] / 100
  # Rerunning the same folder needs --resume.
  code, _, stderr = _run(*args)
  assert code != 0 and "rerun with --resume" in stderr
  # As if killed after the search of iteration 1: the rest is redone.
  for name in ("summary.json", "model.keras", "iter_001/metrics.json",
               "iter_001/model.keras"):
    os.remove(os.path.join(out, name))
  shutil.rmtree(os.path.join(out, "logs", "iter_001"))
  code, _, stderr = _run(*(args + ["--resume"]))
  assert code == 0, stderr[-3000:]
  assert "Using the trained har_cnn" in stderr
  assert "Finished step iter_001/allocation" not in stderr
  again = json.load(open(os.path.join(out, "summary.json")))
  assert _without_times(again) == _without_times(summary)
