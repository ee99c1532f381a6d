"""Tests for the summary numbers and their TensorBoard logs."""
import os

import numpy as np
import pytest

from tf_iprune import hardware
from tf_iprune.pruning import pruning_policy
from tf_iprune.pruning import report
from tf_iprune.pruning import testing


def test_measure_reports_the_hardware_profile(tmp_path):
  model = testing.tiny_cnn()
  kernel = model.get_layer("conv2").kernel
  kernel.assign(kernel.numpy() * (np.arange(8) % 2 == 0))  # Half the filters.
  policy = pruning_policy.IntermittentPolicy(
      tile_overrides=testing.tiles(model))
  val, test = testing.data(50, 1), testing.data(40, 2)
  record = report.measure(model, policy, val, test)
  specs, plans = policy.model_plans(model)
  total = hardware.profile_model(specs, hardware.keras_kernels(model),
                                 plans=plans)["total"]
  for key in ("params", "nonzero_weights", "acc_outputs", "bsr_bytes"):
    assert record[key] == total[key]
  assert record["macs"] == total["nonzero_macs"] < total["macs"]
  assert record["ratios"]["conv2"] == pytest.approx(0.5)
  assert record["ratios"]["conv1"] == 0.0
  assert record["val_accuracy"] == pytest.approx(
      100 * np.mean(np.argmax(model.predict(val[0], verbose=0), 1) == val[1]))
  assert record["test_accuracy"] is not None
  assert report.measure(model, policy, val)["test_accuracy"] is None
  log_dir = str(tmp_path / "logs")
  report.log_tensorboard(log_dir, 1, dict(record, overall_ratio=0.2))
  assert any(f.startswith("events") for f in os.listdir(log_dir))
