"""Tests for the simulated-annealing search over per-layer ratios."""
import numpy as np
import pytest

from tf_iprune import hardware
from tf_iprune.pruning import annealing
from tf_iprune.pruning import block_mask


def _layer(name, n_in, n_out, tile, seed):
  spec = hardware.LayerSpec(name, "dense", ((1, 1, n_in),), (1, 1, n_out))
  grid = hardware.BlockGrid(spec, hardware.TilePlan(tile, tile, 1))
  kernel = np.random.default_rng(seed).normal(
      size=spec.kernel_shape).astype(np.float32)
  return block_mask.LayerBlocks.from_kernel(name, grid, kernel)


def _layers():
  # Block sizes 16, 64 and 4 weights; 1024, 4096 and 256 weights.
  return [_layer("a", 32, 32, 4, 0), _layer("b", 64, 64, 8, 1),
          _layer("c", 16, 16, 2, 2)]


def test_proportional_allocation_sums_and_respects_caps():
  p = annealing.proportional_allocation(100, [10, 30, 60], [100, 100, 100])
  assert p == [10, 30, 60]
  p = annealing.proportional_allocation(101, [10, 30, 60], [100, 100, 50])
  assert sum(p) == 101 and p[2] == 50
  with pytest.raises(ValueError, match="at most 30"):
    annealing.proportional_allocation(31, [10, 10, 10], [10, 10, 10])


def _walk_proposals(layers, caps, prices, total, objective, moves=500):
  """Checks the targets of every proposal of a search, not just its result:
  the budget is kept, the caps hold, each target is ceil(p_i / price_i)."""
  # pylint: disable=protected-access
  search = annealing._Search(layers, caps, prices, objective,
                             np.random.default_rng(0), 3)
  p = annealing.proportional_allocation(
      total, [l.remaining_weights * price for l, price in zip(layers, prices)],
      search.caps)
  for _ in range(moves):
    q = search.propose(p)
    assert sum(q) == total
    assert all(0 <= x <= c * price for x, c, price in zip(q, caps, prices))
    for x, w, c, price in zip(q, search.weights(q), caps, prices):
      assert w <= c and price * (w - 1) < x <= price * w  # ceil(x / price).
    assert q != p  # Every move changes the state.
    p = q


def test_every_state_keeps_the_sum_and_the_caps():
  layers = _layers()
  caps = [l.max_prunable_weights(0.9) for l in layers]
  total = 2000
  seen = []

  def objective(counts):
    seen.append(counts)
    return float(np.random.default_rng(sum(counts)).random())

  _walk_proposals(layers, caps, [1, 1, 1], total, objective)
  result = annealing.anneal(layers, total, caps, objective,
                            np.random.default_rng(0), steps=200)
  assert sum(result.weights) == total
  assert all(0 <= w <= c for w, c in zip(result.weights, caps))
  realised = sum(l.pruned_weights(b) for l, b in zip(layers, result.blocks))
  # Ceil rounding: at least the total, less than one block per layer over.
  assert total <= realised < total + sum(
      l.grid.weights_per_block for l in layers)
  assert all(np.all(np.asarray(c) <= [l.remaining_blocks for l in layers])
             for c in seen)


def test_prices_keep_the_budget_and_the_caps():
  layers = _layers()
  caps = [l.max_prunable_weights(0.9) for l in layers]
  prices = [3, 1000, 17]
  total = 100000

  def objective(counts):
    return float(np.random.default_rng(sum(counts)).random())

  _walk_proposals(layers, caps, prices, total, objective)
  result = annealing.anneal(layers, total, caps, objective,
                            np.random.default_rng(0), prices=prices,
                            steps=200)
  assert result.prices == prices and result.total == total
  spent = sum(price * w for price, w in zip(prices, result.weights))
  assert total <= spent < total + sum(prices)
  assert result.blocks == [l.blocks_for(w)
                           for l, w in zip(layers, result.weights)]


def test_weight_budget_is_a_price_of_one():
  layers = _layers()
  caps = [l.max_prunable_weights(0.9) for l in layers]

  def objective(counts):
    return float(np.sin(counts[0] * 1.3 + counts[1] * 0.7 + counts[2]))

  runs = [annealing.anneal(layers, 1500, caps, objective,
                           np.random.default_rng(7), prices=prices,
                           steps=100).to_dict()
          for prices in (None, [1, 1, 1])]
  assert runs[0] == runs[1]
  assert sum(runs[0]["weights"]) == 1500


