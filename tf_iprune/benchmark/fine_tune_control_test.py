"""Tests for fine_tune_control: fine-tuning with nothing pruned."""
import pytest

from mlperf_tiny_models import model_info
from tf_iprune.benchmark import fine_tune_control
from tf_iprune.pruning import pruning_policy
from tf_iprune.pruning import testing


def _recipe(steps):
  return model_info.TrainingRecipe(
      optimizer="adam", learning_rate=3e-3, epochs=2, batch_size=64,
      loss="sparse_categorical_crossentropy", learning_rate_steps=steps)


@pytest.fixture(scope="module")
def setup():
  model = testing.trained_tiny_cnn(epochs=4)
  policy = pruning_policy.IntermittentPolicy(
      tile_overrides=testing.tiles(model))
  data = (testing.data(256, 10), testing.data(100, 11), testing.data(100, 12))
  return model, policy, data


def test_control_per_schedule_and_seed(setup):
  model, policy, data = setup
  result = fine_tune_control.control(model, policy, data, 2,
                                     _recipe((1e-6,)), 8, [0, 1])
  rewind, replay, constant, final = result["schedules"]
  # The last 2 of 8 training epochs ran at 1e-6.
  assert rewind["name"] == "rewind" and rewind["rates"] == [1e-6] * 2
  assert replay["name"] == "replay" and replay["rates"] == [3e-3, 1e-6]
  assert constant["name"] == "constant" and constant["rates"] == [3e-3] * 2
  assert final["name"] == "final" and final["rates"] == [1e-6] * 2
  assert result["seeds"] == 2 and result["epochs"] == 2
  assert rewind["val"] == final["val"]  # The same fine-tuning.
  for row in (rewind, replay, constant, final):
    assert row["val"][0] <= row["val"][1] and row["test"][0] <= row["test"][1]
  text = fine_tune_control.table([("tiny", result)])
  assert "| tiny | none (the baseline) |" in text
  assert "| tiny | replay | 0.003 x 1, 1e-06 x 1 | 2 |" in text
  assert "| tiny | constant | 0.003 x 2 | 2 |" in text
  # The schedule spans the fine-tuning's epochs, however many.
  short = fine_tune_control.control(model, policy, data, 4,
                                    _recipe((1e-6,)), 4, [0],
                                    ["replay", "rewind"])
  for row in short["schedules"]:
    assert row["rates"] == [3e-3] * 2 + [1e-6] * 2
  # Without steps the four schedules are the same fine-tuning.
  same = fine_tune_control.control(model, policy, data, 2, _recipe(()), 8,
                                   [0])
  assert len({str(row["val"]) for row in same["schedules"]}) == 1


def test_unknown_schedule(setup):
  model, policy, data = setup
  with pytest.raises(ValueError,
                     match="supported: rewind, replay, constant, final"):
    fine_tune_control.control(model, policy, data, 1, _recipe(()), 2, [0],
                              ["cosine"])
