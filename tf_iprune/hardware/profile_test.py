"""Tests for profile: a whole model's costs."""
import numpy as np
import pytest

import mlperf_tiny_models
from tf_iprune.hardware import blocks
from tf_iprune.hardware import layer_spec
from tf_iprune.hardware import profile
from tf_iprune.hardware import tiling


def test_totals_are_sums_and_pruning_reduces_costs():
  model = mlperf_tiny_models.get_model("har_cnn")
  specs = layer_spec.specs_from_keras(model)
  plans = tiling.plan_model(specs, plan="reference", model_name="har_cnn")
  dense = profile.profile_model(specs, plans=plans, power="4mW")
  for key in ("params", "macs", "acc_outputs", "bsr_bytes"):
    assert dense["total"][key] == sum(r[key] for r in dense["layers"])
  # Prune half the blocks of the second conv.
  conv2 = [s for s in specs if s.prunable][1]
  grid = blocks.BlockGrid(conv2, plans[conv2.name])
  block_mask = np.ones(grid.shape, bool)
  block_mask[:, ::2] = False
  kernel = np.ones(conv2.kernel_shape, np.float32) * grid.weight_mask(
      block_mask)
  pruned = profile.profile_model(specs, {conv2.name: kernel}, plans=plans,
                           power="4mW")
  rows = {r["name"]: r for r in pruned["layers"]}
  assert rows[conv2.name]["nonzero_blocks"] == block_mask.sum()
  assert rows[conv2.name]["acc_outputs"] == 4608 // 2
  assert pruned["total"]["acc_outputs"] == 14_256 - 2304
  for key in ("energy_j", "latency_s", "bsr_bytes", "nonzero_macs"):
    assert pruned["total"][key] < dense["total"][key], key
  assert pruned["total"]["macs"] == dense["total"]["macs"]  # Dense MACs.


def test_bsr_bytes_by_hand():
  spec = layer_spec.LayerSpec("fc", "dense", ((1, 1, 8),), (1, 1, 4))
  grid = blocks.BlockGrid(spec, tiling.TilePlan(2, 4, 1))
  nonzero = np.array([[True, False], [True, True]])
  # 3 blocks x 8 values + 2 + 1 row pointers (one per input slice) + 3
  # (group, order) pairs + 4 biases.
  assert profile.bsr_bytes(grid, nonzero) == 2 * (24 + 3 + 6 + 4)


def test_effective_kernel_applies_the_pruning_mask():
  import tensorflow_model_optimization as tfmot  # pylint: disable=g-import-not-at-top
  model = mlperf_tiny_models.get_model("har_cnn")
  pruned = tfmot.sparsity.keras.prune_low_magnitude(model)
  wrapper = pruned.layers[1]
  mask_var = wrapper.pruning_vars[0][1]
  mask = np.zeros(mask_var.shape, np.float32)
  mask[..., :6] = 1.0
  mask_var.assign(mask)
  kernel = profile.effective_kernel(wrapper)
  assert np.count_nonzero(kernel) == np.count_nonzero(
      wrapper.layer.kernel.numpy()[..., :6])


def test_profile_reports_every_layer_and_the_json_keys():
  model = mlperf_tiny_models.get_model("sqn")
  result = profile.profile_keras(model, power="8mW")
  assert len(result["layers"]) == len(layer_spec.specs_from_keras(model))
  for key in ("params", "macs", "acc_outputs", "energy_j", "bsr_bytes",
              "latency_s", "power_cycles"):
    assert key in result["total"]
  assert result["total"]["power_cycles"] > 0
  with pytest.raises(ValueError, match="Unknown power strength"):
    profile.profile_keras(model, power="1mW")
