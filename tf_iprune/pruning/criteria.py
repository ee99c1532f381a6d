"""Pruning criteria: the per-layer cost a pruning method minimises.

A criterion is a function `cost(spec, plan, nonzero) -> float` of a layer's
LayerSpec, TilePlan and (G, J) map of non-zero blocks (None: dense). Methods
differ only in the criterion; every cost comes from `tf_iprune.hardware`:

  intermittent  accelerator outputs of the intermittent runtime (iPrune),
                `hardware.accelerator_outputs` ('full' formula).
  energy        energy of one inference in a conventional engine (ePrune),
                `hardware.conventional_counts(...).joules(target)`, the
                `energy_j` of `hardware.profile`.
"""
from tf_iprune import hardware

CRITERIA = ("intermittent", "energy")


def get_criterion(name, target=None):
  """The cost function of criterion `name` on `target` (default MSP430)."""
  target = target or hardware.Target.msp430fr5994()
  if name == "intermittent":
    def cost(spec, plan, nonzero):
      return float(hardware.accelerator_outputs(spec, plan, nonzero))
  elif name == "energy":
    def cost(spec, plan, nonzero):
      return hardware.conventional_counts(spec, plan, nonzero,
                                          target).joules(target)
  else:
    raise ValueError("Unknown pruning criterion %r; supported: %s." %
                     (name, ", ".join(CRITERIA)))
  cost.__name__ = name
  return cost
