"""Tests for the loop's stopping rule, model choice and settings."""
import pytest

from tf_iprune.pruning import iterative
from tf_iprune.pruning import testing

BASELINE = {"val_accuracy": 90.0, "acc_outputs": 1000, "nonzero_weights": 500,
            "wall_s": 10.0}


def _scripted(accuracies, outputs):
  calls = []

  def step(t, start, scale, retry_of):
    calls.append((t, start, scale, retry_of))
    if t > len(accuracies):
      return None
    return {"val_accuracy": accuracies[t - 1], "acc_outputs": outputs[t - 1],
            "nonzero_weights": 100, "wall_s": 1.0}

  return step, calls


def test_stops_at_the_second_drop_beyond_epsilon():
  step, calls = _scripted([89.5, 88.5, 89.2, 89.9, 88.0, 89.9],
                          [900, 800, 700, 600, 500, 400])
  records, reason = iterative.iterate(step, 90.0, 1.0, 10,
                                      second_chance="continue")
  # Drops 0.5, 1.5 (first), ..., 2.0; every iteration prunes on from the
  # previous one, failed or not.
  assert calls == [(1, 0, 1.0, None), (2, 1, 1.0, None), (3, 2, 1.0, None),
                   (4, 3, 1.0, None), (5, 4, 1.0, None)]
  assert reason == "accuracy drop above epsilon twice"
  assert [r["within_epsilon"] for r in records] == [True, False, True, True,
                                                   False]
  assert records[1]["accuracy_drop"] == pytest.approx(1.5)
  chosen = iterative.choose(BASELINE, records)
  # Iteration 4 is the most compact one within epsilon (5 is not).
  assert chosen["iteration"] == 4 and chosen["acc_outputs"] == 600
  assert chosen["wall_s"] == pytest.approx(10.0 + 4 * 1.0)


def test_retry_starts_over_from_the_last_model_within_epsilon_smaller():
  step, calls = _scripted([89.5, 60.0, 89.2, 89.4, 88.0, 89.9],
                          [900, 500, 800, 700, 600, 400])
  records, reason = iterative.iterate(step, 90.0, 1.0, 10)
  # Iteration 2 collapses: 3 prunes iteration 1's model again with half the
  # step (a retry of 2), and that half step stays; 5 is the second failure.
  assert calls == [(1, 0, 1.0, None), (2, 1, 1.0, None), (3, 1, 0.5, 2),
                   (4, 3, 0.5, None), (5, 4, 0.5, None)]
  assert reason == "accuracy drop above epsilon twice"
  assert [r["start_iteration"] for r in records] == [0, 1, 1, 3, 4]
  assert [r["step_scale"] for r in records] == [1.0, 1.0, 0.5, 0.5, 0.5]
  assert [r["retry_of"] for r in records] == [None, None, 2, None, None]
  assert iterative.choose(BASELINE, records)["iteration"] == 4
  with pytest.raises(ValueError, match="second_chance must be one of retry"):
    iterative.iterate(step, 90.0, 1.0, 10, second_chance="never")


def test_a_drop_of_exactly_epsilon_is_within():
  step, _ = _scripted([89.0, 88.9, 88.0], [900, 800, 700])
  records, reason = iterative.iterate(step, 90.0, 1.0, 10)
  assert reason == "accuracy drop above epsilon twice"
  assert iterative.choose(BASELINE, records)["iteration"] == 1
  # 602 and 590 of 1,200 correct: 1.000000000000007 in floating point.
  step, _ = _scripted([100.0 * 590 / 1200], [900])
  records, _ = iterative.iterate(step, 100.0 * 602 / 1200, 1.0, 1)
  assert records[0]["within_epsilon"]


def test_other_stops_and_the_baseline_choice():
  step, calls = _scripted([89.0, 88.0], [900, 800])
  records, reason = iterative.iterate(step, 90.0, 2.5, 10)
  assert reason == "nothing left to prune" and len(calls) == 3
  assert iterative.choose(BASELINE, records)["iteration"] == 2
  # Nothing within epsilon: the unpruned model is chosen.
  step, calls = _scripted([89.0, 88.0], [900, 800])
  records, reason = iterative.iterate(step, 90.0, 0.5, 10)
  assert reason == "accuracy drop above epsilon twice"
  assert iterative.choose(BASELINE, records)["iteration"] == 0
  step, calls = _scripted([90.0] * 9, range(900, 0, -100))
  records, reason = iterative.iterate(step, 90.0, 1.0, 3)
  assert reason == "max_iterations" and len(calls) == 3
  # Ties on accelerator outputs go to fewer weights, then earlier.
  tied = [dict(r, acc_outputs=700) for r in records]
  assert iterative.choose(BASELINE, tied)["iteration"] == 1


def test_on_record_sees_every_record():
  step, _ = _scripted([89.5, 89.0], [900, 800])
  seen = []
  iterative.iterate(step, 90.0, 1.0, 5, seen.append)
  assert [r["iteration"] for r in seen] == [1, 2]


