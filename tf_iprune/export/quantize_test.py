"""Tests of Q15 quantisation with power-of-two scales."""
import numpy as np
import pytest

from tf_iprune.export import float_model
from tf_iprune.export import quantize
from tf_iprune.export import testing
from tf_iprune.hardware import blocks
from tf_iprune.hardware import target as target_lib
from tf_iprune.hardware import tiling


@pytest.mark.parametrize("peak, exponent", [
    (32767, 0), (32767.4, 1), (32768, 1), (1.0, -14), (0.99996, -15),
    (1.00002, -14), (65534, 1), (65535, 2), (0.0, quantize.ZERO_EXPONENT),
    (3e-9, -43),
])
def test_exponent_for_is_the_smallest_that_fits(peak, exponent):
  assert quantize.exponent_for(peak) == exponent
  if peak:
    assert peak / 2.0**exponent <= 32767 < peak / 2.0**(exponent - 1)


def test_exponent_for_refuses_non_finite():
  with pytest.raises(ValueError, match="non-finite"):
    quantize.exponent_for(float("inf"))


def test_quantize_array_rounds_half_up_and_saturates():
  q, saturated = quantize.quantize_array(
      [0.5, -0.5, 1.5, -1.5, 0.49, 40000, -40000, -32768.4], 0)
  assert q.tolist() == [1, 0, 2, -1, 0, 32767, -32768, -32768]
  assert saturated == 2
  q, _ = quantize.quantize_array([0.75, -0.25], -2)
  assert q.tolist() == [3, -1]


def test_kernel_from_blocks_inverts_blocks():
  qmodel = testing.random_qmodel(testing.example_specs("all"), seed=1,
                                 overrides={"conv1": (4, 2), "pw": (5, 5),
                                            "fc1": (3, 3)})
  for layer in qmodel.layers:
    if layer.spec.prunable:
      kernel = quantize.kernel_from_blocks(layer.grid, layer.blocks)
      assert kernel.shape == layer.spec.kernel_shape
      np.testing.assert_array_equal(layer.grid.blocks(kernel), layer.blocks)


def _float_layer(spec, rng, pruned_blocks=()):
  plan = tiling.plan_layer(spec, target_lib.Target.msp430fr5994(), 2, 2)
  grid = blocks.BlockGrid(spec, plan)
  mask = np.ones(grid.shape, bool)
  for g, j in pruned_blocks:
    mask[g, j] = False
  kernel = rng.normal(size=spec.kernel_shape) * grid.weight_mask(mask)
  return float_model.FloatLayer(spec, kernel, rng.normal(size=(
      spec.out_channels,))), plan, mask


def test_quantize_layer_keeps_pruned_blocks_out_and_scales_weights():
  rng = np.random.default_rng(0)
  b = testing.SpecBuilder((4, 4, 3))
  b.conv("conv", "input", 5)
  layer, plan, mask = _float_layer(b.specs[0], rng, [(0, 1), (2, 4)])
  qlayer = quantize.quantize_layer(layer, plan, e_out=-10)
  np.testing.assert_array_equal(qlayer.nonzero, mask)
  e_w = qlayer.weight_exponent
  assert 2**14 <= np.abs(qlayer.blocks).max() <= 2**15 - 1
  kernel = quantize.kernel_from_blocks(qlayer.grid, qlayer.blocks)
  assert np.abs(kernel * 2.0**e_w - layer.kernel).max() <= 2.0**(e_w - 1)
  assert np.abs(qlayer.bias * 2.0**-10 - layer.bias).max() <= 2.0**-11


def test_tiny_weights_that_round_to_zero_leave_their_block_out():
  rng = np.random.default_rng(1)
  b = testing.SpecBuilder((1, 1, 4))
  b.dense("fc", "input", 2)
  layer, plan, _ = _float_layer(b.specs[0], rng)
  layer.kernel[2:, :] = 1e-9  # Block column 1: far below one weight step.
  qlayer = quantize.quantize_layer(layer, plan, e_out=-8)
  assert qlayer.nonzero.tolist() == [[True, False]]
  assert qlayer.is_bsr


def test_quantize_input_reshapes_to_the_runtime_layout():
  qmodel = testing.random_qmodel(testing.example_specs("chain"))
  x = np.full((2, 6, 6, 3), 2.0**qmodel.input.exponent * 7)
  q, saturated = quantize.quantize_input(qmodel, x.reshape(2, 108))
  assert q.shape == (2, 6, 6, 3) and q.dtype == np.int16
  assert np.all(q == 7) and saturated == 0
  np.testing.assert_allclose(quantize.dequantize(q, qmodel.input.exponent), x)