def test_a_layer_of_cheap_weights_cannot_absorb_a_priced_budget():
  """'b' holds most weights and pruning it costs nothing: a weight budget
  goes to it alone; priced at what its weights are worth, it takes only
  what it can hold and the rest goes to the next cheapest, 'a'."""
  layers = _layers()
  caps = [l.max_prunable_weights(0.9) for l in layers]
  penalties = [0.01, 0.0, 1.0]  # Per pruned block.

  def objective(counts):
    return sum(p * n for p, n in zip(penalties, counts))

  weights = annealing.anneal(layers, 2000, caps, objective,
                             np.random.default_rng(3), steps=300)
  assert weights.weights == [0, 2000, 0]
  prices = [10, 1, 100]
  total = 12000
  assert caps[1] * prices[1] < total < sum(
      c * p for c, p in zip(caps[:2], prices[:2]))
  priced = annealing.anneal(layers, total, caps, objective,
                            np.random.default_rng(3), prices=prices,
                            steps=300)
  assert priced.weights[2] == 0
  assert priced.weights[1] >= caps[1] - 2 * 64  # Within two of its blocks.
  assert priced.weights[0] * prices[0] >= total - caps[1] * prices[1]


def test_shifts_pruning_to_the_layer_with_most_outputs_per_weight():
  """With accuracy flat, the cost alone decides: all of it goes to 'c'."""
  layers = _layers()
  caps = [l.max_prunable_weights(0.9) for l in layers]
  # Cost per pruned block: 'c' saves 100x more per weight than 'a' and 'b'.
  per_weight = [1.0, 1.0, 100.0]
  dense = sum(w * l.remaining_weights for w, l in zip(per_weight, layers))

  def objective(counts):
    saved = sum(w * l.pruned_weights(n)
                for w, l, n in zip(per_weight, layers, counts))
    return (dense - saved) / dense

  total = 600
  result = annealing.anneal(layers, total, caps, objective,
                            np.random.default_rng(1), steps=300)
  start = annealing.proportional_allocation(
      total, [l.remaining_weights for l in layers], caps)
  assert start[2] < 50  # Proportional start: 'c' holds 256 / 5376 weights.
  assert result.weights[2] == caps[2]  # 'c' is pruned to its cap (228).
  assert result.objective < result.initial_objective


def test_temperature_is_calibrated_and_acceptance_falls():
  layers = _layers()
  caps = [l.max_prunable_weights(0.9) for l in layers]
  # Linear in the pruned weights: a move's delta does not depend on where
  # the search is, so the acceptance of worsening moves only follows T.
  slopes = [1.0, 3.0, 2.0]

  def objective(counts):
    return sum(s * l.pruned_weights(n) for s, l, n in
               zip(slopes, layers, counts)) / 1000.0

  result = annealing.anneal(layers, 2000, caps, objective,
                            np.random.default_rng(2), steps=1000,
                            initial_acceptance=0.5,
                            final_temperature_ratio=0.001)
  # exp(-mean/T0) = 0.5; the mean of exp(-d/T0) is near it.
  assert 0.35 < result.calibrated_acceptance < 0.75
  # T falls by 0.001^0.2 over the first fifth: somewhat below 0.5 there.
  assert 0.2 < result.early_acceptance < 0.6
  assert result.late_acceptance < 0.02
  assert result.final_temperature == pytest.approx(
      result.initial_temperature * 0.001)
  # The cheapest layer to prune ('a', slope 1) takes all it can.
  assert result.weights[0] == caps[0]


def test_acceptance_depends_on_the_objective():
  layers = _layers()
  caps = [l.max_prunable_weights(0.9) for l in layers]
  rng = np.random.default_rng(5)
  landscape = {}

  def objective(counts):  # A rugged landscape: random values per state.
    if counts not in landscape:
      landscape[counts] = float(rng.random())
    return landscape[counts]

  result = annealing.anneal(layers, 2000, caps, objective,
                            np.random.default_rng(2), steps=1000)
  # A random walk would end anywhere; annealing ends near the bottom.
  assert result.objective < np.quantile(list(landscape.values()), 0.02)
  assert result.accepted < 0.8 * result.steps


def test_deterministic_given_the_seed():
  layers = _layers()
  caps = [l.max_prunable_weights(0.9) for l in layers]

  def objective(counts):
    return float(np.sin(counts[0] * 1.3 + counts[1] * 0.7 + counts[2]))

  runs = [annealing.anneal(layers, 1500, caps, objective,
                           np.random.default_rng(7), steps=100).to_dict()
          for _ in range(2)]
  assert runs[0] == runs[1]


def test_bad_schedule_arguments():
  layers = _layers()
  with pytest.raises(ValueError, match="initial_acceptance"):
    annealing.anneal(layers, 10, [100] * 3, lambda c: 0.0,
                     np.random.default_rng(0), initial_acceptance=1.0)
  with pytest.raises(ValueError, match="final_temperature_ratio"):
    annealing.anneal(layers, 10, [100] * 3, lambda c: 0.0,
                     np.random.default_rng(0), final_temperature_ratio=0.0)
  for prices in ([1, 0, 1], [1, 1.5, 1]):
    with pytest.raises(ValueError, match="prices must be positive integers"):
      annealing.anneal(layers, 10, [100] * 3, lambda c: 0.0,
                       np.random.default_rng(0), prices=prices)