@pytest.mark.parametrize("kwargs,match", [
    ({"method": "random"}, "method must be one of intermittent"),
    ({"epsilon": 0}, "epsilon"),
    ({"upper_bound": 1.5}, "upper_bound"),
    ({"second_chance": "never"}, "second_chance must be one of retry"),
    ({"budget": "outputs"}, "budget must be one of weights, criterion"),
    ({"overall_ratio": 1.0}, "overall_ratio"),
    ({"max_iterations": 0}, "max_iterations"),
    ({"fine_tune_epochs": 1.5}, "fine_tune_epochs"),
    ({"sensitivity_ratios": ()}, "sensitivity_ratios"),
    ({"initial_acceptance": 1.0}, "initial_acceptance"),
    ({"learning_rate_steps": (1e-4, 0.0)}, "learning_rate_steps"),
    ({"training_epochs": 0}, "training_epochs"),
])
def test_bad_settings_are_named(kwargs, match):
  with pytest.raises(ValueError, match=match):
    iterative.PruningConfig(**kwargs)


def test_out_dir_and_data_errors(tmp_path):
  model = testing.tiny_cnn()
  data = testing.data(64, 0)
  pruner = iterative.IterativePruner(out_dir=str(tmp_path), method="unpruned",
                                     verbose=False, deterministic=False,
                                     tile_overrides=testing.tiles(model))
  with pytest.raises(ValueError, match="val_data must be a non-empty"):
    pruner.run(model, data, (data[0], data[1][:3]))
  pruner.run(model, data, data)
  with pytest.raises(ValueError, match="pass resume=True"):
    pruner.run(model, data, data)
  other = iterative.IterativePruner(out_dir=str(tmp_path), resume=True,
                                    method="magnitude", verbose=False,
                                    deterministic=False,
                                    tile_overrides=testing.tiles(model))
  with pytest.raises(ValueError, match="settings method differ"):
    other.run(model, data, data)
  same = iterative.IterativePruner(out_dir=str(tmp_path), resume=True,
                                   method="unpruned", verbose=False,
                                   deterministic=False,
                                   tile_overrides=testing.tiles(model))
  with pytest.raises(ValueError, match="model to prune differs"):
    same.run(testing.tiny_cnn(seed=1), data, data)
  with pytest.raises(ValueError, match="the data differs"):
    same.run(model, data, testing.data(64, 1))
  summary = same.run(model, data, data).summary
  assert summary["iterations"] == [] and summary["chosen"]["iteration"] == 0


def test_changed_settings_treat_missing_keys_as_their_defaults():
  new = iterative.PruningConfig(max_iterations=20, epsilon=2.0).to_dict()
  old = iterative.PruningConfig().to_dict()
  del old["decision_seeds"]  # A run made before the setting existed.
  assert iterative.changed_settings(old, new) == ["epsilon", "max_iterations"]
  assert iterative.changed_settings(new, new) == []
  # Runs made before learning_rate_steps fine-tuned at a constant rate.
  del old["learning_rate_steps"]
  assert iterative.changed_settings(old, iterative.PruningConfig(
      learning_rate_steps=[1e-4]).to_dict()) == ["learning_rate_steps"]
  # Runs made before training_epochs replayed the schedule.
  del old["training_epochs"]
  assert iterative.changed_settings(old, iterative.PruningConfig(
      training_epochs=300).to_dict()) == ["training_epochs"]
  assert iterative.changed_settings(old, old) == []
  # Runs made before retry_saving_cap retried with half the budget alone.
  del old["retry_saving_cap"]
  assert iterative.changed_settings(old, new) == [
      "epsilon", "max_iterations", "retry_saving_cap"]
  assert iterative.changed_settings(old, iterative.PruningConfig(
      retry_saving_cap=False).to_dict()) == []
  assert iterative.RESUMABLE_CHANGES == ("max_iterations",)


@pytest.mark.parametrize("stop_reason, done, cap, outdated", [
    ("max_iterations", 10, 30, ["max_iterations"]),  # Continues.
    ("max_iterations", 10, 5, ["max_iterations"]),   # Would stop earlier.
    ("accuracy drop above epsilon twice", 7, 30, []),
    ("accuracy drop above epsilon twice", 7, 7, []),
    ("accuracy drop above epsilon twice", 7, 6, ["max_iterations"]),
])
def test_outdated_settings_ignore_a_cap_the_run_never_reached(
    stop_reason, done, cap, outdated):
  summary = {"config": iterative.PruningConfig(max_iterations=10).to_dict(),
             "stop_reason": stop_reason, "iterations": [{}] * done}
  config = iterative.PruningConfig(max_iterations=cap).to_dict()
  assert iterative.outdated_settings(summary, config) == outdated
  config = iterative.PruningConfig(max_iterations=cap, epsilon=2.0).to_dict()
  assert "epsilon" in iterative.outdated_settings(summary, config)


@pytest.mark.parametrize("method, scales, outdated", [
    ("intermittent", [1.0, 1.0, 0.5, 0.5], ["retry_saving_cap"]),
    ("intermittent", [1.0, 1.0], []),  # Never retried.
    ("magnitude", [1.0, 1.0, 0.5], []),  # No strategy search to cap.
])
def test_the_retry_cap_outdates_only_runs_that_retried(method, scales,
                                                       outdated):
  config = iterative.PruningConfig(method=method).to_dict()
  del config["retry_saving_cap"]  # A run made before the setting.
  summary = {"config": config, "stop_reason": "max_iterations",
             "iterations": [{"step_scale": s} for s in scales]}
  new = iterative.PruningConfig(method=method,
                                max_iterations=len(scales)).to_dict()
  summary["config"]["max_iterations"] = len(scales)
  assert iterative.outdated_settings(summary, new) == outdated
