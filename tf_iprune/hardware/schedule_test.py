"""Tests for schedule: operation counts, computed by hand."""
import dataclasses

import numpy as np
import pytest

from tf_iprune.hardware import layer_spec
from tf_iprune.hardware import schedule
from tf_iprune.hardware import target as target_lib
from tf_iprune.hardware import tiling

TARGET = target_lib.Target.msp430fr5994()
# Input 3x4x3, 2x2 kernel, valid: output 2x3x4 (6 positions). Tiles of 4
# positions -> tiles of 4 and 2. Groups of 2 filters -> 2 groups; chunks of 2
# channels -> widths 2 and 1; 4 kernel positions x 2 chunks = 8 columns.
CONV = layer_spec.LayerSpec("conv", "conv", ((3, 4, 3),), (2, 3, 4),
                            kernel=(2, 2))
PLAN = tiling.TilePlan(2, 2, 4)


def _counts(**kw):
  return schedule.OpCounts(**kw)


def test_dense_conv_intermittent_by_hand():
  c = schedule.intermittent_counts(CONV, PLAN, None, TARGET)
  # Reads: inputs once per input slice and tile (8 slices x 6 positions,
  # chunks not all channels so one DMA each: 48 calls, 4 x 6 x (2 + 1)
  # words), then per job (16 blocks x 2 tiles): the weight block (4 words)
  # and the bias (first block of a group: 2 groups x 2 tiles x 2 words) or
  # the partial sums (7 later blocks x 2 groups x 6 positions x 2 channels).
  # Writes: final outputs (2 groups: one DMA per position, 12 calls, 24
  # words), partial sums (28 calls, 168 words), 32 commits of 4 words.
  assert c == _counts(
      nvm_read_calls=48 + 32 + 32, nvm_read_words=72 + 128 + 8 + 168,
      nvm_write_calls=12 + 28 + 32, nvm_write_words=24 + 168 + 128,
      lea_calls=32, lea_elements=384, cpu_add=192, cpu_max=192, commits=32,
      acc_outputs=192)


def test_sparse_conv_intermittent_by_hand():
  nonzero = np.zeros((2, 8), bool)
  nonzero[0, [0, 5]] = True  # (pos 0, chunk 0: 2 ch), (pos 2, chunk 1: 1 ch)
  c = schedule.intermittent_counts(CONV, PLAN, nonzero, TARGET)
  # Reads: the empty group's bias (1/2), per non-zero slice its row pointers
  # and its (group, order) pairs (4/8), inputs (12/18), per job (2 blocks x
  # 2 tiles) weights (4/16) and bias (2/4) or partial sums (2/12).
  # Writes: final 12/24, partial sums 2/12, commits 4 jobs + 2 bias jobs.
  # CPU max: 24 block outputs + 12 bias outputs of the empty group.
  assert c == _counts(
      nvm_read_calls=1 + 4 + 12 + 4 + 4, nvm_read_words=2 + 8 + 18 + 16 + 16,
      nvm_write_calls=12 + 2 + 6, nvm_write_words=24 + 12 + 24, lea_calls=4,
      lea_elements=48, cpu_add=24, cpu_max=36, commits=6, acc_outputs=36)


def test_dense_conv_conventional_by_hand():
  c = schedule.conventional_counts(CONV, PLAN, None, TARGET)
  # Weights are re-read for each of the 2 tiles; no partial sums in NVM,
  # no commits; one max (activation / saturation) per final output.
  assert c == _counts(
      nvm_read_calls=130, nvm_read_words=276, nvm_write_calls=12,
      nvm_write_words=24, lea_calls=32, lea_elements=384, cpu_add=192,
      cpu_max=24, acc_outputs=192)


def test_input_runs_merge_only_when_contiguous():
  # 1x5x2 input, (1, 3) kernel, 'same' padding (1 left, 1 right).
  spec = layer_spec.LayerSpec("c", "conv", ((1, 5, 2),), (1, 5, 4),
                              kernel=(1, 3), pads=(0, 1, 0, 1))
  valid, runs = schedule._input_fetch(spec, tiling.TilePlan(2, 2, 5))
  assert list(valid) == [4, 5, 4] and list(runs) == [1, 1, 1]
  valid, runs = schedule._input_fetch(spec, tiling.TilePlan(2, 2, 2))
  # Tiles {0,1}, {2,3}, {4}: kw=0 reads for outputs 1..4 (runs {1}, {2,3},
  # {4}), kw=1 for all, kw=2 for outputs 0..3 (runs {0,1}, {2,3}).
  assert list(valid) == [4, 5, 4] and list(runs) == [3, 3, 2]
  full = schedule.intermittent_counts(spec, tiling.TilePlan(4, 2, 5))
  split = schedule.intermittent_counts(spec, tiling.TilePlan(4, 1, 5))
  # One chunk of all channels: one input DMA per slice and tile; two
  # chunks: every in-bounds position is its own DMA (2 x (4 + 5 + 4)).
  # Then per job a weight block and a bias or partial-sum read.
  assert full.nvm_read_calls == 3 + 3 + 3
  assert split.nvm_read_calls == 2 * 13 + 6 + 6


