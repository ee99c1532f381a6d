"""Tests for scripts/train.py (fast: one HAR epoch)."""
import json
import os
import subprocess
import sys

import numpy as np
import pytest

import train  # scripts/train.py; pytest puts this folder on sys.path.
from tf_iprune.legacy_keras import keras

_REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _run_script(*args):
  env = dict(os.environ, PYTHONPATH=_REPO)
  return subprocess.run(
      [sys.executable, os.path.join(_REPO, "scripts", "train.py")] +
      list(args), capture_output=True, text=True, env=env, check=False)


def test_help_lists_the_flags():
  result = _run_script("--help")  # absl exits with status 1 after --help.
  assert "Trains a zoo model" in result.stdout, result.stderr
  for flag in ("--model", "--data_dir", "--epochs", "--batch_size", "--seed",
               "--out_dir", "--learning_rate"):
    assert flag in result.stdout


def test_model_without_data_set_is_a_clear_error(tmp_path):
  result = _run_script("--model=ad_autoencoder", "--out_dir=%s" % tmp_path)
  assert result.returncode == 1
  assert "Error: Model 'ad_autoencoder' has no data set" in result.stderr
  assert not os.listdir(tmp_path)


def test_bad_override_is_refused(tmp_path):
  with pytest.raises(ValueError, match="learning_rate must be positive"):
    train.train("har_cnn", str(tmp_path), learning_rate=-1.0)


def test_writes_model_metrics_and_logs_deterministically(tmp_path):
  runs = []
  for run in ("a", "b"):
    out_dir = tmp_path / run
    metrics = train.train("har_cnn", str(out_dir), epochs=1, batch_size=256,
                          learning_rate=1e-3, seed=3, verbose=0)
    assert sorted(os.listdir(out_dir)) == ["logs", "metrics.json",
                                           "model.keras"]
    assert json.loads((out_dir / "metrics.json").read_text()) == metrics
    runs.append((metrics, keras.models.load_model(out_dir / "model.keras")))
  (metrics, model), (again, model_again) = runs
  assert metrics["model"] == "har_cnn" and metrics["dataset"] == "har"
  assert metrics["data"].startswith("UCI HAPT recordings (real")
  assert metrics["epochs"] == 1 and metrics["batch_size"] == 256
  assert metrics["best_epoch"] == 1
  assert 0.0 <= metrics["test_accuracy"] <= 1.0
  for key in ("val_accuracy", "test_accuracy", "val_loss", "test_loss"):
    assert again[key] == metrics[key], key
  for w, w_again in zip(model.get_weights(), model_again.get_weights()):
    np.testing.assert_array_equal(w, w_again)
