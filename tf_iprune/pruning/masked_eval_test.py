"""Tests for the masked evaluator used by the search."""
import numpy as np
import pytest

from tf_iprune import hardware
from tf_iprune.pruning import block_mask
from tf_iprune.pruning import masked_eval
from tf_iprune.pruning import pruning_policy
from tf_iprune.pruning import testing


def test_accuracy_and_loss_of_probabilities_and_logits():
  probs = np.array([[0.7, 0.2, 0.1], [0.1, 0.1, 0.8]])
  acc, loss = masked_eval.accuracy_and_loss(probs, [0, 1])
  assert acc == 50.0
  assert loss == pytest.approx(-(np.log(0.7) + np.log(0.1)) / 2)
  logits = np.log(probs) + 3.0
  assert masked_eval.accuracy_and_loss(logits, [0, 1]) == pytest.approx(
      (acc, loss))


def test_evaluate_equals_the_masked_model():
  model = testing.trained_tiny_cnn(epochs=2)
  x, y = testing.data(300, 7)
  plans = pruning_policy.IntermittentPolicy(
      tile_overrides=testing.tiles(model)).layer_plans(model)
  layers = {}
  for name, (spec, tile) in plans.items():
    kernel = model.get_layer(name).weights[0].numpy()
    layers[name] = block_mask.LayerBlocks.from_kernel(
        name, hardware.BlockGrid(spec, tile), kernel)
  evaluator = masked_eval.MaskedEvaluator(model, layers, x, y, batch_size=128)
  reference = masked_eval.accuracy_and_loss(model.predict(x, verbose=0), y)
  assert evaluator.evaluate({}) == pytest.approx(reference)
  keeps = {"conv2": layers["conv2"].keep_after(10),
           "fc": layers["fc"].keep_after(3)}
  before = [w.numpy().copy() for w in model.weights]
  result = evaluator.evaluate(keeps)
  for name, keep in keeps.items():
    kernel = model.get_layer(name).kernel
    kernel.assign(kernel.numpy() * layers[name].grid.weight_mask(keep))
  assert result == pytest.approx(
      masked_eval.accuracy_and_loss(model.predict(x, verbose=0), y))
  for w, b in zip(model.weights, before):
    w.assign(b)
  # Leaving a layer out restores its current blocks.
  assert evaluator.evaluate({}) == pytest.approx(reference)
  assert evaluator.evaluations == 3
