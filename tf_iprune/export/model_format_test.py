"""Tests of model.bin, model.c and test-vector files."""
import dataclasses
import os
import struct
import zlib

import numpy as np
import pytest

from tf_iprune.export import ir
from tf_iprune.export import model_format as mf
from tf_iprune.hardware import layer_spec as layer_spec_lib
from tf_iprune.hardware import target as target_lib
from tf_iprune.hardware import tiling

LayerSpec = layer_spec_lib.LayerSpec


def _specs():
  """A small graph with every runtime kind."""
  return (
      LayerSpec("conv1", "conv", ((6, 6, 3),), (6, 6, 8), (3, 3), (1, 1),
                (1, 1, 1, 1), "relu", ("input",)),
      LayerSpec("dw", "depthwise", ((6, 6, 8),), (3, 3, 8), (3, 3), (2, 2),
                (0, 0, 1, 1), "relu", ("conv1",)),
      LayerSpec("pw", "conv", ((3, 3, 8),), (3, 3, 8), (1, 1), (1, 1),
                (0, 0, 0, 0), "none", ("dw",)),
      LayerSpec("add", "add", ((3, 3, 8), (3, 3, 8)), (3, 3, 8),
                activation="relu", inputs=("dw", "pw")),
      LayerSpec("cat", "concat", ((3, 3, 8), (3, 3, 8)), (3, 3, 16),
                inputs=("add", "dw")),
      LayerSpec("relu", "relu", ((3, 3, 16),), (3, 3, 16), inputs=("cat",)),
      LayerSpec("max", "maxpool", ((3, 3, 16),), (2, 2, 16), (2, 2), (2, 2),
                (0, 0, 1, 1), inputs=("relu",)),
      LayerSpec("avg", "avgpool", ((2, 2, 16),), (1, 1, 16), (2, 2), (2, 2),
                inputs=("max",)),
      LayerSpec("gap", "gap", ((3, 3, 8),), (1, 1, 8), inputs=("add",)),
      LayerSpec("fc", "dense", ((1, 1, 8),), (1, 1, 5), inputs=("gap",)),
  )


def tiny_qmodel(seed=0, sparse=True):
  """A QModel over `_specs()` with random weights; `fc` is stored as BSR."""
  rng = np.random.default_rng(seed)
  specs = _specs()
  target = target_lib.Target.msp430fr5994()
  plans = tiling.plan_model(specs, target, overrides={"fc": (2, 4),
                                                       "conv1": (4, 3)})
  tensors = {"input": ir.QTensor("input", (6, 6, 3), -12)}
  layers = []
  for spec in specs:
    layer = ir.QLayer(spec, plans[spec.name])
    e_in = tensors[spec.inputs[0]].exponent
    if spec.prunable:
      grid = layer.grid
      kernel = rng.integers(-3000, 3000, spec.kernel_shape).astype(np.int16)
      blocks = grid.blocks(kernel)
      if sparse and spec.name == "fc":
        blocks[0] = 0  # An empty filter group.
        blocks[1, 0] = 0
      layer.blocks = blocks
      layer.bias = rng.integers(-500, 500, spec.out_channels).astype(
          np.int16)
      layer.weight_exponent = -15
      e_out = e_in - 15 + 6
    else:
      e_out = max(tensors[s].exponent for s in spec.inputs)
    tensors[spec.name] = ir.QTensor(spec.name, spec.output_shape, e_out)
    layers.append(layer)
  q = ir.QModel("tiny", layers, tensors, target)
  q.validate()
  return q


def _assert_same(a, b):
  assert a.name == b.name
  assert a.target == b.target
  assert list(a.tensors) == list(b.tensors)
  assert a.tensors == b.tensors
  assert len(a.layers) == len(b.layers)
  for x, y in zip(a.layers, b.layers):
    assert x.spec == y.spec and x.plan == y.plan
    if x.spec.prunable:
      np.testing.assert_array_equal(x.blocks, y.blocks)
      np.testing.assert_array_equal(x.bias, y.bias)
      assert x.weight_exponent == y.weight_exponent
    else:
      assert y.blocks is None and y.bias is None