def test_pooling_by_hand():
  pool = layer_spec.LayerSpec("p", "maxpool", ((4, 4, 3),), (2, 2, 3),
                              kernel=(2, 2), strides=(2, 2))
  c = schedule.intermittent_counts(pool, tiling.TilePlan(3, 0, 1))
  # Jobs of all 3 channels: 4 outputs x 2 window rows (a row's positions are
  # contiguous); 4 x 4 x 3 words; 3 maxes per output value.
  assert c == _counts(nvm_read_calls=8, nvm_read_words=48, nvm_write_calls=8,
                      nvm_write_words=12 + 16, cpu_max=36, commits=4,
                      cpu_outputs=12)
  c = schedule.intermittent_counts(pool, tiling.TilePlan(2, 0, 1))
  # Chunks of 2 channels: 8 jobs, each reading its 4 positions one by one.
  assert c == _counts(nvm_read_calls=32, nvm_read_words=48, nvm_write_calls=16,
                      nvm_write_words=12 + 32, cpu_max=36, commits=8,
                      cpu_outputs=12)
  avg = layer_spec.LayerSpec("a", "avgpool", ((2, 2, 1),), (2, 2, 1),
                             kernel=(3, 3), pads=(1, 1, 1, 1))
  c = schedule.intermittent_counts(avg, tiling.TilePlan(1, 0, 1))
  # Every window sees the 2 x 2 input: 2 row reads of 2 values.
  assert (c.nvm_read_calls, c.nvm_read_words) == (8, 16)
  assert (c.cpu_add, c.cpu_div) == (12, 4)


def test_elementwise_jobs():
  add = layer_spec.LayerSpec("a", "add", ((2, 3, 4), (2, 3, 4)), (2, 3, 4),
                             activation="relu")
  c = schedule.intermittent_counts(add, tiling.TilePlan(0, 0, 4))
  # 6 positions in jobs of 4 -> 2 jobs, 2 inputs each.
  assert c == _counts(nvm_read_calls=4, nvm_read_words=48, nvm_write_calls=4,
                      nvm_write_words=24 + 8, cpu_add=24, cpu_max=24,
                      commits=2, cpu_outputs=24)


def test_costs_follow_the_cost_table():
  c = _counts(nvm_read_calls=1, nvm_read_words=10, lea_calls=1,
              lea_elements=100, cpu_div=1)
  assert c.cycles(TARGET) == pytest.approx(424 + 640 + 616 + 150 + 160)
  assert c.joules(TARGET) == pytest.approx(2e-7 + 2.7e-7 + 2.044e-7 +
                                           5.273e-8 + 4.37e-8)


@pytest.mark.parametrize("operand, calls, words", [
    ("input", 48, 72), ("weights", 32, 128), ("partial_sums", 32, 8 + 168),
    ("bias", 0, 0), ("indices", 0, 0)])
def test_free_reads_leave_out_exactly_one_operand(operand, calls, words):
  # The by-hand reads of test_dense_conv_intermittent_by_hand, per operand.
  full = schedule.intermittent_counts(CONV, PLAN, None, TARGET)
  free = schedule.intermittent_counts(CONV, PLAN, None, TARGET, (operand,))
  assert full.nvm_read_calls - free.nvm_read_calls == calls
  assert full.nvm_read_words - free.nvm_read_words == words
  assert dataclasses.replace(free, nvm_read_calls=0, nvm_read_words=0) == (
      dataclasses.replace(full, nvm_read_calls=0, nvm_read_words=0))


def test_free_reads_of_every_operand_leave_no_reads():
  nonzero = np.ones((2, 8), bool)
  nonzero[0, 3] = False  # BSR: indices and an empty-free sparse layer.
  c = schedule.intermittent_counts(CONV, PLAN, nonzero, TARGET,
                                   schedule.READ_OPERANDS)
  assert c.nvm_read_calls == 0 and c.nvm_read_words == 0


def test_unknown_free_read_is_an_error():
  with pytest.raises(ValueError, match="supported: input, weights"):
    schedule.intermittent_counts(CONV, PLAN, None, TARGET, ("outputs",))
