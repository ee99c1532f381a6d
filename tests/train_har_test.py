"""End to end: scripts/train.py trains har_cnn on the embedded HAR data.

The embedded data are real recordings (UCI HAPT) split by subject, so the
test accuracy is a real measurement; chance is 1/6.
"""
import json

import pytest

from tf_iprune import testing


@pytest.mark.slow
def test_har_cnn_beats_chance_by_far(tmp_path):
  result = testing.run_script(
      "train.py", "--model=har_cnn", "--epochs=5", "--batch_size=64",
      "--learning_rate=1e-3", "--seed=0", "--out_dir=%s" % tmp_path,
      timeout=600)
  assert result.returncode == 0, result.stderr[-3000:]
  metrics = json.loads((tmp_path / "metrics.json").read_text())
  assert metrics["dataset"] == "har"
  assert "UCI HAPT recordings (real" in metrics["data"]
  assert metrics["examples"]["test"] > 2500
  assert metrics["test_accuracy"] > 0.7, metrics
  assert metrics["val_accuracy"] > 0.7, metrics
  assert (tmp_path / "model.keras").exists()
  assert "test accuracy" in result.stdout
