"""Weight blocks: the weights one accelerator operation reads.

A prunable layer's kernel is cut into a grid of blocks. Block rows are filter
groups g (tile_m output channels each; the last may be narrower). Block
columns j are, in the order the runtime walks them:
  conv       j = (kh * KW + kw) * n_chunks + c: tile_m filters x tile_n input
             channels (chunk c) at kernel position (kh, kw);
  depthwise  j = kh * KW + kw: tile_m channels at one kernel position (the
             LEA multiplies them element-wise, see docs/design.md);
  dense      j = c: tile_n inputs (chunk c) x tile_m outputs.
Pruning removes whole blocks; the exporter stores the non-zero ones as BSR
with exactly this grid, so one stored block is one accelerator operation.
"""
import functools

import numpy as np


class BlockGrid:
  """The block grid of one prunable layer under a tile plan."""

  def __init__(self, spec, plan):
    if not spec.prunable:
      raise ValueError("Layer %r (%s) has no weights to cut into blocks." %
                       (spec.name, spec.kind))
    self.spec = spec
    self.plan = plan
    self.tile_m = plan.tile_m
    self.tile_n = plan.tile_m if spec.kind == "depthwise" else plan.tile_n
    m = spec.out_channels
    self.n_groups = -(-m // self.tile_m)
    self.group_channels = np.array(
        [min(self.tile_m, m - g * self.tile_m) for g in range(self.n_groups)])
    kh, kw = spec.kernel
    if spec.kind == "depthwise":
      self.n_chunks = 1
    else:
      self.n_chunks = -(-spec.in_channels // self.tile_n)
    self.n_positions = kh * kw
    self.n_cols = self.n_positions * self.n_chunks
    self.shape = (self.n_groups, self.n_cols)

  @property
  def weights_per_block(self):
    """Weights a full block holds (edge blocks hold fewer real weights)."""
    if self.spec.kind == "depthwise":
      return self.tile_m
    return self.tile_n * self.tile_m

  def column(self, j):
    """(kh, kw, chunk) of block column j."""
    position, chunk = divmod(j, self.n_chunks)
    kh, kw = divmod(position, self.spec.kernel[1])
    return kh, kw, chunk

  def chunk_width(self, chunk):
    """Input channels (dense: inputs) of chunk `chunk`."""
    return min(self.tile_n, self.spec.in_channels - chunk * self.tile_n)

  def _blocked(self, kernel):
    """Kernel as a zero-padded array (G, J, tile_n, tile_m)."""
    kernel = np.asarray(kernel)
    if kernel.shape != self.spec.kernel_shape:
      raise ValueError("Layer %r: kernel shape %s, expected %s." %
                       (self.spec.name, kernel.shape, self.spec.kernel_shape))
    kind = self.spec.kind
    g, tm, tn, nc = self.n_groups, self.tile_m, self.tile_n, self.n_chunks
    if kind == "dense":
      k = kernel.reshape(1, 1, *kernel.shape)
    elif kind == "depthwise":
      k = kernel[..., 0]  # (KH, KW, C): channel c belongs to filter c.
    else:
      k = kernel
    if kind == "depthwise":
      padded = np.zeros(k.shape[:2] + (g * tm,), kernel.dtype)
      padded[..., :k.shape[2]] = k
      # (KH, KW, G, tm) -> (G, KH*KW, 1, tm)
      blocks = padded.reshape(self.n_positions, g, tm).transpose(1, 0, 2)
      return blocks[:, :, None, :]
    padded = np.zeros(k.shape[:2] + (nc * tn, g * tm), kernel.dtype)
    padded[:, :, :k.shape[2], :k.shape[3]] = k
    blocks = padded.reshape(self.n_positions, nc, tn, g, tm)
    # -> (G, positions, chunks, tn, tm) -> (G, J, tn, tm)
    return blocks.transpose(3, 0, 1, 2, 4).reshape(g, self.n_cols, tn, tm)

  def blocks(self, kernel):
    """Kernel blocks as (G, J, rows, tile_m), zero-padded at the edges.

    rows is tile_n (conv, dense) or 1 (depthwise: a block is a vector).
    """
    return self._blocked(kernel)

  def block_rms(self, kernel):
    """Root mean square of the real (unpadded) weights of each block."""
    sq = np.square(self._blocked(kernel).astype(np.float64)).sum(axis=(2, 3))
    return np.sqrt(sq / self.real_weights_per_block)

  @functools.cached_property
  def real_weights_per_block(self):
    """(G, J) number of real kernel weights in each block."""
    ones = np.ones(self.spec.kernel_shape, np.int64)
    return self._blocked(ones).sum(axis=(2, 3))

  def nonzero_blocks(self, kernel):
    """(G, J) bool: blocks holding at least one non-zero weight."""
    return np.any(self._blocked(kernel) != 0, axis=(2, 3))

  def weight_mask(self, block_mask):
    """Kernel-shaped {0, 1} mask that keeps the blocks where block_mask."""
    block_mask = np.asarray(block_mask, bool)
    if block_mask.shape != self.shape:
      raise ValueError("Layer %r: block mask shape %s, expected %s." %
                       (self.spec.name, block_mask.shape, self.shape))
    kind = self.spec.kind
    g, tm, tn, nc = self.n_groups, self.tile_m, self.tile_n, self.n_chunks
    if kind == "depthwise":
      per = block_mask.T.reshape(self.spec.kernel + (g, 1))
      full = np.repeat(per, tm, axis=3).reshape(self.spec.kernel + (g * tm,))
      return full[..., :self.spec.in_channels, None].astype(np.float32)
    per = block_mask.reshape(g, self.n_positions, nc)
    per = per.transpose(1, 2, 0)  # (positions, chunks, G)
    full = np.repeat(np.repeat(per, tn, axis=1), tm, axis=2)
    kh, kw = (1, 1) if kind == "dense" else self.spec.kernel
    full = full.reshape(kh, kw, nc * tn, g * tm)
    full = full[:, :, :self.spec.in_channels, :self.spec.out_channels]
    return full.reshape(self.spec.kernel_shape).astype(np.float32)

  def dense_mask(self):
    return np.ones(self.shape, bool)
