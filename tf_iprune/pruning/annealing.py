"""Simulated annealing over per-layer pruning ratios (layer level).

The state is what each layer loses in this step, p_i, in budget units:
sum_i p_i = T held exactly and 0 <= p_i <= cap_i price_i. A layer's price is
the budget units one of its weights is worth, a positive integer: 1 for the
paper's weight budget (T = round(G K), K the remaining weights), its
criterion cost per weight otherwise (see `strategy`). Layer i loses the
fewest lowest-RMS blocks whose weights reach ceil(p_i / price_i) (its
target; at most cap_i, see `LayerBlocks.max_prunable_weights`), so the
realised total exceeds the budget by less than one block per layer, and the
objective is a function of those block counts (cached per distinct
configuration).

A move takes delta budget units from one layer and gives them to another:
delta = u * max(unit_a, unit_b), u uniform in 1..max_move_blocks (unit = a
layer's largest block times its price), clipped to what the two layers
allow, so every move changes at least one block count and keeps the sum.

Temperature schedule: before the search, `calibration_moves` random moves
from the initial state are scored; T0 = -median(worsening deltas) /
ln(initial_acceptance), so a worsening move of median size is accepted
with probability `initial_acceptance` (0.5 by default). The median, not the
mean: a few catastrophic moves (emptying a sensitive layer costs tens of
points of accuracy) would otherwise make T0 so hot that the search is a
random walk for most of its steps. The temperature then falls
geometrically, T_k = T0 * final_temperature_ratio^(k / (steps - 1)), by
default a thousandfold, to a near-greedy search. A worsening move (delta f > 0) is accepted with
probability exp(-delta f / T_k); the acceptance rate of worsening moves in
the first and last fifth of the steps is recorded. The best state seen is
returned.
"""
import dataclasses
import math
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import numpy as np
import tqdm


@dataclasses.dataclass
class AnnealingResult:
  """Outcome of one search.

  Attributes:
    weights: Each layer's target, the weights it should lose (their sum is
      total under the weight budget).
    blocks: Realised pruned blocks per layer.
    objective: Objective of that configuration.
    total: The budget T, in budget units.
    initial_objective: Objective of the proportional start.
    initial_temperature, final_temperature: T0 and the last temperature.
    calibrated_acceptance: Mean exp(-delta/T0) over the calibration moves
      that worsen the objective (below initial_acceptance when a few of
      them are catastrophic).
    early_acceptance, late_acceptance: Accepted fraction of worsening moves
      in the first and last fifth of the steps (None if there were none).
    accepted: Accepted moves (all kinds).
    steps: Moves tried.
    evaluations: Distinct configurations evaluated.
    trace: (step, temperature, current objective, best objective) every
      few steps.
  """
  weights: List[int]
  blocks: List[int]
  objective: float
  total: int
  initial_objective: float
  initial_temperature: float
  final_temperature: float
  calibrated_acceptance: Optional[float]
  early_acceptance: Optional[float]
  late_acceptance: Optional[float]
  accepted: int
  steps: int
  evaluations: int
  trace: List[Tuple[int, float, float, float]]
  prices: Optional[List[int]] = None  # Budget units per weight.

  def to_dict(self):
    return dataclasses.asdict(self)

  @classmethod
  def from_dict(cls, d):
    d = dict(d)
    d["trace"] = [tuple(t) for t in d["trace"]]
    return cls(**d)


