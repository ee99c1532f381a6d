"""The three-step pruning strategy of one iteration (iPrune, Section III-C).

Ratio bookkeeping: in an iteration, every ratio is a fraction of the weights
that remain (are in unpruned blocks) at its start. k_i is layer i's
remaining weights, K = sum_i k_i; the overall ratio G prunes G K weights,
split as per-layer ratios g_i with sum_i g_i k_i = G K (the paper's weight
budget, `budget='weights'`). The wrapper's `BlockSparsity` target is the
resulting cumulative sparsity of the layer (`LayerBlocks.sparsity_after`).

With `budget='criterion'` G is a share of the criterion cost instead:
sum_i g_i c_i = G C, c_i the cost pruning can remove from layer i (its cost
now minus its cost with every block pruned), C = sum_i c_i. It is the same
constraint with each weight priced at its layer's removable cost per weight,
the paper's layer-wise estimate (within a layer every weight stands for the
same outputs). Under the weight budget a layer with many weights and few
outputs (a large dense layer) can absorb much of a step's budget at little
accuracy cost and little saving; under the criterion budget G is the share
of the removable cost a step removes.

Only candidate layers, those whose criterion cost pruning can still lower,
share the budget: under iPrune's criterion a layer whose filter
groups are one block wide (a pointwise conv whose tile takes every input
channel, a small dense layer) saves no accelerator output when its blocks
go, since an empty group still writes its bias outputs. Offered to the
search, such layers would absorb the weight budget at little accuracy cost
and no saving (most of kws_dscnn's weights are in its pointwise layers). K
counts the candidates' weights only.

1. Network level (`network_level`): sensitivity analysis ranks all the
   prunable layers (their relative sensitivity is what the guideline reads;
   ranked among the candidates alone, a model with one candidate would
   always take the largest step); the first guideline maps ratio i * G^ / n
   to the layer of rank i and takes as G the ratio of the layer with the
   highest cost.
2. Layer level (`layer_level`): simulated annealing over the g_i minimising
     cost(config) / cost(dense model) + accuracy_weight * (drop / epsilon)^2,
   where cost is the method's criterion (accelerator outputs or energy) and
   drop = max(0, accuracy before - accuracy after) in percentage points, on
   the validation subset, of the masked weights before fine-tuning. Both
   terms are scale-free. The penalty is quadratic because it stands for a
   constraint ("keep the accuracy"): small drops, which fine-tuning
   recovers, cost little, large ones cost more than any saving. With the
   default accuracy_weight = 0.001, a drop of 10 epsilon before fine-tuning
   weighs as much as 10% of the dense model's cost.
   A retry of a rejected step (see `iterative`) may remove at most
   `max_saving` of the criterion cost: what a configuration removes beyond
   it counts OVER_CAP_CHARGE times against it, so the search keeps to the
   cap wherever the weight budget can be spent within it. The constraint
   is soft, so that states beyond the cap stay comparable: when no state
   within it spends the budget, the search takes the least excess.
3. Block level: each layer loses its lowest-RMS blocks up to g_i
   (`block_mask`).
"""
import dataclasses
from typing import Dict, Optional

import numpy as np

from tf_iprune import hardware
from tf_iprune.pruning import annealing
from tf_iprune.pruning import block_mask
from tf_iprune.pruning import masked_eval
from tf_iprune.pruning import prune_registry
from tf_iprune.pruning import sensitivity as sensitivity_lib

BUDGETS = ("weights", "criterion")
# Price of the layer whose weights are worth the least under the criterion
# budget: the resolution of the integer prices.
PRICE_RESOLUTION = 1000
# Net charge per unit of criterion cost removed beyond a retry's cap (see
# the module docstring): larger than any saving can earn back, by far.
OVER_CAP_CHARGE = 100


