"""Per-layer sensitivity analysis (network level, first guideline).

Each prunable layer is pruned alone, in blocks (lowest RMS first), to a
series of ratios of its remaining weights, and the validation accuracy drop
is measured without fine-tuning. A layer's sensitivity is its mean accuracy
drop over the series; ties (common when a few drops are all zero) are
broken by the mean increase of the validation loss, then by layer order.
"""
import dataclasses
from typing import Dict, List, Tuple

import numpy as np
import tqdm

DEFAULT_RATIOS = (0.2, 0.4, 0.6, 0.8)


@dataclasses.dataclass
class LayerSensitivity:
  """Accuracy (percentage points) and loss changes of pruning one layer.

  Attributes:
    name: Layer name.
    ratios: Pruned fractions of the layer's remaining weights.
    blocks: Blocks pruned for each ratio.
    accuracy_drops: Reference accuracy minus accuracy, per ratio.
    loss_increases: Loss minus reference loss, per ratio.
  """
  name: str
  ratios: List[float]
  blocks: List[int]
  accuracy_drops: List[float]
  loss_increases: List[float]

  @property
  def score(self):
    return float(np.mean(self.accuracy_drops))

  @property
  def tie_breaker(self):
    return float(np.mean(self.loss_increases))

  def to_dict(self):
    d = dataclasses.asdict(self)
    d["score"] = self.score
    return d

  @classmethod
  def from_dict(cls, d):
    d = dict(d)
    d.pop("score", None)
    return cls(**d)


def analyse(layers, evaluate, reference, ratios=DEFAULT_RATIOS, max_ratio=1.0,
            verbose=False) -> Dict[str, LayerSensitivity]:
  """Measures the sensitivity of every layer.

  Args:
    layers: {name: block_mask.LayerBlocks}, in model order.
    evaluate: keeps -> (accuracy %, loss) with {name: keep map} applied.
    reference: (accuracy %, loss) of the unchanged layers.
    ratios: Fractions of each layer's remaining weights to prune.
    max_ratio: The most a layer may lose in one step (as in the search).
    verbose: Show a progress bar.

  Returns:
    {name: LayerSensitivity} in the order of `layers`.
  """
  if not ratios or any(not 0 < r <= 1 for r in ratios):
    raise ValueError("Sensitivity ratios must be in (0, 1], got %r." %
                     (ratios,))
  result = {}
  with tqdm.tqdm(total=len(layers) * len(ratios), desc="sensitivity",
                 disable=not verbose, leave=False) as bar:
    for name, layer in layers.items():
      sens = LayerSensitivity(name, [], [], [], [])
      for ratio in ratios:
        n = layer.blocks_for_ratio(ratio, max_ratio)
        accuracy, loss = evaluate({name: layer.keep_after(n)})
        sens.ratios.append(float(ratio))
        sens.blocks.append(int(n))
        sens.accuracy_drops.append(reference[0] - accuracy)
        sens.loss_increases.append(loss - reference[1])
        bar.update()
      result[name] = sens
  return result


def rank(sensitivities) -> List[str]:
  """Layer names, most sensitive first."""
  names = list(sensitivities)
  return sorted(names, key=lambda n: (-sensitivities[n].score,
                                      -sensitivities[n].tie_breaker,
                                      names.index(n)))


def overall_ratio(ranking, costs,
                  upper_bound) -> Tuple[float, Dict[str, float]]:
  """The first guideline: this step's overall pruning ratio G.

  The layer of rank i (1 = most sensitive) of n is mapped to the ratio
  i * upper_bound / n; G is the ratio mapped to the layer of highest cost
  (most accelerator outputs for iPrune; first in `costs` order on ties).

  Args:
    ranking: Layer names, most sensitive first.
    costs: {name: cost of the layer now}, in model order.
    upper_bound: The upper bound G^ on G, in (0, 1].

  Returns:
    (G, {name: mapped ratio}).
  """
  if not 0 < upper_bound <= 1:
    raise ValueError("The upper bound on the overall pruning ratio must be "
                     "in (0, 1], got %r." % (upper_bound,))
  if set(ranking) != set(costs):
    raise ValueError("Ranked layers %s differ from costed layers %s." %
                     (sorted(ranking), sorted(costs)))
  n = len(ranking)
  mapped = {name: (i + 1) * upper_bound / n for i, name in enumerate(ranking)}
  costliest = max(costs, key=lambda name: costs[name])
  return mapped[costliest], mapped
