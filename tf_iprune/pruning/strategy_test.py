"""Tests for the three steps of one iteration on a tiny model."""
import numpy as np
import pytest

from tf_iprune.legacy_keras import keras
from tf_iprune.pruning import criteria
from tf_iprune.pruning import pruning_policy
from tf_iprune.pruning import strategy
from tf_iprune.pruning import testing


@pytest.fixture(scope="module")
def context():
  model = testing.trained_tiny_cnn(epochs=3)
  plans = pruning_policy.IntermittentPolicy(
      tile_overrides=testing.tiles(model)).layer_plans(model)
  x, y = testing.data(200, 9)
  return strategy.StepContext(model, plans,
                              criteria.get_criterion("intermittent"), x, y)


def _two_layers():
  """A 1x1 conv on 8 x 8 positions and a dense layer, 256 weights each."""
  keras.utils.set_random_seed(0)
  inputs = keras.Input((8, 8, 16))
  x = keras.layers.Conv2D(16, 1, name="conv")(inputs)
  x = keras.layers.GlobalAveragePooling2D(name="gap")(x)
  outputs = keras.layers.Dense(16, name="fc")(x)
  return keras.Model(inputs, outputs, name="two_layers")


def _two_layer_context(fc_tile, method="intermittent"):
  """StepContext of `_two_layers` (conv tile 4 x 4) on 8 random inputs."""
  model = _two_layers()
  plans = pruning_policy.IntermittentPolicy(
      tile_overrides={"conv": (4, 4), "fc": fc_tile}).layer_plans(model)
  x = np.random.default_rng(0).normal(size=(8, 8, 8, 16)).astype(np.float32)
  return strategy.StepContext(model, plans, criteria.get_criterion(method), x,
                              np.zeros(8, np.int64))


def test_network_level_follows_the_first_guideline(context):
  result = strategy.network_level(context, 0.4, (0.3, 0.6), 0.9)
  n = len(result["ranking"])
  assert sorted(result["mapped_ratios"].values()) == pytest.approx(
      [0.4 * (i + 1) / n for i in range(n)])
  costliest = max(result["costs"], key=result["costs"].get)
  assert result["overall_ratio"] == result["mapped_ratios"][costliest]
  assert result["costs"] == context.current_costs()


def test_layer_level_keeps_the_sum(context):
  allocation = strategy.layer_level(context, 0.3, 0.9, 1.0, 0.001,
                                    np.random.default_rng(0), steps=60)
  remaining = sum(l.remaining_weights for l in context.layers.values())
  assert allocation.total_weights == round(0.3 * remaining)
  assert sum(allocation.targets.values()) == allocation.total_weights
  pruned = sum(allocation.pruned_weights.values())
  assert allocation.total_weights <= pruned < allocation.total_weights + sum(
      l.grid.weights_per_block for l in context.layers.values())
  for name, layer in context.layers.items():
    assert allocation.ratios[name] <= 0.9
    assert allocation.sparsities[name] == pytest.approx(
        layer.sparsity_after(allocation.blocks[name]))
  keeps = strategy.block_level(context, allocation)
  for name, keep in keeps.items():
    assert (~keep).sum() == allocation.blocks[name]
  again = strategy.Allocation.from_dict(allocation.to_dict())
  assert again == allocation
  # The search's result before fine-tuning, as the evaluator measures it.
  accuracy, _ = context.evaluator.evaluate(keeps)
  searched = allocation.annealing
  assert searched["accuracy_before_fine_tuning"] == accuracy
  assert searched["drop_before_fine_tuning"] == pytest.approx(
      context.reference[0] - accuracy)


def test_objective_is_scale_free(context):
  objective = strategy.objective_function(context, 1.0, 0.001)
  assert objective((0, 0, 0, 0)) == pytest.approx(1.0)  # Dense cost, no drop.
  blocks = tuple(l.remaining_blocks - 1 for l in context.layers.values())
  costs = sum(context.cost(n, b) for n, b in zip(context.layers, blocks))
  accuracy = context.evaluator.evaluate(
      {n: context.layers[n].keep_after(b)
       for n, b in zip(context.layers, blocks)})[0]
  drop = max(0.0, context.reference[0] - accuracy)
  assert objective(blocks) == pytest.approx(
      costs / context.dense_cost() + 0.001 * drop ** 2)
  # A cap charges what is removed beyond it OVER_CAP_CHARGE times.
  saving = context.dense_cost() - costs
  capped = strategy.objective_function(context, 1.0, 0.001, saving / 4)
  excess = 0.75 * saving * strategy.OVER_CAP_CHARGE
  assert capped(blocks) == pytest.approx(
      (costs + 0.75 * saving + excess) / context.dense_cost() +
      0.001 * drop ** 2)
  assert capped((0, 0, 0, 0)) == pytest.approx(1.0)


