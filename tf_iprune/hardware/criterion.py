"""The pruning criterion: accelerator outputs per layer.

An accelerator output is a value that the intermittent runtime produces with
the accelerator and must preserve to NVM, with its progress indicator, before
it moves on. Our runtime (docs/design.md) walks, for each filter group g, its
non-zero blocks in column order and, for each block, every spatial tile: the
LEA multiplies the input tile by the block, the CPU adds the partial sum read
from NVM (the bias for the group's first block) and the job's outputs are
written back. So every non-zero block of group g yields m_g x P outputs, where
m_g is the group's channel count and P the layer's output positions; a group
with no non-zero block still writes its m_g x P bias (+ activation) outputs:

  criterion='full':       sum_g m_g * P * max(1, nnzb(g))

Partial sums are accumulated into the next output as they are produced (two
NVM buffers used in turn keep every job idempotent), so nothing else is
written per block. This is the single definition the runtime's job counters
are tested against.

criterion='reference' is the formula of the iPrune reference implementation:
conv: sum_g tile_m * P * max(1, nnzb(g)); dense: tile_m * nnzb (an empty
output group counts nothing). Its runtime writes more than this (partial sums
and accumulations separately); the formula is kept to compare with its
published numbers.
"""
import numpy as np

from tf_iprune.hardware import blocks as blocks_lib

CRITERIA = ("full", "reference")


def nnzb_per_group(grid, nonzero=None):
  """Non-zero blocks per filter group; all blocks when `nonzero` is None."""
  if nonzero is None:
    return np.full(grid.n_groups, grid.n_cols, np.int64)
  nonzero = np.asarray(nonzero, bool)
  if nonzero.shape != grid.shape:
    raise ValueError("Layer %r: block map shape %s, expected %s." %
                     (grid.spec.name, nonzero.shape, grid.shape))
  return nonzero.sum(axis=1)


def accelerator_outputs(spec, plan, nonzero=None, criterion="full"):
  """Accelerator outputs of one layer.

  Args:
    spec: The layer's LayerSpec.
    plan: Its TilePlan.
    nonzero: (G, J) bool map of non-zero blocks (BlockGrid order); None for a
      dense layer. CPU layers (pooling, add, ...) produce no accelerator
      outputs.
    criterion: 'full' (our runtime) or 'reference' (the iPrune reference
      implementation's formula).

  Returns:
    The number of accelerator outputs, an int.
  """
  if criterion not in CRITERIA:
    raise ValueError("Unknown criterion %r; supported: %s." %
                     (criterion, ", ".join(CRITERIA)))
  if not spec.prunable:
    return 0
  grid = blocks_lib.BlockGrid(spec, plan)
  nnzb = nnzb_per_group(grid, nonzero)
  pixels = spec.out_pixels
  if criterion == "reference":
    if spec.kind == "dense":
      return int(grid.tile_m * nnzb.sum())
    return int((grid.tile_m * pixels * np.maximum(1, nnzb)).sum())
  return int((grid.group_channels * pixels * np.maximum(1, nnzb)).sum())