def test_round_trip_and_determinism(tmp_path):
  q = tiny_qmodel()
  path = str(tmp_path / "model.bin")
  raw = mf.write_bin(q, path)
  back = mf.read_bin(path)
  _assert_same(q, back)
  assert back.layers[-1].is_bsr and not back.layers[0].is_bsr
  assert mf.to_bytes(back) == raw
  assert mf.to_bytes(tiny_qmodel()) == raw
  assert not [f for f in os.listdir(tmp_path) if f.startswith(".tmp")]


def test_header_fields():
  q = tiny_qmodel()
  raw = mf.to_bytes(q)
  magic, version, header_bytes, size, crc = struct.unpack_from("<4sHHII",
                                                               raw)
  assert (magic, version, header_bytes, size) == (b"IPRB", 2, 64, len(raw))
  assert crc == zlib.crc32(raw[16:])


def test_bsr_arrays_are_slice_major():
  q = tiny_qmodel()
  fc = q.layers[-1]
  grid, nonzero = fc.grid, fc.nonzero
  stored = mf.stored_layer(fc)
  # Group 0 is empty; slice 0 has no block of group 1.
  assert list(stored.group_blocks) == list(nonzero.sum(axis=1))
  assert stored.group_blocks[0] == 0
  assert list(np.diff(stored.row_ptr)) == list(nonzero.sum(axis=0))
  expected, pairs = [], []
  for j in range(grid.n_cols):
    for g in range(grid.n_groups):
      if nonzero[g, j]:
        expected.append(fc.blocks[g, j].ravel())
        order = int(nonzero[g, :j].sum())
        last = order == nonzero[g].sum() - 1
        pairs.append((g, order | (mf.LAST_BLOCK if last else 0)))
  np.testing.assert_array_equal(stored.blocks, expected)
  np.testing.assert_array_equal(stored.pairs, pairs)
  per_slice = (nonzero * grid.group_channels[:, None]).sum(axis=0)
  assert list(stored.slice_channels) == [0] + list(np.cumsum(per_slice))


def test_dense_layers_store_every_block_slice_major():
  q = tiny_qmodel()
  conv = q.layers[0]
  assert not conv.is_bsr
  stored = mf.stored_layer(conv)
  assert stored.row_ptr is None and stored.pairs is None
  grid = conv.grid
  flat = conv.blocks.reshape(grid.n_groups, grid.n_cols, -1)
  np.testing.assert_array_equal(
      stored.blocks, flat.transpose(1, 0, 2).reshape(-1, flat.shape[2]))
  assert list(stored.group_blocks) == [grid.n_cols] * grid.n_groups


def test_job_outputs_match_criterion():
  q = tiny_qmodel()
  from tf_iprune.hardware import criterion  # pylint: disable=g-import-not-at-top
  for layer in q.layers:
    if layer.spec.prunable:
      assert mf.job_outputs(layer) == criterion.accelerator_outputs(
          layer.spec, layer.plan, layer.nonzero)
  assert mf.job_outputs(q.layers[3]) == 3 * 3 * 8


def test_nvm_layout_never_overlaps_live_tensors():
  q = tiny_qmodel()
  offsets, arena = mf.nvm_layout(q)
  order = ["input"] + [l.name for l in q.layers]
  size = {n: int(np.prod(q.tensors[n].shape)) for n in order}
  last = {n: order.index(n) for n in order}
  for i, layer in enumerate(q.layers):
    for src in layer.spec.inputs:
      last[src] = max(last[src], i + 1)
  last[order[-1]] = len(order)
  for a in order:
    for b in order:
      live = (order.index(a) <= last[b] and order.index(b) <= last[a])
      disjoint = (offsets[a] + size[a] <= offsets[b] or
                  offsets[b] + size[b] <= offsets[a])
      if a != b and live:
        assert disjoint, (a, b)
    assert offsets[a] % 2 == 0 and offsets[a] + size[a] <= arena
  assert arena < sum(size.values())  # Memory is reused.