def test_search_favours_the_layer_with_most_outputs_per_weight():
  """Accuracy switched off: the real criterion alone decides the ratios.

  conv runs on 8 x 8 = 64 positions (a block of 16 weights saves 4 x 64
  outputs), fc on one (a block of 16 weights saves 4 outputs), and they hold
  the same number of weights. A block that empties a filter group saves
  nothing (the group still writes its bias), and which blocks those are
  depends on the (seeded) weights: the search must do at least as well as
  putting every block on conv.
  """
  ctx = _two_layer_context(fc_tile=(4, 4))
  allocation = strategy.layer_level(ctx, 0.3, 0.9, 1.0, 0.0,
                                    np.random.default_rng(0), steps=100)
  conv_cap = ctx.layers["conv"].max_prunable_weights(0.9)
  all_on_conv = min(conv_cap, allocation.total_weights) // 16
  assert (sum(ctx.cost(n, b) for n, b in allocation.blocks.items()) <=
          ctx.cost("conv", all_on_conv) + ctx.cost("fc", 0))
  assert allocation.ratios["conv"] > 0.5 > allocation.ratios["fc"]


def test_a_retry_cap_moves_the_budget_to_layers_that_save_less():
  """The same weights, at most half the outputs the uncapped search
  removes: the budget must still be spent, so fc takes what conv gives up."""
  ctx = _two_layer_context(fc_tile=(4, 4))
  free = strategy.layer_level(ctx, 0.3, 0.9, 1.0, 0.0,
                              np.random.default_rng(0), steps=100)
  assert free.max_saving is None
  assert free.saving == strategy.criterion_saving(ctx, free.blocks) > 0
  capped = strategy.layer_level(ctx, 0.3, 0.9, 1.0, 0.0,
                                np.random.default_rng(0), steps=100,
                                max_saving=free.saving / 2)
  assert capped.max_saving == free.saving / 2
  assert capped.total_weights == free.total_weights
  assert 0 < capped.saving <= free.saving / 2
  assert capped.blocks["conv"] < free.blocks["conv"]
  assert capped.blocks["fc"] > free.blocks["fc"]
  with pytest.raises(ValueError, match="max_saving must be None or >= 0"):
    strategy.layer_level(ctx, 0.3, 0.9, 1.0, 0.0, np.random.default_rng(0),
                         max_saving=-1.0)


def test_layers_whose_pruning_saves_nothing_are_left_out():
  """fc's tile takes all 16 inputs: each of its filter groups is one block,
  so under iPrune's criterion pruning it saves no output (the emptied group
  still writes its bias); under ePrune's it saves energy."""
  ctx = _two_layer_context(fc_tile=(4, 16))
  assert ctx.candidates == ["conv"]
  network = strategy.network_level(ctx, 0.4, (0.5,), 0.9)
  assert network["candidates"] == ["conv"]
  assert sorted(network["ranking"]) == ["conv", "fc"]  # Ranked among all.
  allocation = strategy.layer_level(ctx, 0.3, 0.9, 1.0, 0.0,
                                    np.random.default_rng(0), steps=20)
  assert allocation.total_weights == round(
      0.3 * ctx.layers["conv"].remaining_weights)
  assert allocation.blocks["fc"] == 0 < allocation.blocks["conv"]
  assert allocation.sparsities["fc"] == 0.0
  energy = _two_layer_context(fc_tile=(4, 16), method="energy")
  assert energy.candidates == ["conv", "fc"]


def test_criterion_budget_prices_weights_at_their_layers_removable_cost():
  ctx = _two_layer_context(fc_tile=(4, 4))
  assert strategy.budget_prices(ctx, "weights") == [1, 1]
  per_weight = [(ctx.cost(n, 0) - ctx.cost(n, ctx.layers[n].remaining_blocks))
                / ctx.layers[n].remaining_weights for n in ctx.candidates]
  prices = strategy.budget_prices(ctx, "criterion")
  # conv runs on 64 positions, fc on one: its weights are worth 64x more.
  assert prices == [64000, 1000]
  assert prices == [round(1000 * q / min(per_weight)) for q in per_weight]
  allocation = strategy.layer_level(ctx, 0.3, 0.9, 1.0, 0.001,
                                    np.random.default_rng(0),
                                    budget="criterion", steps=40)
  total = round(0.3 * sum(p * ctx.layers[n].remaining_weights
                          for p, n in zip(prices, ctx.candidates)))
  assert allocation.annealing["total"] == total
  spent = sum(p * allocation.targets[n] for p, n in zip(prices, ctx.candidates))
  assert total <= spent < total + sum(prices)
  assert allocation.total_weights == sum(allocation.targets.values())
  with pytest.raises(ValueError, match="budget must be one of weights"):
    strategy.budget_prices(ctx, "outputs")


def test_without_candidates_nothing_is_pruned():
  keras.utils.set_random_seed(0)
  inputs = keras.Input((16,))
  outputs = keras.layers.Dense(4, name="fc")(inputs)
  model = keras.Model(inputs, outputs, name="one_group")
  plans = pruning_policy.IntermittentPolicy(
      tile_overrides={"fc": (4, 16)}).layer_plans(model)
  x = np.random.default_rng(0).normal(size=(8, 16)).astype(np.float32)
  ctx = strategy.StepContext(model, plans,
                             criteria.get_criterion("intermittent"), x,
                             np.zeros(8, np.int64))
  assert ctx.candidates == []
  allocation = strategy.layer_level(ctx, 0.3, 0.9, 1.0, 0.0,
                                    np.random.default_rng(0))
  assert allocation.total_weights == 0 and allocation.blocks == {"fc": 0}
