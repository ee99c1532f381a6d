"""The binary model format (model.bin), its C form (model.c) and test vectors.

`write_bin(qmodel, path)` serialises an `ir.QModel` into the versioned,
checksummed `model.bin` that the host simulator of msp430_runtime executes;
`read_bin(path)` validates a file and returns the QModel again.
`write_c(qmodel, directory, name)` writes the same model as C constants
(`name.h`, `name.c`) for the MSP430 build. `write_vectors` / `read_vectors`
handle test-vector files (quantised inputs, expected outputs, labels).

The layout is specified in docs/model_format.md; the constants below are the
single Python copy of it (msp430_runtime/sim/model_loader.c is the C copy).
All writers are deterministic: the same QModel gives byte-identical files.
"""
import dataclasses
import io
import os
import struct
import zlib
from typing import Dict, List, Optional

import numpy as np

from tf_iprune import io_utils
from tf_iprune.export import ir
from tf_iprune.hardware import blocks as blocks_lib
from tf_iprune.hardware import criterion as criterion_lib
from tf_iprune.hardware import layer_spec as layer_spec_lib
from tf_iprune.hardware import target as target_lib
from tf_iprune.hardware import tiling

MAGIC = b"IPRB"
VERSION = 3
VECTORS_MAGIC = b"IPTV"
VECTORS_VERSION = 1

KIND_CODES = {kind: i + 1 for i, kind in enumerate(layer_spec_lib.KINDS)}
ACTIVATION_CODES = {act: i for i, act in enumerate(layer_spec_lib.ACTIVATIONS)}
MAX_INPUTS = 4
# Pair word 1 of a BSR block: its order among its group's blocks, and this
# flag on the group's last block.
LAST_BLOCK = 0x8000
# Shifts the runtime's 64-bit arithmetic supports (docs/design.md).
MAX_SHIFT = 62
# Left shifts of add / concat inputs: 4 inputs of 2**15 << 45 sum exactly in
# 64 bits.
MAX_CPU_LEFT_SHIFT = 45
FOOTPRINT_WORDS = 4
FLAG_BSR = 1
# Alignment of every array in the data region and of every NVM tensor.
ALIGN_BYTES = 4

# Header: magic, version, header bytes, file bytes, crc32, target offset,
# tensor table offset, tensor count, layer count, layer table offset, data
# offset, data bytes, name offset, state words, psum words, input tensor,
# output tensor, two reserved words.
_HEADER = struct.Struct("<4sHHIIIIHHIIIIIIHHII")
# Target: name offset, vm_bytes, lea_buffer_words, vm_scratch_words,
# nvm_bytes, max_tile_m, footprint_words, power strength count, power
# strength table offset, padding; cpu_hz; nvm_read, nvm_write, lea (4
# doubles each); cpu_add, cpu_mul, cpu_div, cpu_max (2 doubles each);
# reboot_s, reboot_j; capacitance, v_on, v_off, harvest efficiency;
# max_job_energy_fraction.
_TARGET = struct.Struct("<10I28d")
_POWER = struct.Struct("<IId")  # name offset, padding, watts
_TENSOR = struct.Struct("<IHHHhI")  # name, h, w, c, exponent, NVM word offset
# Layer: name offset; kind, activation, input count, flags; output tensor;
# 4 input tensors; 4 x (h, w, c) input shapes; kernel (2), strides (2),
# pads (4); tile_m, tile_n, tile_p; weight exponent, shift; groups, columns,
# words per block, padding; stored blocks, total outputs; offsets of the
# weights, bias, BSR row pointers, BSR (group, order) pairs, blocks per group
# and output channels before each slice.
_LAYER = struct.Struct("<I4BH4H12H2H2H4H3H2h4H2I6I")

HEADER_BYTES = _HEADER.size
TARGET_BYTES = _TARGET.size
TENSOR_BYTES = _TENSOR.size
LAYER_BYTES = _LAYER.size


class FormatError(ValueError):
  """A model or test-vector file that cannot be read."""


