"""Tests for the BlockSparsity pruning schedule."""
import pytest
import tensorflow as tf
import tensorflow_model_optimization as tfmot

from tf_iprune.pruning import pruning_schedule


def test_prunes_once_at_begin_step():
  schedule = pruning_schedule.BlockSparsity(0.3, begin_step=3)
  assert isinstance(schedule, tfmot.sparsity.keras.PruningSchedule)
  for step in range(1, 6):
    should_prune, sparsity = schedule(tf.constant(step, tf.int64))
    assert bool(should_prune) == (step == 3)
    assert float(sparsity) == pytest.approx(0.3)


def test_default_prunes_half_at_the_first_training_step():
  schedule = pruning_schedule.BlockSparsity()
  assert bool(schedule(tf.constant(1, tf.int64))[0])
  assert float(schedule(tf.constant(1, tf.int64))[1]) == pytest.approx(0.5)


def test_config_round_trip():
  schedule = pruning_schedule.BlockSparsity(0.25, begin_step=7)
  config = schedule.get_config()
  assert config == {"class_name": "BlockSparsity",
                    "config": {"target_sparsity": 0.25, "begin_step": 7}}
  again = pruning_schedule.BlockSparsity.from_config(config["config"])
  assert again.get_config() == config


@pytest.mark.parametrize("kwargs,match", [
    ({"target_sparsity": 1.0}, "target_sparsity"),
    ({"target_sparsity": -0.1}, "target_sparsity"),
    ({"begin_step": 0}, "begin_step"),
])
def test_rejects_bad_arguments(kwargs, match):
  with pytest.raises(ValueError, match=match):
    pruning_schedule.BlockSparsity(**kwargs)
