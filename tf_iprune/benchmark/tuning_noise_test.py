"""Tests for tuning_noise: a pruning run's steps fine-tuned again."""
import pytest

from tf_iprune.benchmark import tuning_noise
from tf_iprune.pruning import iterative
from tf_iprune.pruning import testing


@pytest.fixture(scope="module")
def run(tmp_path_factory):
  model = testing.trained_tiny_cnn(epochs=8)
  data = (testing.data(512, 10), testing.data(200, 11), testing.data(200, 12))
  out = str(tmp_path_factory.mktemp("pruning"))
  result = iterative.IterativePruner(
      out_dir=out, verbose=False, max_iterations=2, fine_tune_epochs=1,
      annealing_steps=20, sensitivity_ratios=(0.5,), val_subset=100,
      batch_size=64, learning_rate=3e-3, epsilon=0.5,
      tile_overrides=testing.tiles(model)).run(model, *data)
  return out, data, result.summary


def test_decisive_iterations():
  summary = {"chosen": {"iteration": 2}, "iterations": [
      {"iteration": 1, "within_epsilon": True},
      {"iteration": 2, "within_epsilon": True},
      {"iteration": 3, "within_epsilon": False}]}
  assert tuning_noise.decisive_iterations(summary) == [2, 3]
  summary["chosen"]["iteration"] = 0
  assert tuning_noise.decisive_iterations(summary) == [3]


def test_spread_over_seeds(run):
  out, data, summary = run
  result = tuning_noise.spread(out, data, [1], [0, 1, 2])
  step, = result["steps"]
  record = summary["iterations"][0]
  assert step["run_drop"] == record["accuracy_drop"]
  assert 0 <= step["within"] <= 3 and result["seeds"] == 3
  low, high = step["val"]
  assert low <= high
  reference = summary["reference"]["val_accuracy"]
  assert step["drops"] == [pytest.approx(reference - high),
                           pytest.approx(reference - low)]
  assert result["reference"]["run_val"] == reference
  text = tuning_noise.table([("tiny", "intermittent", result)])
  assert "| tiny | intermittent | reference |" in text
  assert "| tiny | intermittent | 1 | %.2f" % record["accuracy_drop"] in text
  assert "of 3 |" in text


def test_missing_run_is_a_clear_error(tmp_path):
  with pytest.raises(ValueError, match="no finished pruning run"):
    tuning_noise.spread(str(tmp_path), None, [1], [0])
