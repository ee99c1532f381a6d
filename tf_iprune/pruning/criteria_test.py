"""Tests for the pluggable pruning criteria."""
import numpy as np
import pytest

from mlperf_tiny_models import get_model
from tf_iprune import hardware
from tf_iprune.pruning import criteria


def test_criteria_are_the_hardware_models_costs():
  model = get_model("har_cnn")
  specs = hardware.specs_from_keras(model)
  plans = hardware.plan_model(specs, plan="reference", model_name="har_cnn")
  target = hardware.Target.msp430fr5994()
  profile = hardware.profile_model(specs, target=target, plans=plans)
  outputs = criteria.get_criterion("intermittent")
  energy = criteria.get_criterion("energy", target)
  rows = {r["name"]: r for r in profile["layers"]}
  for spec in specs:
    if spec.prunable:
      assert outputs(spec, plans[spec.name], None) == rows[spec.name][
          "acc_outputs"]
      assert energy(spec, plans[spec.name], None) == pytest.approx(
          rows[spec.name]["energy_j"])
  # Reference totals of the paper's HAR model (FACTS.md): 14,256.
  assert sum(outputs(s, plans[s.name], None) for s in specs
             if s.prunable) == 14256


def test_pruned_blocks_lower_both_costs():
  spec = hardware.LayerSpec("c", "conv", ((8, 8, 4),), (8, 8, 4), (3, 3),
                            pads=(1, 1, 1, 1))
  plan = hardware.TilePlan(2, 4, 16)
  grid = hardware.BlockGrid(spec, plan)
  keep = grid.dense_mask()
  keep[0, :4] = False
  for name in criteria.CRITERIA:
    cost = criteria.get_criterion(name)
    assert cost(spec, plan, keep) < cost(spec, plan, None)
  assert criteria.get_criterion("intermittent")(spec, plan, keep) == (
      hardware.accelerator_outputs(spec, plan, keep))
  assert np.isfinite(criteria.get_criterion("energy")(spec, plan, keep))


def test_unknown_criterion():
  with pytest.raises(ValueError, match="supported: intermittent, energy"):
    criteria.get_criterion("latency")
