"""Tests for block_mask: lowest-RMS block selection and its rounding."""
import numpy as np
import pytest

from tf_iprune import hardware
from tf_iprune.pruning import block_mask


def _dense(n_in=10, n_out=6, tile_m=4, tile_n=4):
  spec = hardware.LayerSpec("fc", "dense", ((1, 1, n_in),), (1, 1, n_out))
  return hardware.BlockGrid(spec, hardware.TilePlan(tile_m, tile_n, 1))


def _kernel_with_block_rms(grid, rms):
  """A kernel whose block (g, j) holds constant rms[g, j]."""
  kernel = np.zeros(grid.spec.kernel_shape, np.float32)
  for (g, j), value in np.ndenumerate(rms):
    one = np.zeros(grid.shape, bool)
    one[g, j] = True
    kernel += value * grid.weight_mask(one)
  return kernel


def test_order_is_ascending_rms_with_index_ties():
  grid = _dense()  # 2 groups x 3 chunks (the last chunk holds 2 inputs).
  rms = np.array([[3., 1., 2.], [1., 5., 0.5]])
  kernel = _kernel_with_block_rms(grid, rms)
  order, cum = block_mask.pruning_order(grid, kernel, grid.dense_mask())
  # Flat indices by RMS: 0.5 (5), 1 (1), 1 (3), 2 (2), 3 (0), 5 (4).
  assert order.tolist() == [5, 1, 3, 2, 0, 4]
  real = grid.real_weights_per_block.ravel()
  assert cum.tolist() == np.concatenate([[0], np.cumsum(real[order])]).tolist()
  # Edge blocks: 2 real inputs x (4, then 2) outputs.
  assert real[5] == 2 * 2 and real[2] == 2 * 4


def test_blocks_to_reach_rounds_up_to_whole_blocks():
  cum = np.array([0, 16, 32, 40])
  assert block_mask.blocks_to_reach(cum, 0) == 0
  assert block_mask.blocks_to_reach(cum, 1) == 1
  assert block_mask.blocks_to_reach(cum, 16) == 1
  assert block_mask.blocks_to_reach(cum, 17) == 2
  assert block_mask.blocks_to_reach(cum, 40) == 3
  with pytest.raises(ValueError, match="only 40 remain"):
    block_mask.blocks_to_reach(cum, 41)


def test_select_blocks_zeroes_exactly_the_lowest_rms_blocks():
  grid = _dense(16, 8, 4, 4)  # 2 x 4 blocks of 16 weights.
  rng = np.random.default_rng(0)
  kernel = rng.normal(size=grid.spec.kernel_shape).astype(np.float32)
  keep, threshold = block_mask.select_blocks(grid, kernel, grid.dense_mask(),
                                             0.3)
  # 0.3 * 128 = 38.4 -> 38 weights -> 3 blocks of 16.
  assert (~keep).sum() == 3
  rms = grid.block_rms(kernel)
  assert rms[~keep].max() < rms[keep].min()
  assert threshold == pytest.approx(rms[~keep].max())
  mask = grid.weight_mask(keep)
  # The mask zeroes whole blocks only: each block is all 0 or all 1.
  blocks = grid.blocks(mask)
  per_block = blocks.reshape(grid.shape + (-1,))
  assert np.all((per_block == 0).all(-1) | (per_block == 1).all(-1))
  assert np.array_equal(grid.nonzero_blocks(kernel * mask), keep)


def test_select_blocks_is_cumulative():
  grid = _dense(16, 8, 4, 4)
  rng = np.random.default_rng(1)
  kernel = rng.normal(size=grid.spec.kernel_shape).astype(np.float32)
  # Prune the block with the largest RMS first, by hand.
  rms = grid.block_rms(kernel)
  keep = grid.dense_mask()
  keep[np.unravel_index(np.argmax(rms), rms.shape)] = False
  new_keep, _ = block_mask.select_blocks(grid, kernel, keep, 0.25)
  assert not new_keep[~keep].any()  # Never revived.
  assert (~new_keep).sum() == 2  # 32 of 128 weights: 1 old + 1 new block.
  same, threshold = block_mask.select_blocks(grid, kernel, new_keep, 0.25)
  assert np.array_equal(same, new_keep) and threshold == 0.0


def test_layer_blocks_caps_and_ratios():
  grid = _dense(16, 8, 4, 4)
  kernel = np.random.default_rng(2).normal(
      size=grid.spec.kernel_shape).astype(np.float32)
  layer = block_mask.LayerBlocks.from_kernel("fc", grid, kernel)
  assert layer.remaining_weights == 128 and layer.remaining_blocks == 8
  assert layer.max_prunable_weights(0.9) == 112  # 7 blocks: 112 <= 115.2.
  assert layer.max_prunable_weights(1.0) == 112  # The last block stays.
  assert layer.max_prunable_weights(0.2) == 16
  assert layer.blocks_for_ratio(0.5) == 4
  assert layer.blocks_for_ratio(1.0, max_ratio=1.0) == 7
  keep = layer.keep_after(3)
  assert (~keep).sum() == 3
  assert layer.sparsity_after(3) == pytest.approx(48 / 128)
  pruned = block_mask.LayerBlocks.from_kernel("fc", grid,
                                              kernel * grid.weight_mask(keep))
  assert pruned.remaining_weights == 80
  assert pruned.sparsity_after(1) == pytest.approx(64 / 128)
  with pytest.raises(ValueError, match="cannot prune 6 of its 5"):
    pruned.keep_after(6)


def test_depthwise_and_conv_grids():
  conv = hardware.LayerSpec("c", "conv", ((4, 4, 6),), (4, 4, 4), (3, 3),
                            pads=(1, 1, 1, 1))
  grid = hardware.BlockGrid(conv, hardware.TilePlan(2, 3, 4))
  kernel = np.random.default_rng(3).normal(
      size=conv.kernel_shape).astype(np.float32)
  keep, _ = block_mask.select_blocks(grid, kernel, grid.dense_mask(), 0.5)
  assert np.array_equal(grid.nonzero_blocks(kernel * grid.weight_mask(keep)),
                        keep)
  dw = hardware.LayerSpec("d", "depthwise", ((4, 4, 5),), (4, 4, 5), (3, 3),
                          pads=(1, 1, 1, 1))
  grid = hardware.BlockGrid(dw, hardware.TilePlan(2, 2, 4))
  kernel = np.random.default_rng(4).normal(
      size=dw.kernel_shape).astype(np.float32)
  keep, _ = block_mask.select_blocks(grid, kernel, grid.dense_mask(), 0.4)
  # 0.4 * 45 = 18 weights: blocks hold 2 channels (the last group 1).
  assert grid.real_weights_per_block[~keep].sum() >= 18
  assert np.array_equal(grid.nonzero_blocks(kernel * grid.weight_mask(keep)),
                        keep)


def test_sparsity_must_be_a_fraction():
  with pytest.raises(ValueError, match="Sparsity must be in"):
    block_mask.sparsity_to_weights(1.5, 10)
