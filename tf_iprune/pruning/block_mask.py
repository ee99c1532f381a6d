"""Block masks: which weight blocks (accelerator operations) to remove.

The block geometry is `tf_iprune.hardware.BlockGrid`'s: one block is the
weights one accelerator operation reads. This module only decides which
blocks to drop, by the paper's third guideline: within a layer, remove the
remaining blocks with the lowest root mean square of their weights first.

Rounding. A pruning target is a number of kernel weights. It is realised by
the fewest whole blocks, taken in pruning order, whose real-weight count
(`BlockGrid.real_weights_per_block`, so zero-padded edge blocks count only
their real weights) reaches the target: the realised count is >= the target
and short of it before the last block. A target of 0 prunes nothing.

Masks are cumulative: blocks already pruned (not in `keep`) stay pruned and
count towards a sparsity target; they are never revived.
"""
import dataclasses

import numpy as np


def pruning_order(grid, kernel, keep):
  """The kept blocks of a layer in the order they would be pruned.

  Args:
    grid: The layer's BlockGrid.
    kernel: The layer's kernel (pruned blocks are ignored, whatever they hold).
    keep: (G, J) bool map of the blocks still in the layer.

  Returns:
    (order, cum_weights): flat indices (row-major in (G, J)) of the kept
    blocks by ascending block RMS, ties broken by index; cum_weights[n] is
    the number of real weights in the first n of them (cum_weights[0] = 0).
  """
  keep = np.asarray(keep, bool)
  kept = np.flatnonzero(keep.ravel())
  rms = grid.block_rms(kernel).ravel()[kept]
  order = kept[np.argsort(rms, kind="stable")]
  real = grid.real_weights_per_block.ravel()[order]
  return order, np.concatenate([[0], np.cumsum(real)]).astype(np.int64)


def blocks_to_reach(cum_weights, weights):
  """Fewest blocks (a prefix of the order) whose weights reach `weights`."""
  if weights <= 0:
    return 0
  n = int(np.searchsorted(cum_weights, weights, side="left"))
  if n >= len(cum_weights):
    raise ValueError("Cannot prune %d weights: only %d remain." %
                     (weights, cum_weights[-1]))
  return n


def sparsity_to_weights(sparsity, total_weights):
  """Weights a sparsity (fraction of a layer's kernel) stands for, rounded."""
  if not 0.0 <= sparsity <= 1.0:
    raise ValueError("Sparsity must be in [0, 1], got %r." % (sparsity,))
  return int(np.rint(np.float64(sparsity) * total_weights))


@dataclasses.dataclass(frozen=True)
class LayerBlocks:
  """One layer's prunable blocks at the start of a pruning step.

  Attributes:
    name: Layer name.
    grid: Its BlockGrid.
    keep: (G, J) bool map of the blocks still present.
    order: Kept blocks in pruning order (see `pruning_order`).
    cum_weights: Real weights of each prefix of `order`.
  """
  name: str
  grid: object
  keep: np.ndarray
  order: np.ndarray
  cum_weights: np.ndarray

  @classmethod
  def from_kernel(cls, name, grid, kernel, keep=None):
    """Blocks of `kernel`; by default the pruned blocks are its zero blocks."""
    if keep is None:
      keep = grid.nonzero_blocks(kernel)
    order, cum = pruning_order(grid, kernel, keep)
    return cls(name, grid, np.asarray(keep, bool), order, cum)

  @property
  def remaining_weights(self):
    """Real weights in the kept blocks."""
    return int(self.cum_weights[-1])

  @property
  def remaining_blocks(self):
    return len(self.order)

  @property
  def total_weights(self):
    return int(self.grid.real_weights_per_block.sum())

  def pruned_weights(self, n):
    """Weights removed by pruning the first n blocks of the order."""
    return int(self.cum_weights[n])

  def blocks_for(self, weights):
    return blocks_to_reach(self.cum_weights, weights)

  def max_prunable_weights(self, max_ratio):
    """Most weights one step may prune.

    The weights of the longest prefix of the order that stays within
    max_ratio of the remaining weights and leaves at least one block, so
    that a target up to it is realised within the bound.
    """
    if self.remaining_blocks == 0:
      return 0
    limit = max_ratio * self.remaining_weights
    n = int(np.searchsorted(self.cum_weights, limit, side="right")) - 1
    return self.pruned_weights(min(n, self.remaining_blocks - 1))

  def blocks_for_ratio(self, ratio, max_ratio=1.0):
    """Blocks realising `ratio` of the remaining weights (within the cap)."""
    weights = min(int(np.rint(ratio * self.remaining_weights)),
                  self.max_prunable_weights(max_ratio))
    return self.blocks_for(weights)

  def keep_after(self, n):
    """(G, J) keep map after pruning the first n blocks of the order."""
    if not 0 <= n <= self.remaining_blocks:
      raise ValueError("Layer %r: cannot prune %d of its %d remaining blocks."
                       % (self.name, n, self.remaining_blocks))
    keep = self.keep.copy().ravel()
    keep[self.order[:n]] = False
    return keep.reshape(self.keep.shape)

  def sparsity_after(self, n):
    """Cumulative sparsity (fraction of all kernel weights in pruned blocks)."""
    before = self.total_weights - self.remaining_weights
    return (before + self.pruned_weights(n)) / self.total_weights


def select_blocks(grid, kernel, keep, sparsity):
  """Keep map reaching a cumulative sparsity, pruning lowest-RMS blocks.

  Args:
    grid: The layer's BlockGrid.
    kernel: The layer's kernel.
    keep: (G, J) bool map of blocks still present (cumulative mask).
    sparsity: Target fraction of the layer's kernel weights that must be in
      pruned blocks (already pruned blocks included).

  Returns:
    (new_keep, threshold): the new (G, J) keep map, a subset of `keep`, and
    the largest RMS among the blocks pruned now (0.0 if none).
  """
  layer = LayerBlocks.from_kernel("", grid, kernel, keep)
  already = layer.total_weights - layer.remaining_weights
  target = sparsity_to_weights(sparsity, layer.total_weights) - already
  n = layer.blocks_for(target)
  threshold = 0.0
  if n:
    threshold = float(grid.block_rms(kernel).ravel()[layer.order[n - 1]])
  return layer.keep_after(n), threshold