class StepContext:
  """What one iteration's decisions are made on.

  Args:
    model: The plain model at the start of the iteration.
    plans: {layer name: (LayerSpec, TilePlan)} of its prunable layers.
    criterion: cost(spec, plan, nonzero) -> float (see `criteria`).
    x_val, y_val: The validation subset.
    batch_size: Forward-pass batch size.
    x_calibration: Training examples for adaptive BatchNorm (see
      `masked_eval`); None evaluates with the model's statistics.
  """

  def __init__(self, model, plans, criterion, x_val, y_val, batch_size=256,
               x_calibration=None):
    self.plans = plans
    self.criterion = criterion
    self.layers: Dict[str, block_mask.LayerBlocks] = {}
    for name, (spec, tile) in plans.items():
      kernel = prune_registry.prunable_weight(model.get_layer(name)).numpy()
      grid = hardware.BlockGrid(spec, tile)
      self.layers[name] = block_mask.LayerBlocks.from_kernel(name, grid, kernel)
    self.evaluator = masked_eval.MaskedEvaluator(
        model, self.layers, x_val, y_val, batch_size, x_calibration)
    self.reference = self.evaluator.evaluate({})
    self._costs = {}
    self.candidates = [n for n in self.layers if self.can_lower_cost(n)]

  def cost(self, name, n):
    """Criterion cost of layer `name` after pruning n more blocks."""
    if (name, n) not in self._costs:
      spec, tile = self.plans[name]
      self._costs[name, n] = self.criterion(
          spec, tile, self.layers[name].keep_after(n))
    return self._costs[name, n]

  def can_lower_cost(self, name):
    """Whether pruning more blocks of `name` can lower its cost (costs never
    rise with pruning, so pruning them all tells)."""
    return (self.cost(name, self.layers[name].remaining_blocks) <
            self.cost(name, 0))

  def dense_cost(self):
    return sum(self.criterion(spec, tile, None)
               for spec, tile in self.plans.values())

  def current_costs(self):
    return {name: self.cost(name, 0) for name in self.layers}


def network_level(ctx, upper_bound, ratios, max_ratio, verbose=False):
  """Sensitivity analysis and the first guideline.

  Returns:
    A JSON-able dict: reference accuracy/loss, the candidate layers,
    per-layer sensitivities, ranking (most sensitive first), per-layer
    costs, mapped ratios and G.
  """
  sens = sensitivity_lib.analyse(ctx.layers, ctx.evaluator.evaluate,
                                 ctx.reference, ratios, max_ratio, verbose)
  ranking = sensitivity_lib.rank(sens)
  costs = ctx.current_costs()
  g, mapped = sensitivity_lib.overall_ratio(ranking, costs, upper_bound)
  return {
      "reference_accuracy": ctx.reference[0],
      "reference_loss": ctx.reference[1],
      "candidates": ctx.candidates,
      "sensitivities": {n: s.to_dict() for n, s in sens.items()},
      "ranking": ranking,
      "costs": costs,
      "mapped_ratios": mapped,
      "overall_ratio": g,
  }


@dataclasses.dataclass
class Allocation:
  """Per-layer decisions of one iteration (JSON-able via `to_dict`).

  Attributes:
    overall_ratio: G.
    total_weights: The weights the targets sum to (round(G K) under the
      weight budget).
    targets: Weights each layer should lose (the annealing state).
    blocks: Blocks each layer loses.
    pruned_weights: Weights those blocks hold.
    ratios: pruned_weights / remaining weights (the realised g_i).
    sparsities: Cumulative sparsity of each layer afterwards.
    annealing: The AnnealingResult as a dict (None without a search), with
      the validation-subset accuracy of its result before fine-tuning
      (`accuracy_before_fine_tuning`, percent) and its drop from the start
      model's (`drop_before_fine_tuning`, points).
    saving: Criterion cost the blocks remove.
    max_saving: The cap on it the search had (None: none).
  """
  overall_ratio: float
  total_weights: int
  targets: Dict[str, int]
  blocks: Dict[str, int]
  pruned_weights: Dict[str, int]
  ratios: Dict[str, float]
  sparsities: Dict[str, float]
  annealing: dict
  saving: float = 0.0
  max_saving: Optional[float] = None

  def to_dict(self):
    return dataclasses.asdict(self)

  @classmethod
  def from_dict(cls, d):
    return cls(**d)


def objective_function(ctx, epsilon, accuracy_weight, max_saving=None):
  """Scale-aware annealing objective over the candidates' block counts
  (model order); the other layers count at their current cost. With
  `max_saving`, cost removed beyond it is charged OVER_CAP_CHARGE times."""
  names = ctx.candidates
  dense = ctx.dense_cost()
  fixed = sum(ctx.cost(n, 0) for n in ctx.layers if n not in names)
  current = sum(ctx.current_costs().values())
  reference = ctx.reference[0]

  def objective(counts):
    cost = fixed + sum(ctx.cost(n, c) for n, c in zip(names, counts))
    if max_saving is not None:
      cost += (1 + OVER_CAP_CHARGE) * max(0.0, current - cost - max_saving)
    keeps = {n: ctx.layers[n].keep_after(c) for n, c in zip(names, counts)}
    accuracy, _ = ctx.evaluator.evaluate(keeps)
    drop = max(0.0, reference - accuracy) / epsilon
    return cost / dense + accuracy_weight * drop ** 2

  return objective