def proportional_allocation(total, remaining, caps) -> List[int]:
  """p_i proportional to what remains of each layer, k_i, capped, summing
  to total (all in the same units: weights, or budget units).

  Floors of total * k_i / K first; the rest goes out in shares proportional
  to k_i among the layers with room (in layer order), until it is used up.
  """
  if total > sum(caps):
    raise ValueError("Cannot spend %d: the layers allow at most %d."
                     % (total, sum(caps)))
  k = [int(ki) for ki in remaining]
  p = [min(c, total * ki // max(1, sum(k))) for ki, c in zip(k, caps)]
  rest = total - sum(p)
  while rest > 0:
    room = [i for i in range(len(p)) if p[i] < caps[i]]
    weight = sum(k[i] for i in room)
    for i in room:
      share = max(1, -(-rest * k[i] // weight))
      give = min(share, caps[i] - p[i], rest)
      p[i] += give
      rest -= give
      if rest == 0:
        break
  return p


class _Search:
  """State, moves and cached objective of one annealing run."""

  def __init__(self, layers, caps, prices, objective, rng, max_move_blocks):
    self.layers = layers
    self.prices = list(prices)
    self.caps = [c * price for c, price in zip(caps, self.prices)]
    self.units = [int(l.grid.real_weights_per_block.max()) * price
                  for l, price in zip(layers, self.prices)]
    self.objective_fn = objective
    self.rng = rng
    self.max_move_blocks = max_move_blocks
    self.cache: Dict[Tuple[int, ...], float] = {}

  def weights(self, p):
    """Each layer's target: ceil(p_i / price_i) weights."""
    return [-(-x // price) for x, price in zip(p, self.prices)]

  def blocks(self, p):
    return tuple(l.blocks_for(w) for l, w in zip(self.layers, self.weights(p)))

  def objective(self, p):
    key = self.blocks(p)
    if key not in self.cache:
      self.cache[key] = float(self.objective_fn(key))
    return self.cache[key]

  def propose(self, p):
    """A neighbour of p (same sum, within caps), or None if p has none."""
    n = len(p)
    donors = [i for i in range(n) if p[i] > 0]
    self.rng.shuffle(donors)
    for a in donors:
      receivers = [i for i in range(n) if i != a and p[i] < self.caps[i]]
      if not receivers:
        continue
      b = receivers[self.rng.integers(len(receivers))]
      u = int(self.rng.integers(1, self.max_move_blocks + 1))
      delta = min(u * max(self.units[a], self.units[b]), p[a],
                  self.caps[b] - p[b])
      q = list(p)
      q[a] -= delta
      q[b] += delta
      return q
    return None


def anneal(layers: Sequence, total: int, caps: Sequence[int],
           objective: Callable[[Tuple[int, ...]], float], rng,
           prices: Optional[Sequence[int]] = None, steps=300,
           initial_acceptance=0.5, final_temperature_ratio=0.001,
           calibration_moves=20, max_move_blocks=3,
           verbose=False) -> AnnealingResult:
  """Searches per-layer weight targets minimising `objective`.

  Args:
    layers: block_mask.LayerBlocks per layer.
    total: Budget to spend in all (T), in budget units: weights when
      `prices` is None.
    caps: Most weights each layer may lose.
    objective: Block counts per layer -> value to minimise.
    rng: numpy Generator (the search is deterministic given its state).
    prices: Budget units per weight of each layer, positive integers; None
      for 1 (the weight budget).
    steps: Moves to try.
    initial_acceptance: Acceptance probability of a median worsening move at
      the start, in (0, 1).
    final_temperature_ratio: Last temperature / first, in (0, 1].
    calibration_moves: Random moves that calibrate T0.
    max_move_blocks: Largest move, in blocks of the coarser of two layers.
    verbose: Show a progress bar.

  Returns:
    AnnealingResult of the best configuration seen.
  """
  if not 0 < initial_acceptance < 1:
    raise ValueError("initial_acceptance must be in (0, 1), got %r." %
                     (initial_acceptance,))
  if not 0 < final_temperature_ratio <= 1:
    raise ValueError("final_temperature_ratio must be in (0, 1], got %r." %
                     (final_temperature_ratio,))
  if prices is None:
    prices = [1] * len(layers)
  if any(int(price) != price or price < 1 for price in prices):
    raise ValueError("prices must be positive integers, got %r." % (prices,))
  search = _Search(layers, caps, [int(price) for price in prices], objective,
                   rng, max_move_blocks)
  p = proportional_allocation(
      total, [l.remaining_weights * price
              for l, price in zip(layers, search.prices)], search.caps)
  f = search.objective(p)
  initial_f = f

  worse = []
  for _ in range(calibration_moves):
    q = search.propose(p)
    if q is None:
      break
    delta = search.objective(q) - f
    if delta > 0:
      worse.append(delta)
  if worse:
    t0 = -float(np.median(worse)) / math.log(initial_acceptance)
    calibrated = float(np.mean(np.exp(-np.asarray(worse) / t0)))
  else:
    t0, calibrated = 1.0, None  # No worsening move: any T0 will do.

  best_p, best_f = list(p), f
  fifth = max(1, steps // 5)
  early, late = [0, 0], [0, 0]  # [worsening proposals, accepted]
  accepted = 0
  trace = []
  temperature = t0
  with tqdm.tqdm(total=steps, desc="annealing", disable=not verbose,
                 leave=False) as bar:
    for k in range(steps):
      temperature = t0 * final_temperature_ratio ** (k / max(1, steps - 1))
      q = search.propose(p)
      if q is None:
        break
      fq = search.objective(q)
      delta = fq - f
      take = delta <= 0 or rng.random() < math.exp(-delta / temperature)
      if delta > 0:
        for window, inside in ((early, k < fifth), (late, k >= steps - fifth)):
          if inside:
            window[0] += 1
            window[1] += int(take)
      if take:
        p, f = q, fq
        accepted += 1
        if f < best_f:
          best_p, best_f = list(p), f
      if k % max(1, steps // 50) == 0 or k == steps - 1:
        trace.append((k, temperature, f, best_f))
      bar.set_postfix(T="%.3g" % temperature, f="%.4f" % f,
                      best="%.4f" % best_f)
      bar.update()

  def rate(window):
    return window[1] / window[0] if window[0] else None

  return AnnealingResult(
      weights=[int(w) for w in search.weights(best_p)],
      blocks=list(search.blocks(best_p)),
      objective=best_f, total=int(total), initial_objective=initial_f,
      initial_temperature=t0, final_temperature=temperature,
      calibrated_acceptance=calibrated, early_acceptance=rate(early),
      late_acceptance=rate(late), accepted=accepted, steps=steps,
      evaluations=len(search.cache), trace=trace, prices=search.prices)
