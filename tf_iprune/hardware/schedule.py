"""Operation counts of a layer in the intermittent and conventional engines.

`intermittent_counts` counts what the runtime in msp430_runtime/ does for one
layer when no power failure happens (docs/design.md, "Execution model"): every
DMA transfer, LEA operation, CPU operation and progress-indicator commit. The
host simulator's counters must equal these exactly under continuous power.

`conventional_counts` counts a conventional (continuously powered) engine
that keeps partial sums in VM and writes each output once: the basis of the
energy criterion of the ePrune baseline.
"""
import dataclasses
import functools

import numpy as np

from tf_iprune.hardware import blocks as blocks_lib
from tf_iprune.hardware import criterion as criterion_lib
from tf_iprune.hardware import tiling


@dataclasses.dataclass
class OpCounts:
  """Counts of hardware operations (words are Q15 elements)."""
  nvm_read_calls: int = 0
  nvm_read_words: int = 0
  nvm_write_calls: int = 0
  nvm_write_words: int = 0
  lea_calls: int = 0
  lea_elements: int = 0
  cpu_add: int = 0
  cpu_mul: int = 0
  cpu_div: int = 0
  cpu_max: int = 0
  commits: int = 0
  acc_outputs: int = 0
  cpu_outputs: int = 0

  def __add__(self, other):
    return OpCounts(**{f.name: getattr(self, f.name) + getattr(other, f.name)
                       for f in dataclasses.fields(self)})

  def to_dict(self):
    return {k: int(v) for k, v in dataclasses.asdict(self).items()}

  def cycles(self, target):
    return (target.nvm_read.cycles(self.nvm_read_calls, self.nvm_read_words) +
            target.nvm_write.cycles(self.nvm_write_calls,
                                    self.nvm_write_words) +
            target.lea.cycles(self.lea_calls, self.lea_elements) +
            self.cpu_add * target.cpu_add.cycles +
            self.cpu_mul * target.cpu_mul.cycles +
            self.cpu_div * target.cpu_div.cycles +
            self.cpu_max * target.cpu_max.cycles)

  def joules(self, target):
    return (target.nvm_read.joules(self.nvm_read_calls, self.nvm_read_words) +
            target.nvm_write.joules(self.nvm_write_calls,
                                    self.nvm_write_words) +
            target.lea.joules(self.lea_calls, self.lea_elements) +
            self.cpu_add * target.cpu_add.joules +
            self.cpu_mul * target.cpu_mul.joules +
            self.cpu_div * target.cpu_div.joules +
            self.cpu_max * target.cpu_max.joules)

  def seconds(self, target):
    return target.seconds(self.cycles(target))


def tile_sizes(spec, plan):
  """Output positions of each spatial tile (row-major, tile_p each)."""
  pixels = spec.out_pixels
  full, rest = divmod(pixels, plan.tile_p)
  return np.array([plan.tile_p] * full + ([rest] if rest else []), np.int64)


def _final_write_calls(n_groups, sizes):
  """DMA calls writing a group's finished outputs into the (H, W, C) map.

  With one group a tile's outputs are contiguous; otherwise each position's
  tile_m channels are a separate run.
  """
  if n_groups == 1:
    return len(sizes)
  return int(np.where(sizes > 1, sizes, 1).sum())


@functools.lru_cache(maxsize=256)
def _input_fetch(spec, plan):
  """Per kernel position: (in-bounds positions, contiguous runs), all tiles.

  Each in-bounds input position of an operation is fetched with one DMA
  transfer, except that positions adjacent in one output row of one tile
  merge into a single transfer when they are adjacent in NVM too (stride 1
  and the chunk covers all channels).
  """
  h, w, _ = spec.input_shapes[0]
  oh_n, ow_n, _ = spec.output_shape
  sh, sw = spec.strides
  pt, pl = spec.pads[0], spec.pads[1]
  p = np.arange(oh_n * ow_n)
  oh, ow = np.divmod(p, ow_n)
  tile_start = (p % plan.tile_p) == 0
  valid_counts, run_counts = [], []
  for kh in range(spec.kernel[0]):
    for kw in range(spec.kernel[1]):
      ih = oh * sh - pt + kh
      iw = ow * sw - pl + kw
      valid = (ih >= 0) & (ih < h) & (iw >= 0) & (iw < w)
      prev_valid = np.concatenate([[False], valid[:-1]])
      starts = valid & (tile_start | (ow == 0) | ~prev_valid)
      valid_counts.append(int(valid.sum()))
      run_counts.append(int(starts.sum()))
  return np.array(valid_counts), np.array(run_counts)


