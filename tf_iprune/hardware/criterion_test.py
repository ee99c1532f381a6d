"""Tests for criterion: accelerator outputs."""
import numpy as np
import pytest

import mlperf_tiny_models
from tf_iprune.hardware import criterion
from tf_iprune.hardware import layer_spec
from tf_iprune.hardware import profile
from tf_iprune.hardware import tiling

CONV = layer_spec.LayerSpec("conv", "conv", ((3, 4, 3),), (2, 3, 5),
                            kernel=(2, 2))
FC = layer_spec.LayerSpec("fc", "dense", ((1, 1, 8),), (1, 1, 4))
DW = layer_spec.LayerSpec("dw", "depthwise", ((4, 4, 4),), (2, 2, 4),
                          kernel=(3, 3))
POOL = layer_spec.LayerSpec("pool", "maxpool", ((4, 4, 4),), (2, 2, 4),
                            kernel=(2, 2), strides=(2, 2))


def test_dense_layers_by_hand():
  # conv: groups of 2, 2, 1 channels; 4 positions x 2 chunks = 8 blocks
  # each; 6 output positions: (2 + 2 + 1) * 6 * 8 = 240.
  assert criterion.accelerator_outputs(CONV, tiling.TilePlan(2, 2, 4)) == 240
  # Reference formula counts tile_m for the narrow last group: 3*2*6*8.
  assert criterion.accelerator_outputs(CONV, tiling.TilePlan(2, 2, 4),
                                       criterion="reference") == 288
  # dense: 2 groups of 2 outputs x 4 chunks of 2 inputs: 2 * 2 * 4 = 16.
  assert criterion.accelerator_outputs(FC, tiling.TilePlan(2, 2, 1)) == 16
  # depthwise: 4 channels x 4 positions x 9 kernel positions = 144.
  assert criterion.accelerator_outputs(DW, tiling.TilePlan(2, 2, 4)) == 144
  assert criterion.accelerator_outputs(POOL, tiling.TilePlan(0, 0, 1)) == 0


def test_sparse_layers_by_hand():
  plan = tiling.TilePlan(2, 2, 1)
  nonzero = np.array([[1, 0, 1, 0], [0, 0, 0, 0]], bool)
  # Group 0: 2 blocks -> 2 * 2; group 1 empty still writes its 2 biases.
  assert criterion.accelerator_outputs(FC, plan, nonzero) == 6
  # The reference formula counts nothing for the empty group.
  assert criterion.accelerator_outputs(FC, plan, nonzero,
                                       criterion="reference") == 4
  conv_plan = tiling.TilePlan(2, 2, 4)
  nonzero = np.zeros((3, 8), bool)
  nonzero[0, [1, 6]] = True
  nonzero[2, 3] = True
  # (2 * 2 + 2 * 1 + 1 * 1) * 6 positions.
  assert criterion.accelerator_outputs(CONV, conv_plan, nonzero) == 42
  with pytest.raises(ValueError, match="block map shape"):
    criterion.accelerator_outputs(CONV, conv_plan, np.ones((2, 8), bool))
  with pytest.raises(ValueError, match="Unknown criterion"):
    criterion.accelerator_outputs(CONV, conv_plan, criterion="writes")


@pytest.mark.parametrize("name, total", [
    ("har_cnn", 14_256), ("cks_cnn", 385_904), ("sqn", 347_552)])
def test_reference_totals_of_the_reference_implementation(name, total):
  model = mlperf_tiny_models.get_model(name)
  result = profile.profile_keras(model, plan="reference", model_name=name,
                                 criterion="reference")
  assert result["total"]["acc_outputs"] == total
  # Its tile sizes divide every layer evenly, so our count agrees when dense.
  result = profile.profile_keras(model, plan="reference", model_name=name)
  assert result["total"]["acc_outputs"] == total
