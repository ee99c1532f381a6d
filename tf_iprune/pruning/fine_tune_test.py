"""Tests for the per-iteration fine-tuning of both method families."""
import numpy as np
import pytest

from tf_iprune import hardware
from tf_iprune.pruning import fine_tune
from tf_iprune.pruning import pruning_policy
from tf_iprune.pruning import testing

_LOSS = "sparse_categorical_crossentropy"


@pytest.fixture(scope="module")
def setup():
  model = testing.trained_tiny_cnn(epochs=2)
  policy = pruning_policy.IntermittentPolicy(
      tile_overrides=testing.tiles(model))
  return model, policy, testing.data(256, 3)


def test_blocks(setup):
  model, policy, train = setup
  tuned = fine_tune.fine_tune_blocks(model, {"conv2": 0.5}, policy, train,
                                     train, 1, 64, 1e-3, _LOSS, seed=0)
  plans = policy.layer_plans(tuned)
  grid = hardware.BlockGrid(*plans["conv2"])
  assert (~grid.nonzero_blocks(tuned.get_layer("conv2").kernel.numpy())
          ).sum() == 12
  assert [type(l) for l in tuned.layers] == [type(l) for l in model.layers]
  again = fine_tune.fine_tune_blocks(model, {"conv2": 0.5}, policy, train,
                                     train, 1, 64, 1e-3, _LOSS, seed=0)
  for a, b in zip(tuned.get_weights(), again.get_weights()):
    np.testing.assert_array_equal(a, b)  # Seeded: the same training.


def test_blocks_follow_the_learning_rate_steps(setup):
  model, policy, train = setup
  def tune(steps):
    return fine_tune.fine_tune_blocks(
        model, {"conv2": 0.5}, policy, train, train, 2, 64, 1e-3, _LOSS,
        seed=0, learning_rate_steps=steps).get_weights()
  constant, stepped, again = tune(()), tune((1e-6,)), tune((1e-3,))
  # A second epoch at 1e-6 ends elsewhere than one at 1e-3, the constant rate.
  assert any(not np.array_equal(a, b) for a, b in zip(constant, stepped))
  for a, b in zip(constant, again):
    np.testing.assert_array_equal(a, b)


def test_blocks_rewind_to_the_last_epochs_of_training(setup):
  model, policy, train = setup
  def tune(learning_rate, steps, training_epochs):
    return fine_tune.fine_tune_blocks(
        model, {"conv2": 0.5}, policy, train, train, 2, 64, learning_rate,
        _LOSS, seed=0, learning_rate_steps=steps,
        training_epochs=training_epochs).get_weights()
  # Two epochs of a 4-epoch 1e-3 -> 1e-6 training: both at 1e-6.
  rewound, final = tune(1e-3, (1e-6,), 4), tune(1e-6, (), None)
  for a, b in zip(rewound, final):
    np.testing.assert_array_equal(a, b)


def test_magnitude(setup):
  model, policy, train = setup
  tuned = fine_tune.fine_tune_magnitude(
      model, 0.0, 0.4, policy, train, train, 2, 64, 1e-3, _LOSS, seed=0)
  for name in ("conv1", "conv2", "fc"):
    kernel = tuned.get_layer(name).kernel.numpy()
    assert np.mean(kernel == 0) == pytest.approx(0.4, abs=0.02)
  assert np.all(tuned.get_layer("dw").depthwise_kernel.numpy() != 0)


def test_magnitude_schedule_reaches_the_target_half_way():
  schedule, final_epoch = fine_tune.magnitude_schedule(
      0.1, 0.5, 1000, 4, 100)  # 40 steps, 10 per epoch.
  assert schedule.end_step == 20 and schedule.frequency == 2
  assert final_epoch == 3  # Step 20 is the first step of epoch 3.
  tiny, final_epoch = fine_tune.magnitude_schedule(
      0.0, 0.5, 10, 1, 100)  # 1 step.
  assert tiny.end_step == 1 and tiny.frequency == 1 and final_epoch == 1


def test_tfmot_block_size():
  dense = hardware.LayerSpec("fc", "dense", ((1, 1, 64),), (1, 1, 6))
  assert fine_tune.tfmot_block_size(dense, hardware.TilePlan(2, 16, 1)) == (
      16, 2)
  assert fine_tune.tfmot_block_size(dense, hardware.TilePlan(6, 16, 1)) == (
      1, 1)
  conv = hardware.LayerSpec("c", "conv", ((4, 4, 8),), (4, 4, 8), (3, 3))
  assert fine_tune.tfmot_block_size(conv, hardware.TilePlan(2, 8, 4)) == (1, 1)