def is_bsr(nonzero):
  """Whether a layer is stored as BSR: some weight block is all zero."""
  return nonzero is not None and not np.all(nonzero)


def _input_fetch_per_block(spec, plan, grid):
  """(calls, words) fetching one block's input over all tiles, (G, J) each.

  The input of block (g, j) is chunk j's channels (depthwise: the group's
  channels) at kernel position j, for every output position.
  """
  if spec.kind == "dense":
    widths = np.array([grid.chunk_width(ch) for ch in range(grid.n_chunks)])
    return (np.ones(grid.shape, np.int64),
            np.broadcast_to(widths, grid.shape))
  valid, runs = _input_fetch(spec, plan)
  pos, chunk = np.divmod(np.arange(grid.n_cols), grid.n_chunks)
  sw = spec.strides[1]
  if spec.kind == "depthwise":
    contiguous = grid.n_groups == 1 and sw == 1
    words = valid[pos][None, :] * grid.group_channels[:, None]
  else:
    contiguous = grid.n_chunks == 1 and sw == 1
    widths = np.array([grid.chunk_width(ch) for ch in chunk])
    words = np.broadcast_to(valid[pos] * widths, grid.shape)
  calls = runs if contiguous else valid
  return np.broadcast_to(calls[pos], grid.shape), words


def _prunable_counts(spec, plan, nonzero, intermittent, free_reads=()):
  """Counts of a conv / depthwise / dense layer.

  Weights are stored block by block (a block is contiguous); a layer with an
  all-zero block is stored as BSR and needs its indices read as well.
  """
  grid = blocks_lib.BlockGrid(spec, plan)
  bsr = is_bsr(nonzero)
  if nonzero is None:
    nonzero = grid.dense_mask()
  if intermittent:
    counts = _intermittent_prunable(spec, plan, grid, nonzero, bsr,
                                    free_reads)
  else:
    counts = _conventional_prunable(spec, plan, grid, nonzero, bsr)
  counts.acc_outputs = criterion_lib.accelerator_outputs(spec, plan, nonzero)
  return counts


# Operands an accelerator job reads from NVM (see `intermittent_counts`).
READ_OPERANDS = ("input", "weights", "partial_sums", "bias", "indices")


def _intermittent_prunable(spec, plan, grid, nonzero, bsr, free_reads=()):
  """The runtime: input slices outer, tiles, then the slice's blocks.

  Empty groups first write their bias outputs. Then for each input slice j
  with a non-zero block and each tile, the input tile is fetched once and
  every block (g, j) of the slice is one job: weight block, bias (the
  group's first block) or partial sums in, LEA, partial sums or final
  outputs out, commit. Reads of the operands in `free_reads` are left out.
  """
  nnzb = criterion_lib.nnzb_per_group(grid, nonzero)
  m_g = grid.group_channels
  sizes = tile_sizes(spec, plan)
  n_tiles, pixels = len(sizes), spec.out_pixels
  empty = nnzb == 0
  ops = int(nnzb.sum()) * n_tiles
  later = np.maximum(nnzb - 1, 0)
  rows = nonzero.any(axis=0)
  fetch_calls, fetch_words = _input_fetch_per_block(spec, plan, grid)
  reads = {  # operand: (DMA calls, words)
      # Empty groups' bias, read once each; then every job's: the bias
      # (the group's first block) or the partial sums of the tile.
      "bias": (int(empty.sum()), int(m_g[empty].sum())),
      "partial_sums": (ops, int(m_g[~empty].sum()) * n_tiles +
                       int((later * m_g).sum()) * pixels),
      "weights": (ops, ops * grid.weights_per_block),
      # Per slice: its two row pointers, then its (group, order) pairs.
      "indices": ((2 * int(rows.sum()),
                   2 * int(rows.sum()) + 2 * int(nnzb.sum())) if bsr
                  else (0, 0)),
  }
  if spec.kind == "depthwise":  # Each group reads its own channels.
    reads["input"] = (int((fetch_calls * nonzero).sum()),
                      int((fetch_words * nonzero).sum()))
  else:  # One fetch per input slice, shared by the slice's blocks.
    reads["input"] = (int(fetch_calls[0][rows].sum()),
                      int(fetch_words[0][rows].sum()))
  c = OpCounts()
  for operand, (calls, words) in reads.items():
    if operand not in free_reads:
      c.nvm_read_calls += calls
      c.nvm_read_words += words
  c.cpu_max += int(m_g[empty].sum()) * pixels  # Bias jobs: act(bias).
  c.lea_calls += ops
  c.lea_elements += int(nnzb.sum()) * pixels * grid.weights_per_block
  block_outputs = int((nnzb * m_g).sum()) * pixels
  c.cpu_add += block_outputs
  c.cpu_max += block_outputs
  c.nvm_write_calls += (grid.n_groups *
                        _final_write_calls(grid.n_groups, sizes) +
                        int(later.sum()) * n_tiles)
  c.nvm_write_words += (int(m_g.sum()) + int((later * m_g).sum())) * pixels
  c.commits += ops + int(empty.sum()) * n_tiles
  return c


