"""Tests for the sensitivity analysis and the first guideline."""
import numpy as np
import pytest

from tf_iprune import hardware
from tf_iprune.pruning import block_mask
from tf_iprune.pruning import sensitivity


def _table(scores, ties=None):
  ties = ties or {n: 0.0 for n in scores}
  return {n: sensitivity.LayerSensitivity(n, [0.5], [1], [s], [ties[n]])
          for n, s in scores.items()}


def test_guideline_one_on_a_constructed_table():
  # Sensitivity ranks: c (most), a, d, b (least); costs: d is the largest.
  table = _table({"a": 5.0, "b": 0.5, "c": 20.0, "d": 2.0})
  ranking = sensitivity.rank(table)
  assert ranking == ["c", "a", "d", "b"]
  costs = {"a": 100.0, "b": 50.0, "c": 10.0, "d": 400.0}
  g, mapped = sensitivity.overall_ratio(ranking, costs, 0.4)
  assert mapped == pytest.approx({"c": 0.1, "a": 0.2, "d": 0.3, "b": 0.4})
  assert g == pytest.approx(0.3)  # d, the costliest, has rank 3 of 4.
  # The costliest layer being the most sensitive gives the smallest G ...
  g, _ = sensitivity.overall_ratio(ranking, dict(costs, c=1000.0), 0.4)
  assert g == pytest.approx(0.1)
  # ... and the least sensitive the upper bound.
  g, _ = sensitivity.overall_ratio(ranking, dict(costs, b=1000.0), 0.4)
  assert g == pytest.approx(0.4)


def test_ties_fall_back_to_loss_then_layer_order():
  table = _table({"a": 0.0, "b": 0.0, "c": 0.0},
                 ties={"a": 0.1, "b": 0.3, "c": 0.1})
  assert sensitivity.rank(table) == ["b", "a", "c"]


def test_overall_ratio_checks_its_inputs():
  with pytest.raises(ValueError, match="upper bound"):
    sensitivity.overall_ratio(["a"], {"a": 1.0}, 1.5)
  with pytest.raises(ValueError, match="differ"):
    sensitivity.overall_ratio(["a"], {"b": 1.0}, 0.4)


def test_analyse_prunes_one_layer_at_a_time():
  layers = {}
  for i, name in enumerate(["x", "y"]):
    spec = hardware.LayerSpec(name, "dense", ((1, 1, 8),), (1, 1, 8))
    grid = hardware.BlockGrid(spec, hardware.TilePlan(4, 4, 1))
    kernel = np.random.default_rng(i).normal(size=(8, 8)).astype(np.float32)
    layers[name] = block_mask.LayerBlocks.from_kernel(name, grid, kernel)
  calls = []

  def evaluate(keeps):
    calls.append({n: int((~k).sum()) for n, k in keeps.items()})
    pruned = sum(int((~k).sum()) for k in keeps.values())
    factor = 10.0 if "x" in keeps else 1.0  # x is the sensitive one.
    return 90.0 - factor * pruned, 0.5 + factor * pruned

  result = sensitivity.analyse(layers, evaluate, (90.0, 0.5),
                               ratios=(0.25, 0.5), max_ratio=1.0)
  assert calls == [{"x": 1}, {"x": 2}, {"y": 1}, {"y": 2}]
  assert result["x"].accuracy_drops == [10.0, 20.0]
  assert result["y"].score == pytest.approx(1.5)
  assert sensitivity.rank(result) == ["x", "y"]
  with pytest.raises(ValueError, match="Sensitivity ratios"):
    sensitivity.analyse(layers, evaluate, (90.0, 0.5), ratios=(0.0,))
