"""Tests for training: a zoo model trained on its data set (one HAR epoch)."""
import json
import os

import numpy as np
import pytest

from mlperf_tiny_models import datasets
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


def test_another_data_set_must_match_the_models_inputs(tmp_path):
  with pytest.raises(ValueError, match="'kws' has inputs .* use one of har"):
    training.train("har_cnn", str(tmp_path), dataset="kws")


def test_trains_on_a_stand_in_data_set_and_reuses_it_only_for_that(
    tmp_path):
  own = training.train("har_cnn", str(tmp_path / "own"), epochs=1,
                       verbose=0)
  _, metrics = training.train_once("har_cnn", str(tmp_path / "val7"),
                                   epochs=1, verbose=0, dataset="har_val7")
  assert metrics["dataset"] == "har_val7"
  assert metrics["data_fingerprint"] == datasets.fingerprint(
      {split: datasets.load("har_val7", split) for split in datasets.SPLITS})
  assert metrics["data_fingerprint"] != own["data_fingerprint"]
  assert "validation (3, 7, 14, 17, 22, 26, 29)" in metrics["data"]
  # The same windows, more of them held out for validation.
  assert metrics["examples"]["test"] == own["examples"]["test"]
  assert metrics["examples"]["val"] > own["examples"]["val"]
  assert sum(metrics["examples"].values()) == sum(own["examples"].values())
  with pytest.raises(ValueError, match="trained on data set 'har_val7', "
                     "not 'har'"):
    training.train_once("har_cnn", str(tmp_path / "val7"))
  _, reused = training.train_once("har_cnn", str(tmp_path / "val7"),
                                  dataset="har_val7")
  assert reused == metrics