def _conventional_prunable(spec, plan, grid, nonzero, bsr):
  """A conventional engine: groups outer, tiles, blocks accumulated in VM.

  Nothing is preserved: each group's bias is read once, each tile's
  partial sums stay in VM and its final outputs are written once; weights
  and inputs are fetched per block and tile.
  """
  nnzb = criterion_lib.nnzb_per_group(grid, nonzero)
  m_g = grid.group_channels
  sizes = tile_sizes(spec, plan)
  n_tiles, pixels = len(sizes), spec.out_pixels
  fetches = int(nnzb.sum()) * n_tiles
  fetch_calls, fetch_words = _input_fetch_per_block(spec, plan, grid)
  c = OpCounts()
  c.nvm_read_calls += (grid.n_groups + int((fetch_calls * nonzero).sum()) +
                       fetches)
  c.nvm_read_words += (int(m_g.sum()) + int((fetch_words * nonzero).sum()) +
                       fetches * grid.weights_per_block)
  if bsr:  # Per group and tile: its row pointers, then each block's index.
    c.nvm_read_calls += grid.n_groups * n_tiles + fetches
    c.nvm_read_words += 2 * grid.n_groups * n_tiles + fetches
  c.lea_calls += fetches
  c.lea_elements += int(nnzb.sum()) * pixels * grid.weights_per_block
  c.cpu_add += int((nnzb * m_g).sum()) * pixels
  c.cpu_max += int(m_g.sum()) * pixels
  c.nvm_write_calls += grid.n_groups * _final_write_calls(grid.n_groups, sizes)
  c.nvm_write_words += int(m_g.sum()) * pixels
  return c