def _align(n):
  return -(-n // ALIGN_BYTES) * ALIGN_BYTES


class _Data:
  """The data region: strings and arrays, each aligned, offsets absolute."""

  def __init__(self, start):
    self.start = start
    self.buf = bytearray()
    self.strings = {}

  def _put(self, raw):
    offset = self.start + len(self.buf)
    self.buf += raw
    self.buf += b"\0" * (_align(len(self.buf)) - len(self.buf))
    return offset

  def string(self, text):
    if not (text.isascii() and text.isprintable()):
      raise ValueError("Name %r: model.bin stores names as printable ASCII; "
                       "rename the layer or model." % text)
    if text not in self.strings:
      self.strings[text] = self._put(text.encode("ascii") + b"\0")
    return self.strings[text]

  def array(self, values, dtype):
    values = np.ascontiguousarray(values, dtype=np.dtype(dtype).newbyteorder(
        "<"))
    if values.size == 0:
      return 0
    return self._put(values.tobytes())

  def raw(self, raw):
    return self._put(raw)


def job_outputs(layer):
  """Job-counter value at which a layer is complete (docs/design.md)."""
  spec = layer.spec
  if spec.prunable:
    return criterion_lib.accelerator_outputs(spec, layer.plan, layer.nonzero)
  return spec.out_pixels * spec.output_shape[2]


def psum_words(qmodel):
  """Words of the two NVM partial-sum buffers, (buffer 0, buffer 1).

  The runtime walks input slices outer, so every filter group's partial
  sums are in flight: a buffer holds M x P words, group-major. A group's
  block of order k writes buffer k % 2 unless it is the group's last, so
  buffer 0 serves layers with a group of >= 2 non-zero blocks and buffer 1
  those with a group of >= 3.
  """
  words = [0, 0]
  for layer in qmodel.layers:
    if layer.spec.prunable:
      most = int(layer.nonzero.sum(axis=1).max())
      size = layer.spec.out_pixels * layer.spec.out_channels
      for buf in (0, 1):
        if most >= buf + 2:
          words[buf] = max(words[buf], size)
  return tuple(words)


def nvm_layout(qmodel):
  """NVM word offsets of the activation tensors in the tensor arena.

  A tensor lives from the layer that produces it ('input': before the first
  layer) to its last consumer (the model output: to the end). Tensors whose
  lives overlap get disjoint regions; the others may share, so a layer never
  writes over its own inputs or over a tensor a later layer still reads.
  First fit in production order, regions aligned to ALIGN_BYTES.

  Returns:
    ({tensor name: word offset}, arena words).
  """
  n = len(qmodel.layers)
  born = {ir.INPUT: -1}
  dies = {ir.INPUT: -1}
  for i, layer in enumerate(qmodel.layers):
    born[layer.name] = i
    dies[layer.name] = i
    for src in layer.spec.inputs:
      dies[src] = max(dies[src], i)
  dies[qmodel.layers[-1].name] = n
  words_align = ALIGN_BYTES // 2
  placed = []  # (offset, end, born, dies)
  offsets = {}
  for name in [ir.INPUT] + [l.name for l in qmodel.layers]:
    size = int(np.prod(qmodel.tensors[name].shape))
    size = -(-size // words_align) * words_align
    busy = sorted((o, e) for o, e, b, d in placed
                  if not (d < born[name] or dies[name] < b))
    offset = 0
    for o, e in busy:
      if offset + size <= o:
        break
      offset = max(offset, e)
    offsets[name] = offset
    placed.append((offset, offset + size, born[name], dies[name]))
  arena = max(e for _, e, _, _ in placed)
  return offsets, arena


def state_words(qmodel):
  """NVM words of the runtime state: footprints, partial sums, tensors."""
  _, arena = nvm_layout(qmodel)
  return 2 * FOOTPRINT_WORDS + sum(psum_words(qmodel)) + arena


def _check_layer(qmodel, layer):
  """Format limits of one layer; raises ValueError naming it."""
  spec = layer.spec
  if len(spec.inputs) > MAX_INPUTS:
    raise ValueError("Layer %r has %d inputs; model.bin supports at most %d." %
                     (spec.name, len(spec.inputs), MAX_INPUTS))
  dims = [d for s in spec.input_shapes for d in s] + list(spec.output_shape)
  dims += list(spec.kernel) + list(spec.strides) + list(spec.pads)
  dims += [layer.plan.tile_m, layer.plan.tile_n, layer.plan.tile_p]
  if max(dims) > 0xFFFF or min(dims) < 0:
    raise ValueError("Layer %r: a dimension, window or tile is outside "
                     "[0, 65535]." % spec.name)
  if spec.prunable:
    shift = qmodel.shift(layer)
    if not -MAX_SHIFT <= shift <= MAX_SHIFT:
      raise ValueError("Layer %r: shift %d is outside [-%d, %d]." %
                       (spec.name, shift, MAX_SHIFT, MAX_SHIFT))
    grid = layer.grid
    if grid.n_cols > 0xFFFF or int(layer.nonzero.sum()) > 0xFFFF:
      raise ValueError("Layer %r: %d block columns / %d non-zero blocks; "
                       "model.bin indexes blocks with 16 bits." %
                       (spec.name, grid.n_cols, int(layer.nonzero.sum())))
  if spec.kind in ("add", "concat"):
    for src in spec.inputs:
      diff = qmodel.tensors[spec.name].exponent - qmodel.tensors[src].exponent
      if not -MAX_CPU_LEFT_SHIFT <= diff <= MAX_SHIFT:
        raise ValueError(
            "Layer %r: exponent difference %d to input %r is outside [-%d, "
            "%d]." % (spec.name, diff, src, MAX_CPU_LEFT_SHIFT, MAX_SHIFT))
  elif not spec.prunable and (qmodel.tensors[spec.name].exponent !=
                              qmodel.tensors[spec.inputs[0]].exponent):
    raise ValueError("Layer %r (%s): output exponent must equal the input's."
                     % (spec.name, spec.kind))


def _check_model(qmodel):
  qmodel.validate()
  if qmodel.target.footprint_words != FOOTPRINT_WORDS:
    raise ValueError("Target %r: footprint_words is %d; the runtime's "
                     "footprint record has %d words." %
                     (qmodel.target.name, qmodel.target.footprint_words,
                      FOOTPRINT_WORDS))
  if not qmodel.layers:
    raise ValueError("Quantised model %r has no layers." % qmodel.name)
  names = list(qmodel.tensors)
  if len(names) > 0xFFFF or len(qmodel.layers) > 0xFFF:
    raise ValueError("Model %r: %d tensors / %d layers; model.bin supports "
                     "65535 / 4095." % (qmodel.name, len(names),
                                        len(qmodel.layers)))
  for layer in qmodel.layers:
    _check_layer(qmodel, layer)


def _pack_target(target, data):
  powers = b"".join(
      _POWER.pack(data.string(name), 0, float(watts))
      for name, watts in target.power_strengths_w.items())
  powers_offset = data.raw(powers) if powers else 0
  costs = []
  for cost in (target.nvm_read, target.nvm_write, target.lea):
    costs += [cost.cycles_per_element, cost.cycles_fixed,
              cost.joules_per_element, cost.joules_fixed]
  for unit in (target.cpu_add, target.cpu_mul, target.cpu_div,
               target.cpu_max):
    costs += [unit.cycles, unit.joules]
  b = target.buffer
  return _TARGET.pack(
      data.string(target.name), target.vm_bytes, target.lea_buffer_words,
      target.vm_scratch_words, target.nvm_bytes, target.max_tile_m,
      target.footprint_words, len(target.power_strengths_w), powers_offset, 0,
      float(target.cpu_hz), *[float(c) for c in costs],
      float(target.reboot_s), float(target.reboot_j), float(b.capacitance_f),
      float(b.v_on), float(b.v_off), float(b.harvest_efficiency),
      float(target.max_job_energy_fraction))


@dataclasses.dataclass
class StoredLayer:
  """An accelerator layer's arrays as stored (docs/model_format.md).

  Attributes:
    blocks: (stored blocks, words per block) int16, slice-major: slice j
      ascending, then group g ascending; only non-zero blocks if BSR.
    row_ptr: BSR only: uint16 (J + 1,), the stored blocks of slice j are
      row_ptr[j]..row_ptr[j+1].
    pairs: BSR only: uint16 (stored blocks, 2): group g, and the block's
      order among its group's non-zero blocks | LAST_BLOCK on the last one.
    group_blocks: uint16 (G,): non-zero blocks per group.
    slice_channels: uint32 (J + 1,): output channels (sum of m_g) of the
      non-zero blocks of the slices before j.
  """
  blocks: np.ndarray
  row_ptr: Optional[np.ndarray]
  pairs: Optional[np.ndarray]
  group_blocks: np.ndarray
  slice_channels: np.ndarray


def stored_layer(layer):
  """The stored arrays of an accelerator layer (the BSR of the weight
  matrix in im2col orientation: block rows are input slices j, block columns
  filter groups g; docs/design.md)."""
  grid = layer.grid
  nonzero = layer.nonzero  # (G, J)
  flat = layer.blocks.reshape(grid.n_groups, grid.n_cols, -1)
  keep = nonzero if layer.is_bsr else np.ones_like(nonzero)
  js, gs = np.nonzero(keep.T)  # Slice-major order.
  order = np.cumsum(keep, axis=1) - 1  # Rank among the group's blocks.
  last = order == keep.sum(axis=1, keepdims=True) - 1
  pairs = np.stack([gs, order[gs, js] | np.where(last[gs, js], LAST_BLOCK,
                                                  0)], axis=1)
  per_slice = (keep * grid.group_channels[:, None]).sum(axis=0)
  row_ptr = np.concatenate([[0], np.cumsum(keep.sum(axis=0))])
  return StoredLayer(
      blocks=flat[gs, js],
      row_ptr=row_ptr if layer.is_bsr else None,
      pairs=pairs if layer.is_bsr else None,
      group_blocks=nonzero.sum(axis=1),
      slice_channels=np.concatenate([[0], np.cumsum(per_slice)]))


def _pack_layer(qmodel, layer, index_of, data):
  spec, plan = layer.spec, layer.plan
  inputs = [index_of[s] for s in spec.inputs]
  inputs += [0] * (MAX_INPUTS - len(inputs))
  shapes = [d for s in spec.input_shapes for d in s]
  shapes += [0] * (3 * MAX_INPUTS - len(shapes))
  flags = groups = cols = block_words = n_blocks = 0
  weight_exponent = shift = 0
  offsets = [0] * 6
  if spec.prunable:
    grid = layer.grid
    stored = stored_layer(layer)
    flags = FLAG_BSR if layer.is_bsr else 0
    groups, cols = grid.n_groups, grid.n_cols
    block_words = grid.weights_per_block
    n_blocks = stored.blocks.shape[0]
    weight_exponent, shift = layer.weight_exponent, qmodel.shift(layer)
    offsets = [data.array(stored.blocks, np.int16),
               data.array(layer.bias, np.int16), 0, 0,
               data.array(stored.group_blocks, np.uint16),
               data.array(stored.slice_channels, np.uint32)]
    if layer.is_bsr:
      offsets[2] = data.array(stored.row_ptr, np.uint16)
      offsets[3] = data.array(stored.pairs, np.uint16)
  return _LAYER.pack(
      data.string(spec.name), KIND_CODES[spec.kind],
      ACTIVATION_CODES[spec.activation], len(spec.inputs), flags,
      index_of[spec.name], *inputs, *shapes, *spec.kernel, *spec.strides,
      *spec.pads, plan.tile_m, plan.tile_n, plan.tile_p, weight_exponent,
      shift, groups, cols, block_words, 0, n_blocks, job_outputs(layer),
      *offsets)


def to_bytes(qmodel):
  """The model.bin image of a QModel (see docs/model_format.md)."""
  _check_model(qmodel)
  names = list(qmodel.tensors)
  index_of = {name: i for i, name in enumerate(names)}
  target_off = HEADER_BYTES
  tensor_off = target_off + TARGET_BYTES
  layer_off = tensor_off + len(names) * TENSOR_BYTES
  data_off = _align(layer_off + len(qmodel.layers) * LAYER_BYTES)
  data = _Data(data_off)
  model_name = data.string(qmodel.name)
  target = _pack_target(qmodel.target, data)
  offsets, _ = nvm_layout(qmodel)
  tensors = b"".join(
      _TENSOR.pack(data.string(name), *qmodel.tensors[name].shape,
                   qmodel.tensors[name].exponent, offsets[name])
      for name in names)
  layers = b"".join(_pack_layer(qmodel, l, index_of, data)
                    for l in qmodel.layers)
  body = bytearray(target + tensors + layers)
  body += b"\0" * (data_off - HEADER_BYTES - len(body))
  body += data.buf
  file_bytes = HEADER_BYTES + len(body)
  fields = [
      target_off, tensor_off, len(names), len(qmodel.layers), layer_off,
      data_off, len(data.buf), model_name, state_words(qmodel),
      psum_words(qmodel)[0], index_of[ir.INPUT],
      index_of[qmodel.layers[-1].name], psum_words(qmodel)[1], 0]
  tail = _HEADER.pack(MAGIC, VERSION, HEADER_BYTES, file_bytes, 0,
                      *fields)[16:]
  crc = zlib.crc32(tail + bytes(body))
  header = _HEADER.pack(MAGIC, VERSION, HEADER_BYTES, file_bytes, crc,
                        *fields)
  return header + bytes(body)


def write_bin(qmodel, path):
  """Writes `qmodel` as model.bin to `path` atomically; returns the bytes."""
  raw = to_bytes(qmodel)
  io_utils.write_bytes(path, raw)
  return raw


class _Reader:
  """Bounds-checked access to a model.bin image, errors naming the file."""

  def __init__(self, raw, source, header_bytes=HEADER_BYTES):
    self.raw = raw
    self.source = source
    self.header_bytes = header_bytes

  def fail(self, message):
    raise FormatError("%s: %s" % (self.source, message))

  def unpack(self, fmt, offset, what):
    if offset < 0 or offset + fmt.size > len(self.raw):
      self.fail("%s at byte %d runs past the end of the file (%d bytes)." %
                (what, offset, len(self.raw)))
    return fmt.unpack_from(self.raw, offset)

  def string(self, offset, what):
    if not 0 < offset < len(self.raw):
      self.fail("%s: string offset %d outside the file." % (what, offset))
    end = self.raw.find(b"\0", offset)
    if end < 0:
      self.fail("%s: unterminated string at byte %d." % (what, offset))
    try:
      return self.raw[offset:end].decode("utf-8")
    except UnicodeDecodeError:
      self.fail("%s: string at byte %d is not UTF-8." % (what, offset))

  def array(self, offset, count, dtype, what, align=ALIGN_BYTES):
    dtype = np.dtype(dtype).newbyteorder("<")
    size = count * dtype.itemsize
    if count == 0:
      return np.zeros(0, dtype)
    if offset % align or offset < self.header_bytes or (
        offset + size > len(self.raw)):
      self.fail("%s: %d values at byte %d do not fit the file (%d bytes) or "
                "are misaligned." % (what, count, offset, len(self.raw)))
    return np.frombuffer(self.raw, dtype, count, offset).astype(
        dtype.newbyteorder("="))


def _check_header(r):
  raw = r.raw
  if len(raw) < HEADER_BYTES:
    r.fail("truncated: %d bytes, a model.bin header has %d." %
           (len(raw), HEADER_BYTES))
  header = _HEADER.unpack_from(raw, 0)
  magic, version, header_bytes, file_bytes, crc = header[:5]
  if magic != MAGIC:
    r.fail("not a model.bin file (magic %r, expected %r)." % (magic, MAGIC))
  if version != VERSION:
    r.fail("format version %d is not supported (this reader supports "
           "version %d); re-export the model." % (version, VERSION))
  if header_bytes != HEADER_BYTES:
    r.fail("header of %d bytes, expected %d." % (header_bytes, HEADER_BYTES))
  if file_bytes != len(raw):
    r.fail("truncated or padded: the header says %d bytes, the file has %d."
           % (file_bytes, len(raw)))
  actual = zlib.crc32(raw[16:])
  if actual != crc:
    r.fail("checksum mismatch (stored crc32 %08x, computed %08x): the file "
           "is corrupt." % (crc, actual))
  return header


def _read_target(r, offset):
  t = r.unpack(_TARGET, offset, "target")
  (name_off, vm_bytes, lea_words, scratch, nvm_bytes, max_tile_m, fp_words,
   n_powers, powers_off, _) = t[:10]
  d = t[10:]
  powers = {}
  for i in range(n_powers):
    p_name, _, watts = r.unpack(_POWER, powers_off + i * _POWER.size,
                                "power strength %d" % i)
    powers[r.string(p_name, "power strength %d" % i)] = watts
  linear = [target_lib.LinearCost(*d[1 + 4 * i:5 + 4 * i]) for i in range(3)]
  units = [target_lib.UnitCost(*d[13 + 2 * i:15 + 2 * i]) for i in range(4)]
  return target_lib.Target(
      name=r.string(name_off, "target name"), cpu_hz=d[0], vm_bytes=vm_bytes,
      lea_buffer_words=lea_words, vm_scratch_words=scratch,
      nvm_bytes=nvm_bytes, max_tile_m=max_tile_m, footprint_words=fp_words,
      nvm_read=linear[0], nvm_write=linear[1], lea=linear[2],
      cpu_add=units[0], cpu_mul=units[1], cpu_div=units[2], cpu_max=units[3],
      reboot_s=d[21], reboot_j=d[22],
      buffer=target_lib.EnergyBuffer(*d[23:27]), power_strengths_w=powers,
      max_job_energy_fraction=d[27])


def _read_layer(r, fields, tensors, names):
  (name_off, kind, act, n_inputs, flags, output, *rest) = fields
  name = r.string(name_off, "layer name")
  where = "layer %r" % name
  kinds = {v: k for k, v in KIND_CODES.items()}
  acts = {v: k for k, v in ACTIVATION_CODES.items()}
  if kind not in kinds or act not in acts:
    r.fail("%s: unknown kind %d or activation %d." % (where, kind, act))
  if not 1 <= n_inputs <= MAX_INPUTS or output >= len(names) or any(
      i >= len(names) for i in rest[:n_inputs]):
    r.fail("%s: tensor indices out of range." % where)
  if names[output] != name:
    r.fail("%s writes tensor %r; a layer's output tensor has its name." %
           (where, names[output]))
  inputs = tuple(names[i] for i in rest[:n_inputs])
  shapes = tuple(tuple(rest[4 + 3 * i:7 + 3 * i]) for i in range(n_inputs))
  (kh, kw, sh, sw, pt, pl, pb, pr, tile_m, tile_n, tile_p, w_exp, shift,
   groups, cols, block_words, _, n_blocks, total, w_off, b_off, rp_off,
   pairs_off, gb_off, sc_off) = rest[16:]
  spec = layer_spec_lib.LayerSpec(
      name=name, kind=kinds[kind], input_shapes=shapes,
      output_shape=tuple(tensors[name].shape), kernel=(kh, kw),
      strides=(sh, sw), pads=(pt, pl, pb, pr), activation=acts[act],
      inputs=inputs)
  layer = ir.QLayer(spec=spec, plan=tiling.TilePlan(tile_m, tile_n, tile_p))
  if spec.prunable:
    grid = blocks_lib.BlockGrid(spec, layer.plan)
    if (groups, cols, block_words) != (grid.n_groups, grid.n_cols,
                                       grid.weights_per_block):
      r.fail("%s: block grid %dx%d of %d words, expected %dx%d of %d." %
             (where, groups, cols, block_words, grid.n_groups, grid.n_cols,
              grid.weights_per_block))
    stored = r.array(w_off, n_blocks * block_words, np.int16,
                     where + " weights").reshape(n_blocks, block_words)
    rows = 1 if spec.kind == "depthwise" else grid.tile_n
    blocks = np.zeros((groups, cols, block_words), np.int16)
    row_ptr = pairs = None
    if flags & FLAG_BSR:
      row_ptr = r.array(rp_off, cols + 1, np.uint16, where + " row_ptr")
      pairs = r.array(pairs_off, 2 * n_blocks, np.uint16,
                      where + " pairs").reshape(n_blocks, 2)
      if (row_ptr[0] != 0 or row_ptr[-1] != n_blocks or
          np.any(np.diff(row_ptr.astype(np.int64)) < 0) or
          np.any(pairs[:, 0] >= groups)):
        r.fail("%s: invalid BSR row pointers or groups." % where)
      for j in range(cols):
        gs = pairs[row_ptr[j]:row_ptr[j + 1], 0].astype(np.int64)
        if np.any(np.diff(gs) <= 0):
          r.fail("%s: groups of slice %d are not ascending." % (where, j))
        blocks[gs, j] = stored[row_ptr[j]:row_ptr[j + 1]]
    elif n_blocks != groups * cols:
      r.fail("%s: dense layer with %d stored blocks, expected %d." %
             (where, n_blocks, groups * cols))
    else:
      blocks = stored.reshape(cols, groups, block_words).transpose(1, 0, 2)
    layer.blocks = np.ascontiguousarray(blocks).reshape(
        groups, cols, rows, grid.tile_m)
    layer.bias = r.array(b_off, spec.out_channels, np.int16, where + " bias")
    layer.weight_exponent = w_exp
    expected = stored_layer(layer)
    if not (bool(flags & FLAG_BSR) == layer.is_bsr and
            np.array_equal(expected.blocks, stored) and
            (row_ptr is None or (np.array_equal(expected.row_ptr, row_ptr) and
                                 np.array_equal(expected.pairs, pairs))) and
            np.array_equal(expected.group_blocks, r.array(
                gb_off, groups, np.uint16, where + " group_blocks")) and
            np.array_equal(expected.slice_channels, r.array(
                sc_off, cols + 1, np.uint32, where + " slice_channels"))):
      r.fail("%s: BSR flag, stored blocks, pairs or block counts do not match "
             "its weights." % where)
  return layer, shift, total, flags


def from_bytes(raw, source="model.bin"):
  """Parses and validates a model.bin image; returns the QModel."""
  r = _Reader(bytes(raw), source)
  header = _check_header(r)
  (target_off, tensor_off, n_tensors, n_layers, layer_off, _, _, name_off,
   state, psum0, input_index, output_index, psum1) = header[5:18]
  target = _read_target(r, target_off)
  tensors: Dict[str, ir.QTensor] = {}
  offsets = {}
  for i in range(n_tensors):
    t_name, h, w, c, exp, nvm = r.unpack(_TENSOR, tensor_off + i * TENSOR_BYTES,
                                         "tensor %d" % i)
    name = r.string(t_name, "tensor %d" % i)
    if name in tensors:
      r.fail("tensor name %r is used twice." % name)
    tensors[name] = ir.QTensor(name, (h, w, c), exp)
    offsets[name] = nvm
  names = list(tensors)
  if n_layers == 0 or input_index >= len(names) or names[input_index] != (
      ir.INPUT):
    r.fail("no layers, or the input tensor is not %r." % ir.INPUT)
  layers: List[ir.QLayer] = []
  checks = []
  for i in range(n_layers):
    fields = r.unpack(_LAYER, layer_off + i * LAYER_BYTES, "layer %d" % i)
    if fields[5] >= len(names):
      r.fail("layer %d: output tensor index %d out of range." %
             (i, fields[5]))
    layer, shift, total, flags = _read_layer(r, fields, tensors, names)
    layers.append(layer)
    checks.append((layer, shift, total, flags))
  qmodel = ir.QModel(name=r.string(name_off, "model name"), layers=layers,
                     tensors=tensors, target=target)
  try:
    qmodel.validate()
  except ValueError as e:
    r.fail(str(e))
  if names[output_index] != layers[-1].name:
    r.fail("output tensor %r is not the last layer's." % names[output_index])
  for layer, shift, total, flags in checks:
    if layer.spec.prunable and shift != qmodel.shift(layer):
      r.fail("layer %r: stored shift %d, exponents give %d." %
             (layer.name, shift, qmodel.shift(layer)))
    if total != job_outputs(layer):
      r.fail("layer %r: stored output count %d, expected %d." %
             (layer.name, total, job_outputs(layer)))
  if (state, (psum0, psum1)) != (state_words(qmodel), psum_words(qmodel)) or (
      offsets != nvm_layout(qmodel)[0]):
    r.fail("NVM layout does not match the model.")
  return qmodel


def read_bin(path):
  """Reads and validates model.bin; raises FormatError naming the problem."""
  with open(path, "rb") as f:
    raw = f.read()
  return from_bytes(raw, path)


# ---------------------------------------------------------------------------
# C constants for the MSP430 build.


def _c_array(f, ctype, name, values, storage="static ", per_line=12):
  suffix = "UL" if ctype == "uint32_t" else ""
  values = ["%d%s" % (int(v), suffix) for v in np.asarray(values).ravel()]
  f.write("%sconst %s %s[%d] IPRUNE_MODEL_CONST = {\n" %
          (storage, ctype, name, max(1, len(values))))
  values = values or ["0"]
  for i in range(0, len(values), per_line):
    f.write("  " + ", ".join(values[i:i + per_line]) + ",\n")
  f.write("};\n")


def _c_string(text):
  return '"%s"' % text.replace("\\", "\\\\").replace('"', '\\"')


def c_sources(qmodel, name="model", test_input=None):
  """(header text, source text) of `write_c`."""
  _check_model(qmodel)
  if not name.isidentifier():
    raise ValueError("C model name %r is not a C identifier." % name)
  names = list(qmodel.tensors)
  index_of = {n: i for i, n in enumerate(names)}
  offsets, _ = nvm_layout(qmodel)
  guard = name.upper() + "_H_"
  h = io.StringIO()
  h.write("/* Generated by tf_iprune.export.model_format; do not edit. */\n")
  h.write("#ifndef %s\n#define %s\n\n#include \"iprune/model.h\"\n\n" %
          (guard, guard))
  h.write("#define %s_STATE_WORDS %dUL\n#define %s_INPUT_WORDS %d\n"
          "#define %s_OUTPUT_WORDS %d\n\n" %
          (name.upper(), state_words(qmodel), name.upper(),
           int(np.prod(qmodel.input.shape)), name.upper(),
           int(np.prod(qmodel.output.shape))))
  h.write("extern const iprune_model_t %s;\n" % name)
  if test_input is not None:
    h.write("extern const int16_t %s_test_input[%d];\n" %
            (name, int(np.prod(qmodel.input.shape))))
  h.write("\n#endif  /* %s */\n" % guard)
  c = io.StringIO()
  c.write("/* Generated by tf_iprune.export.model_format from model %s; do "
          "not edit. */\n#include \"%s.h\"\n\n" % (_c_string(qmodel.name),
                                                   name))
  c.write("#ifndef IPRUNE_MODEL_CONST\n#define IPRUNE_MODEL_CONST\n#endif\n\n")
  layer_rows = []
  for i, layer in enumerate(qmodel.layers):
    spec, plan = layer.spec, layer.plan
    prefix = "%s_l%d" % (name, i)
    ptrs = ["0"] * 6
    flags = groups = cols = block_words = n_blocks = 0
    w_exp = shift = 0
    if spec.prunable:
      grid = layer.grid
      stored = stored_layer(layer)
      c.write("/* %s: %s */\n" % (spec.name, spec.kind))
      arrays = [("int16_t", "weights", stored.blocks),
                ("int16_t", "bias", layer.bias),
                ("uint16_t", "row_ptr", stored.row_ptr),
                ("uint16_t", "pairs", stored.pairs),
                ("uint16_t", "group_blocks", stored.group_blocks),
                ("uint32_t", "slice_channels", stored.slice_channels)]
      for k, (ctype, what, values) in enumerate(arrays):
        if values is not None:
          _c_array(c, ctype, "%s_%s" % (prefix, what), values)
          ptrs[k] = "%s_%s" % (prefix, what)
      flags = FLAG_BSR if layer.is_bsr else 0
      groups, cols, block_words = (grid.n_groups, grid.n_cols,
                                   grid.weights_per_block)
      n_blocks = stored.blocks.shape[0]
      w_exp, shift = layer.weight_exponent, qmodel.shift(layer)
    inputs = [index_of[s] for s in spec.inputs]
    inputs += [0] * (MAX_INPUTS - len(inputs))
    shapes = list(spec.input_shapes) + [(0, 0, 0)] * (
        MAX_INPUTS - len(spec.input_shapes))
    layer_rows.append(
        "  {%s, %d, %d, %d, %d, %d, {%s}, {%s}, {%d, %d}, {%d, %d}, "
        "{%d, %d, %d, %d}, %d, %d, %d, %d, %d, %d, %d, %d, %dUL, %dUL, "
        "%s, %s, %s, %s, %s, %s}," %
        (_c_string(spec.name), KIND_CODES[spec.kind],
         ACTIVATION_CODES[spec.activation], len(spec.inputs), flags,
         index_of[spec.name], ", ".join(map(str, inputs)),
         ", ".join("{%d, %d, %d}" % tuple(s) for s in shapes),
         spec.kernel[0], spec.kernel[1], spec.strides[0], spec.strides[1],
         *spec.pads, plan.tile_m, plan.tile_n, plan.tile_p, w_exp, shift,
         groups, cols, block_words, n_blocks, job_outputs(layer), *ptrs))
  c.write("\nstatic const iprune_tensor_t %s_tensors[%d] = {\n" %
          (name, len(names)))
  for n in names:
    t = qmodel.tensors[n]
    c.write("  {%s, %d, %d, %d, %d, %dUL},\n" %
            (_c_string(n), *t.shape, t.exponent, offsets[n]))
  c.write("};\n\nstatic const iprune_layer_t %s_layers[%d] = {\n" %
          (name, len(layer_rows)))
  c.write("\n".join(layer_rows) + "\n};\n\n")
  c.write("const iprune_model_t %s = {\n  %s, %d, %d, %d, %d, %dUL, %s, "
          "%d, %d, %d, %s_tensors, %s_layers,\n};\n" %
          (name, _c_string(qmodel.name), len(names), len(qmodel.layers),
           index_of[ir.INPUT], index_of[qmodel.layers[-1].name],
           state_words(qmodel), "{%dUL, %dUL}" % psum_words(qmodel),
           FOOTPRINT_WORDS,
           qmodel.target.lea_buffer_words, qmodel.target.vm_scratch_words,
           name, name))
  if test_input is not None:
    x = np.asarray(test_input)
    if x.shape != tuple(qmodel.input.shape) or x.dtype != np.int16:
      raise ValueError("test_input must be int16 of shape %s, got %s %s." %
                       (tuple(qmodel.input.shape), x.dtype, x.shape))
    c.write("\n")
    _c_array(c, "int16_t", name + "_test_input", x, storage="")
  return h.getvalue(), c.getvalue()


def write_c(qmodel, directory, name="model", test_input=None):
  """Writes `<name>.h` and `<name>.c` (C constants) into `directory`.

  The arrays follow the layout of model.bin (docs/model_format.md) and the
  structs of msp430_runtime/include/iprune/model.h. Each file is written
  atomically.

  Args:
    qmodel: The QModel.
    directory: Existing output directory.
    name: C identifier of the `iprune_model_t` and base name of the files.
    test_input: Optional int16 input (H, W, C) compiled in as
      `<name>_test_input` (the MSP430 build runs it).

  Returns:
    (header path, source path).
  """
  header, source = c_sources(qmodel, name, test_input)
  h_path = os.path.join(directory, name + ".h")
  c_path = os.path.join(directory, name + ".c")
  io_utils.write_bytes(h_path, header.encode("utf-8"))
  io_utils.write_bytes(c_path, source.encode("utf-8"))
  return h_path, c_path


# ---------------------------------------------------------------------------
# Test vectors.

# magic, version, header bytes, file bytes, crc32, count, input words,
# output words, flags, input exponent, output exponent, reserved.
_VECTORS = struct.Struct("<4sHHIIIIIIhhI")
VECTORS_HEADER_BYTES = _VECTORS.size
VEC_EXPECTED = 1
VEC_LABELS = 2


@dataclasses.dataclass
class Vectors:
  """Quantised inputs (N, input words) with optional expected outputs and
  labels (-1 where unknown)."""
  inputs: np.ndarray
  expected: Optional[np.ndarray] = None
  labels: Optional[np.ndarray] = None
  input_exponent: int = 0
  output_exponent: int = 0


def vectors_to_bytes(vectors):
  inputs = np.asarray(vectors.inputs)
  if inputs.dtype != np.int16 or inputs.ndim < 2 or inputs.shape[0] < 1:
    raise ValueError("Test-vector inputs must be int16 (N, ...) with N >= 1, "
                     "got %s %s." % (inputs.dtype, inputs.shape))
  n = inputs.shape[0]
  inputs = inputs.reshape(n, -1)
  flags, out_words = 0, 0
  body = inputs.astype("<i2").tobytes()
  if vectors.expected is not None:
    expected = np.asarray(vectors.expected)
    if expected.dtype != np.int16 or expected.shape[0] != n:
      raise ValueError("Expected outputs must be int16 with %d rows, got %s "
                       "%s." % (n, expected.dtype, expected.shape))
    expected = expected.reshape(n, -1)
    out_words = expected.shape[1]
    flags |= VEC_EXPECTED
    body += expected.astype("<i2").tobytes()
  if vectors.labels is not None:
    labels = np.asarray(vectors.labels)
    if labels.shape != (n,) or not np.issubdtype(labels.dtype, np.integer):
      raise ValueError("Labels must be %d integers, got %s %s." %
                       (n, labels.dtype, labels.shape))
    flags |= VEC_LABELS
    body += labels.astype("<i4").tobytes()
  fields = (n, inputs.shape[1], out_words, flags,
            int(vectors.input_exponent), int(vectors.output_exponent), 0)
  size = VECTORS_HEADER_BYTES + len(body)
  tail = _VECTORS.pack(VECTORS_MAGIC, VECTORS_VERSION, VECTORS_HEADER_BYTES,
                       size, 0, *fields)[16:]
  crc = zlib.crc32(tail + body)
  return _VECTORS.pack(VECTORS_MAGIC, VECTORS_VERSION, VECTORS_HEADER_BYTES,
                       size, crc, *fields) + body


def write_vectors(path, inputs, expected=None, labels=None, input_exponent=0,
                  output_exponent=0):
  """Writes a test-vector file atomically (docs/model_format.md)."""
  raw = vectors_to_bytes(Vectors(inputs, expected, labels, input_exponent,
                                 output_exponent))
  io_utils.write_bytes(path, raw)
  return raw


def vectors_from_bytes(raw, source="vectors.bin"):
  """Parses a test-vector file; raises FormatError naming the problem."""
  r = _Reader(bytes(raw), source, VECTORS_HEADER_BYTES)
  if len(raw) < VECTORS_HEADER_BYTES:
    r.fail("truncated: %d bytes, a test-vector header has %d." %
           (len(raw), VECTORS_HEADER_BYTES))
  (magic, version, header_bytes, size, crc, n, in_words, out_words, flags,
   in_exp, out_exp, _) = _VECTORS.unpack_from(raw, 0)
  if magic != VECTORS_MAGIC:
    r.fail("not a test-vector file (magic %r, expected %r)." %
           (magic, VECTORS_MAGIC))
  if version != VECTORS_VERSION or header_bytes != VECTORS_HEADER_BYTES:
    r.fail("test-vector format version %d is not supported (expected %d)."
           % (version, VECTORS_VERSION))
  if size != len(raw):
    r.fail("truncated or padded: the header says %d bytes, the file has %d."
           % (size, len(raw)))
  if zlib.crc32(raw[16:]) != crc:
    r.fail("checksum mismatch: the file is corrupt.")
  expect = (n * in_words * 2 + (n * out_words * 2 if flags & VEC_EXPECTED
                                else 0) + (n * 4 if flags & VEC_LABELS else 0))
  if flags & ~(VEC_EXPECTED | VEC_LABELS) or (
      size - VECTORS_HEADER_BYTES != expect):
    r.fail("flags %d or sizes do not match the header." % flags)
  offset = VECTORS_HEADER_BYTES
  inputs = r.array(offset, n * in_words, np.int16, "inputs", 2).reshape(
      n, in_words)
  offset += n * in_words * 2
  expected = labels = None
  if flags & VEC_EXPECTED:
    expected = r.array(offset, n * out_words, np.int16, "expected",
                       2).reshape(
        n, out_words)
    offset += n * out_words * 2
  if flags & VEC_LABELS:
    labels = r.array(offset, n, np.int32, "labels", 2)
  return Vectors(inputs, expected, labels, in_exp, out_exp)


def read_vectors(path):
  with open(path, "rb") as f:
    return vectors_from_bytes(f.read(), path)
