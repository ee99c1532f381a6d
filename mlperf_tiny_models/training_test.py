"""Tests for training: a zoo model trained on its data set (one HAR epoch)."""
import json
import os

import numpy as np
import pytest

from mlperf_tiny_models import training
from tf_iprune.legacy_keras import keras


def test_bad_override_is_refused(tmp_path):
  with pytest.raises(ValueError, match="learning_rate must be positive"):
    training.train("har_cnn", str(tmp_path), learning_rate=-1.0)


def test_writes_model_metrics_and_logs_deterministically(tmp_path):
  runs = []
  for run in ("a", "b"):
    out_dir = tmp_path / run
    metrics = training.train("har_cnn", str(out_dir), epochs=1,
                             batch_size=256, learning_rate=1e-3, seed=3,
                             verbose=0)
    assert sorted(os.listdir(out_dir)) == ["logs", "metrics.json",
                                           "model.keras"]
    assert json.loads((out_dir / "metrics.json").read_text()) == metrics
    runs.append((metrics, keras.models.load_model(out_dir / "model.keras")))
  (metrics, model), (again, model_again) = runs
  assert metrics["model"] == "har_cnn" and metrics["dataset"] == "har"
  assert metrics["data"].startswith("UCI HAPT recordings (real")
  assert metrics["epochs"] == 1 and metrics["batch_size"] == 256
  assert metrics["learning_rate"] == 1e-3
  assert metrics["learning_rate_steps"] == []  # An override is constant.
  assert metrics["best_epoch"] == 1
  assert 0.0 <= metrics["test_accuracy"] <= 1.0
  for key in ("val_accuracy", "test_accuracy", "val_loss", "test_loss"):
    assert again[key] == metrics[key], key
  for w, w_again in zip(model.get_weights(), model_again.get_weights()):
    np.testing.assert_array_equal(w, w_again)
