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


def _layers(model):
  plans = pruning_policy.IntermittentPolicy(
      tile_overrides=testing.tiles(model)).layer_plans(model)
  return {name: block_mask.LayerBlocks.from_kernel(
      name, hardware.BlockGrid(spec, tile),
      model.get_layer(name).weights[0].numpy())
          for name, (spec, tile) in plans.items()}


def test_adaptive_batch_norm_uses_the_calibration_statistics():
  model = testing.trained_tiny_cnn(epochs=2)
  layers = _layers(model)
  x, y = testing.data(300, 7)
  x_cal, _ = testing.data(200, 8)
  evaluator = masked_eval.MaskedEvaluator(model, layers, x, y, 128, x_cal)
  keep = layers["dw"].keep_after(2)
  keep[0, :] = False  # Every block of the first channel group.
  keeps = {"dw": keep}
  result = evaluator.evaluate(keeps)
  # By hand: mask, then set the BatchNorm statistics to those of its input
  # on the calibration examples, then predict.
  copy = masked_eval.model_utils.copy_model(model)
  kernel = copy.get_layer("dw").depthwise_kernel
  kernel.assign(kernel.numpy() * layers["dw"].grid.weight_mask(keeps["dw"]))
  bn = copy.get_layer("bn")
  probe = masked_eval.keras.Model(copy.input, bn.input)
  features = probe.predict(x_cal, verbose=0).reshape(-1, bn.input.shape[-1])
  gamma, beta, _, _ = bn.get_weights()
  bn.set_weights([gamma, beta, features.mean(0), features.var(0)])
  expected = masked_eval.accuracy_and_loss(copy.predict(x, verbose=0), y)
  assert result[0] == pytest.approx(expected[0], abs=100 / len(x))
  assert result[1] == pytest.approx(expected[1], rel=1e-3)
  # A channel whose filters are all pruned leaves BatchNorm at beta.
  dead = np.all(layers["dw"].grid.weight_mask(keeps["dw"]) == 0,
                axis=(0, 1, 3))
  assert dead.any()
  bn_copy = masked_eval.keras.Model(
      evaluator._model.input, evaluator._model.get_layer("bn").output)
  out = bn_copy.predict(x, verbose=0)
  assert np.allclose(out[..., dead], beta[dead], atol=1e-3)
  # The model given is never changed.
  assert model.get_layer("bn").momentum == 0.99


def test_calibration_is_a_no_op_without_batch_norm():
  model = testing.trained_tiny_cnn(epochs=2, depthwise=False)
  layers = _layers(model)
  x, y = testing.data(300, 7)
  keeps = {"conv2": layers["conv2"].keep_after(10)}
  plain = masked_eval.MaskedEvaluator(model, layers, x, y, 128)
  calibrated = masked_eval.MaskedEvaluator(model, layers, x, y, 128,
                                           testing.data(200, 8)[0])
  assert calibrated.evaluate(keeps) == plain.evaluate(keeps)