def criterion_saving(ctx, blocks):
  """Criterion cost that pruning `blocks[name]` more blocks of each layer
  (missing: none) removes from the context's model."""
  return float(sum(ctx.cost(n, 0) - ctx.cost(n, blocks.get(n, 0))
                   for n in ctx.layers))


def budget_prices(ctx, budget):
  """Budget units per remaining weight of each candidate (model order).

  'weights': 1. 'criterion': the cost pruning can remove from the layer
  (its cost now minus its cost with every block pruned) per remaining
  weight, as integers scaled so that the cheapest layer's price is
  PRICE_RESOLUTION (the rounding moves a price by at most 0.05%).
  """
  if budget not in BUDGETS:
    raise ValueError("budget must be one of %s, got %r." %
                     (", ".join(BUDGETS), budget))
  if budget == "weights" or not ctx.candidates:
    return [1] * len(ctx.candidates)
  per_weight = []
  for name in ctx.candidates:
    layer = ctx.layers[name]
    removable = ctx.cost(name, 0) - ctx.cost(name, layer.remaining_blocks)
    per_weight.append(removable / layer.remaining_weights)
  cheapest = min(per_weight)
  return [int(np.rint(PRICE_RESOLUTION * q / cheapest)) for q in per_weight]


def layer_level(ctx, overall_ratio, max_ratio, epsilon, accuracy_weight, rng,
                verbose=False, budget="weights", max_saving=None,
                **anneal_kwargs):
  """Per-layer ratios by simulated annealing (second guideline).

  Args:
    budget: What the overall ratio G is a ratio of, one of BUDGETS (see
      the module docstring).
    max_saving: Criterion cost the search may remove (a retry's cap; see
      the module docstring); None: no cap.

  Returns:
    An Allocation of every layer (the non-candidates lose nothing); with
    nothing left to prune its total_weights is 0.
  """
  names = ctx.candidates
  layers = [ctx.layers[n] for n in names]
  prices = budget_prices(ctx, budget)
  caps = [l.max_prunable_weights(max_ratio) for l in layers]
  remaining = sum(l.remaining_weights * p for l, p in zip(layers, prices))
  total = min(int(np.rint(overall_ratio * remaining)),
              sum(c * p for c, p in zip(caps, prices)))
  targets = dict.fromkeys(ctx.layers, 0)
  blocks = dict.fromkeys(ctx.layers, 0)
  if max_saving is not None and max_saving < 0:
    raise ValueError("max_saving must be None or >= 0, got %r." %
                     (max_saving,))
  if total == 0:
    return allocation_from_blocks(ctx, overall_ratio, 0, targets, blocks,
                                  max_saving=max_saving)
  result = annealing.anneal(
      layers, total, caps,
      objective_function(ctx, epsilon, accuracy_weight, max_saving),
      rng, prices=prices, verbose=verbose, **anneal_kwargs)
  targets.update(zip(names, result.weights))
  blocks.update(zip(names, result.blocks))
  allocation = allocation_from_blocks(ctx, overall_ratio, sum(result.weights),
                                      targets, blocks, result.to_dict(),
                                      max_saving)
  # What the search accepted before fine-tuning, to read a step's failure by.
  accuracy, _ = ctx.evaluator.evaluate(block_level(ctx, allocation))
  allocation.annealing.update(
      accuracy_before_fine_tuning=accuracy,
      drop_before_fine_tuning=ctx.reference[0] - accuracy)
  return allocation


def allocation_from_blocks(ctx, overall_ratio, total, targets, blocks,
                           annealing_dict=None, max_saving=None):
  """The Allocation that prunes `blocks[name]` blocks of each layer."""
  pruned = {n: ctx.layers[n].pruned_weights(b) for n, b in blocks.items()}
  return Allocation(
      overall_ratio=float(overall_ratio), total_weights=int(total),
      targets={n: int(t) for n, t in targets.items()},
      blocks={n: int(b) for n, b in blocks.items()},
      pruned_weights=pruned,
      ratios={n: pruned[n] / max(1, ctx.layers[n].remaining_weights)
              for n in blocks},
      sparsities={n: ctx.layers[n].sparsity_after(b)
                  for n, b in blocks.items()},
      annealing=annealing_dict, saving=criterion_saving(ctx, blocks),
      max_saving=None if max_saving is None else float(max_saving))


def block_level(ctx, allocation):
  """{layer name: keep map} the allocation leaves (lowest RMS pruned)."""
  return {n: ctx.layers[n].keep_after(b)
          for n, b in allocation.blocks.items()}