def _window_counts(spec, plan):
  """Pooling: (read calls, read words, window sizes) over output positions.

  A job reads its window row by row: one DMA per row when the job covers
  all channels (the row's positions are then contiguous), else one DMA per
  in-bounds position.
  """
  h, w, ch = spec.input_shapes[0]
  kh, kw = tiling.pool_window(spec)
  oh_n, ow_n, _ = spec.output_shape
  sh, sw = spec.strides
  pt, pl = spec.pads[0], spec.pads[1]

  def extent(n_out, stride, pad, k, size):
    start = np.arange(n_out) * stride - pad
    return np.clip(start + k, 0, size) - np.clip(start, 0, size)

  rows = extent(oh_n, sh, pt, kh, h)
  cols = extent(ow_n, sw, pl, kw, w)
  window = np.outer(rows, cols)
  chunks = -(-ch // plan.tile_m)
  if chunks == 1:
    calls = int(np.outer(rows, cols > 0).sum())
  else:
    calls = int(window.sum()) * chunks
  return calls, int(window.sum()) * ch, window


def _cpu_counts(spec, plan):
  """Counts of a pooling / element-wise layer (without commits).

  Pooling: one job per output position and chunk of tile_m channels.
  Element-wise: one job per tile_p consecutive positions.
  """
  c = OpCounts()
  pixels = spec.out_pixels
  c_out = spec.output_shape[2]
  if spec.kind in ("maxpool", "avgpool", "gap"):
    calls, words, window = _window_counts(spec, plan)
    jobs = pixels * -(-c_out // plan.tile_m)
    c.nvm_read_calls, c.nvm_read_words = calls, words
    reductions = int((window - 1).sum()) * c_out
    if spec.kind == "maxpool":
      c.cpu_max += reductions
    else:
      c.cpu_add += reductions
      c.cpu_div += pixels * c_out
  else:
    jobs = -(-pixels // plan.tile_p)
    c.nvm_read_calls = jobs * len(spec.input_shapes)
    c.nvm_read_words = pixels * sum(s[2] for s in spec.input_shapes)
    if spec.kind == "relu":
      c.cpu_max += pixels * c_out
    else:  # add: the sum; concat: the re-scaling shift of each element.
      c.cpu_add += pixels * c_out
  if spec.activation == "relu" and spec.kind != "relu":
    c.cpu_max += pixels * c_out
  c.nvm_write_calls = jobs
  c.nvm_write_words = pixels * c_out
  c.cpu_outputs = pixels * c_out
  c.commits = jobs
  return c


def _counts(spec, plan, nonzero, target, intermittent, free_reads=()):
  if spec.prunable:
    c = _prunable_counts(spec, plan, nonzero, intermittent, free_reads)
  else:
    c = _cpu_counts(spec, plan)
    if not intermittent:
      c.commits = 0
  c.nvm_write_calls += c.commits
  c.nvm_write_words += c.commits * target.footprint_words
  return c


def check_free_reads(free_reads):
  """Raises ValueError unless every name is one of READ_OPERANDS."""
  unknown = sorted(set(free_reads) - set(READ_OPERANDS))
  if unknown:
    raise ValueError("Unknown operands %s to read for free; supported: %s." %
                     (unknown, ", ".join(READ_OPERANDS)))


def intermittent_counts(spec, plan, nonzero=None, target=None,
                        free_reads=()):
  """Operation counts of one layer in the intermittent runtime.

  Args:
    spec: LayerSpec.
    plan: TilePlan.
    nonzero: (G, J) bool map of non-zero blocks, None for dense weights.
    target: Target (for the footprint size); default MSP430FR5994.
    free_reads: Operands of accelerator jobs (READ_OPERANDS) whose NVM
      reads are left out: what-if counts of a runtime that would keep them
      in VM. The runtime itself reads them all (the default).
  """
  check_free_reads(free_reads)
  target = target or _default_target()
  return _counts(spec, plan, nonzero, target, intermittent=True,
                 free_reads=tuple(free_reads))


def conventional_counts(spec, plan, nonzero=None, target=None):
  """Operation counts of one layer in a conventional engine (no commits)."""
  target = target or _default_target()
  return _counts(spec, plan, nonzero, target, intermittent=False)


def max_job_counts(spec, plan, target=None):
  """An upper bound of the operations of one job of the layer.

  The largest job of an accelerator layer is a block of a full tile that
  also fetches the tile's input (the first job of a slice and tile, or any
  job after a reboot), every position with its own DMA; a pooling job is a
  full window of one channel chunk (one DMA per window row when the chunk
  is all channels).
  """
  target = target or _default_target()
  c = OpCounts(commits=1, nvm_write_calls=1,
               nvm_write_words=target.footprint_words)
  if spec.prunable:
    grid = blocks_lib.BlockGrid(spec, plan)
    n, tm = plan.tile_p, grid.tile_m
    c.nvm_read_calls += n + 2
    c.nvm_read_words += n * grid.tile_n + grid.weights_per_block + n * tm
    c.lea_calls += 1
    c.lea_elements += n * grid.weights_per_block
    c.cpu_add += n * tm
    c.cpu_max += n * tm
    c.nvm_write_calls += n
    c.nvm_write_words += n * tm
  elif spec.kind in ("maxpool", "avgpool", "gap"):
    kh, kw = tiling.pool_window(spec)
    channels = spec.input_shapes[0][2]
    chunk = min(plan.tile_m, channels)
    c.nvm_read_calls += kh if chunk == channels else kh * kw
    c.nvm_read_words += kh * kw * chunk
    c.cpu_max += kh * kw * chunk
    c.cpu_add += kh * kw * chunk
    c.cpu_div += chunk
    c.nvm_write_calls += 1
    c.nvm_write_words += chunk
  else:
    c_out = spec.output_shape[2]
    c.nvm_read_calls += len(spec.input_shapes)
    c.nvm_read_words += plan.tile_p * sum(s[2] for s in spec.input_shapes)
    c.cpu_add += plan.tile_p * c_out
    c.cpu_max += plan.tile_p * c_out
    c.nvm_write_calls += 1
    c.nvm_write_words += plan.tile_p * c_out
  return c


def boot_counts(target):
  """What every boot costs besides the reboot: reading both footprint slots."""
  return OpCounts(nvm_read_calls=2, nvm_read_words=2 * target.footprint_words)


@functools.lru_cache(maxsize=1)
def _default_target():
  # pylint: disable=g-import-not-at-top
  from tf_iprune.hardware import target as target_lib
  return target_lib.Target.msp430fr5994()
