"""Tests for blocks: the weight blocks of one accelerator operation."""
import numpy as np
import pytest

from tf_iprune.hardware import blocks
from tf_iprune.hardware import layer_spec
from tf_iprune.hardware import tiling

CONV = layer_spec.LayerSpec("conv", "conv", ((3, 4, 3),), (2, 3, 5),
                            kernel=(2, 2))
DW = layer_spec.LayerSpec("dw", "depthwise", ((4, 4, 5),), (2, 2, 5),
                          kernel=(3, 3))
FC = layer_spec.LayerSpec("fc", "dense", ((1, 1, 7),), (1, 1, 3))


def test_conv_block_geometry_by_hand():
  grid = blocks.BlockGrid(CONV, tiling.TilePlan(2, 2, 4))
  # 5 filters in groups of 2 -> 3 groups (2, 2, 1 channels); 3 input
  # channels in chunks of 2 -> 2 chunks; 4 kernel positions -> 8 columns.
  assert grid.shape == (3, 8)
  assert list(grid.group_channels) == [2, 2, 1]
  assert grid.column(5) == (1, 0, 1)  # position 2 = (kh 1, kw 0), chunk 1.
  kernel = np.arange(2 * 2 * 3 * 5, dtype=np.float32).reshape(2, 2, 3, 5)
  b = grid.blocks(kernel)
  assert b.shape == (3, 8, 2, 2)
  # Group 1, column 5: filters 2..3, channel 2 (padded), kernel (1, 0).
  np.testing.assert_array_equal(b[1, 5, 0], kernel[1, 0, 2, 2:4])
  np.testing.assert_array_equal(b[1, 5, 1], [0, 0])
  # Group 2 holds one real filter, padded.
  np.testing.assert_array_equal(b[2, 0, :, 0], kernel[0, 0, 0:2, 4])
  np.testing.assert_array_equal(b[2, 0, :, 1], [0, 0])
  assert grid.real_weights_per_block[2, 5] == 1
  assert grid.real_weights_per_block[0, 0] == 4


@pytest.mark.parametrize("spec, plan", [
    (CONV, tiling.TilePlan(2, 2, 4)),
    (CONV, tiling.TilePlan(5, 3, 6)),
    (DW, tiling.TilePlan(2, 2, 4)),
    (FC, tiling.TilePlan(2, 3, 1)),
])
def test_weight_mask_keeps_exactly_the_chosen_blocks(spec, plan):
  grid = blocks.BlockGrid(spec, plan)
  rng = np.random.default_rng(0)
  kernel = rng.normal(size=spec.kernel_shape).astype(np.float32)
  block_mask = rng.random(grid.shape) < 0.5
  mask = grid.weight_mask(block_mask)
  assert mask.shape == spec.kernel_shape
  pruned = kernel * mask
  np.testing.assert_array_equal(grid.nonzero_blocks(pruned), block_mask)
  # Every weight is in exactly one block: the masks of all blocks tile it.
  assert grid.real_weights_per_block.sum() == kernel.size
  kept = grid.real_weights_per_block[block_mask].sum()
  assert np.count_nonzero(pruned) == kept


def test_block_rms_uses_real_weights_only():
  grid = blocks.BlockGrid(FC, tiling.TilePlan(2, 3, 1))
  kernel = np.zeros((7, 3), np.float32)
  kernel[6, 2] = 2.0  # Alone in the last chunk of the last group.
  rms = grid.block_rms(kernel)
  assert rms.shape == (2, 3)
  assert rms[1, 2] == pytest.approx(2.0)  # 1 real weight, not 3 x 2 padded.
  assert rms.sum() == pytest.approx(2.0)


def test_depthwise_block_is_channels_at_one_position():
  grid = blocks.BlockGrid(DW, tiling.TilePlan(2, 7, 4))
  assert grid.tile_n == 2 and grid.shape == (3, 9)
  assert grid.weights_per_block == 2
  kernel = np.zeros((3, 3, 5, 1), np.float32)
  kernel[2, 1, 4, 0] = 1.0
  nz = grid.nonzero_blocks(kernel)
  assert nz.sum() == 1 and nz[2, 7]


def test_bad_shapes():
  grid = blocks.BlockGrid(FC, tiling.TilePlan(2, 3, 1))
  with pytest.raises(ValueError, match="kernel shape"):
    grid.blocks(np.zeros((3, 7)))
  with pytest.raises(ValueError, match="block mask shape"):
    grid.weight_mask(np.ones((3, 3), bool))
  pool = layer_spec.LayerSpec("p", "maxpool", ((2, 2, 1),), (1, 1, 1))
  with pytest.raises(ValueError, match="no weights"):
    blocks.BlockGrid(pool, tiling.TilePlan(0, 0, 1))