@pytest.mark.parametrize("corrupt, message", [
    (lambda r: b"XXXX" + r[4:], "magic"),
    (lambda r: r[:4] + struct.pack("<H", 1) + r[6:], "version 1"),
    (lambda r: r[:-10], "truncated"),
    (lambda r: r[:30], "truncated"),
    (lambda r: r[:200] + bytes([r[200] ^ 1]) + r[201:], "checksum"),
    (lambda r: r + b"\0\0\0\0", "truncated or padded"),
])
def test_bad_files_are_refused(tmp_path, corrupt, message):
  raw = mf.to_bytes(tiny_qmodel())
  path = tmp_path / "bad.bin"
  path.write_bytes(corrupt(raw))
  with pytest.raises(mf.FormatError, match=message):
    mf.read_bin(str(path))


def test_consistent_crc_but_bad_contents_is_refused():
  raw = bytearray(mf.to_bytes(tiny_qmodel()))
  # Break the stored shift of the first layer and fix the checksum.
  layer0 = struct.unpack_from("<I", raw, 28)[0]
  shift_at = layer0 + 4 + 4 + 2 + 8 + 24 + 4 + 4 + 8 + 6 + 2
  struct.pack_into("<h", raw, shift_at, 3)
  struct.pack_into("<I", raw, 12, zlib.crc32(bytes(raw[16:])))
  with pytest.raises(mf.FormatError, match="shift"):
    mf.from_bytes(bytes(raw))


def test_writer_refuses_unsupported_models():
  q = tiny_qmodel()
  target = dataclasses.replace(q.target, footprint_words=6)
  with pytest.raises(ValueError, match="footprint_words"):
    mf.to_bytes(dataclasses.replace(q, target=target))
  tensors = dict(q.tensors)
  tensors["conv1"] = dataclasses.replace(tensors["conv1"], exponent=100)
  with pytest.raises(ValueError, match="conv1"):
    mf.to_bytes(dataclasses.replace(q, tensors=tensors))


def test_write_c(tmp_path):
  q = tiny_qmodel()
  x = np.arange(108, dtype=np.int16).reshape(6, 6, 3)
  h, c = mf.write_c(q, str(tmp_path), "tiny", test_input=x)
  header, source = open(h).read(), open(c).read()
  assert "extern const iprune_model_t tiny;" in header
  assert "tiny_test_input[108]" in header
  assert "static const uint16_t tiny_l9_row_ptr[3]" in source
  assert "static const uint16_t tiny_l9_pairs[" in source
  assert "const iprune_model_t tiny = {" in source
  assert mf.c_sources(tiny_qmodel(), "tiny", x) == (header, source)
  with pytest.raises(ValueError, match="identifier"):
    mf.write_c(q, str(tmp_path), "not-an-identifier")


def test_vectors_round_trip(tmp_path):
  rng = np.random.default_rng(1)
  inputs = rng.integers(-100, 100, (3, 6, 6, 3)).astype(np.int16)
  expected = rng.integers(-100, 100, (3, 5)).astype(np.int16)
  labels = np.array([0, 4, -1])
  path = str(tmp_path / "v.bin")
  raw = mf.write_vectors(path, inputs, expected, labels, -12, -7)
  v = mf.read_vectors(path)
  np.testing.assert_array_equal(v.inputs, inputs.reshape(3, -1))
  np.testing.assert_array_equal(v.expected, expected)
  np.testing.assert_array_equal(v.labels, labels)
  assert (v.input_exponent, v.output_exponent) == (-12, -7)
  only_inputs = mf.vectors_from_bytes(mf.vectors_to_bytes(mf.Vectors(inputs)))
  assert only_inputs.expected is None and only_inputs.labels is None
  with pytest.raises(mf.FormatError, match="truncated"):
    mf.vectors_from_bytes(raw[:-2])
  with pytest.raises(ValueError, match="int16"):
    mf.write_vectors(path, inputs.astype(np.int32))
