"""Tests of the bit-exact Q15 reference executor."""
import numpy as np
import pytest

from tf_iprune.export import ir
from tf_iprune.export import quantize
from tf_iprune.export import reference
from tf_iprune.export import testing

# Small tiles so that layers have several block columns, ragged edge blocks
# and several filter groups.
_OVERRIDES = {
    "chain": {"conv1": (4, 2), "fc": (2, 7)},
    "depthwise": {"conv1": (4, 3), "dw1": (4, 4), "fc": (3, 4)},
    "residual": {"conv2": (3, 5), "conv3": (8, 3)},
    "fire": {"expand3": (4, 3), "fc": (2, 50)},
    "all": {"conv1": (4, 2), "dw": (5, 5), "pw": (5, 5), "e3": (3, 5),
            "fc1": (3, 3), "fc2": (2, 4)},
}


def _real(q, exponent):
  return q.astype(np.float64) * 2.0**exponent


def _naive_window(x, spec, window, reduce_fn, kernel=None):
  """Loops over output positions; only in-bounds inputs take part."""
  n, h, w, _ = x.shape
  oh_n, ow_n, c_out = spec.output_shape
  out = np.zeros((n, oh_n, ow_n, c_out))
  for oh in range(oh_n):
    for ow in range(ow_n):
      values, weights = [], []
      for kh in range(window[0]):
        for kw in range(window[1]):
          ih = oh * spec.strides[0] - spec.pads[0] + kh
          iw = ow * spec.strides[1] - spec.pads[1] + kw
          if 0 <= ih < h and 0 <= iw < w:
            values.append(x[:, ih, iw, :])
            if kernel is not None:
              weights.append(kernel[kh, kw])
      out[:, oh, ow, :] = reduce_fn(values, weights)
  return out


def _float_layer(qmodel, layer, xs):
  """The layer in float64 on real inputs, straight from its definition."""
  spec = layer.spec
  e_out = qmodel.tensors[spec.name].exponent
  if spec.prunable:
    kernel = _real(quantize.kernel_from_blocks(layer.grid, layer.blocks),
                   layer.weight_exponent)
    bias = _real(layer.bias, e_out)
    x = xs[0]
    if spec.kind == "dense":
      y = (x.reshape(len(x), -1) @ kernel).reshape((len(x),) +
                                                  spec.output_shape)
    elif spec.kind == "depthwise":
      y = _naive_window(x, spec, spec.kernel,
                        lambda v, w: sum(a * b[:, 0] for a, b in zip(v, w)),
                        kernel)
    else:
      y = _naive_window(x, spec, spec.kernel,
                        lambda v, w: sum(a @ b for a, b in zip(v, w)), kernel)
    y = y + bias
  elif spec.kind == "maxpool":
    y = _naive_window(xs[0], spec, spec.kernel,
                      lambda v, _: np.max(v, axis=0))
  elif spec.kind == "avgpool":
    y = _naive_window(xs[0], spec, spec.kernel,
                      lambda v, _: np.mean(v, axis=0))
  elif spec.kind == "gap":
    y = xs[0].mean(axis=(1, 2), keepdims=True)
  elif spec.kind == "add":
    y = sum(xs)
  elif spec.kind == "concat":
    y = np.concatenate(xs, axis=-1)
  else:
    y = xs[0]
  if spec.activation == "relu" or spec.kind == "relu":
    y = np.maximum(y, 0)
  return y


def _error_bound(qmodel, layer):
  """Largest |Q15 - float| of one layer on the same (quantised) inputs.

  Every rounding shift rounds to the nearest step of 2**e_out (half a step
  of error); saturation aside, nothing else is lost. An accelerator layer
  rounds once per non-zero block of a filter group; pooling's division
  rounds once; add and concat round each input they shift right.
  """
  spec = layer.spec
  e_out = qmodel.tensors[spec.name].exponent
  half = 0.5 * 2.0**e_out
  if spec.prunable:
    if qmodel.shift(layer) <= 0:
      return np.zeros(spec.out_channels)
    nnzb = layer.nonzero.sum(axis=1)
    return half * nnzb[np.arange(spec.out_channels) // layer.plan.tile_m]
  e_in = [qmodel.tensors[n].exponent for n in spec.inputs]
  if spec.kind in ("avgpool", "gap"):
    return half
  if spec.kind == "add":
    return half * sum(e_out > e for e in e_in)
  if spec.kind == "concat":
    return np.concatenate([np.full(qmodel.tensors[n].shape[2],
                                   half * (e_out > e))
                           for n, e in zip(spec.inputs, e_in)])
  return 0.0


@pytest.mark.parametrize("example", sorted(_OVERRIDES))
@pytest.mark.parametrize("density", [1.0, 0.5])
def test_every_layer_matches_float_within_rounding_bound(example, density):
  specs = testing.example_specs(example)
  qmodel = testing.random_qmodel(specs, seed=3, density=density,
                                 overrides=_OVERRIDES[example])
  result = reference.run(qmodel, testing.random_input(qmodel, batch=3,
                                                      bits=11))
  assert not any(result.saturated.values()), result.saturated
  for layer in qmodel.layers:
    xs = [_real(result.tensors[n].astype(np.float64),
                qmodel.tensors[n].exponent) for n in layer.spec.inputs]
    expected = _float_layer(qmodel, layer, xs)
    got = _real(result.tensors[layer.name],
                qmodel.tensors[layer.name].exponent)
    error = np.abs(got - expected)
    bound = np.broadcast_to(_error_bound(qmodel, layer), error.shape)
    assert np.all(error <= bound * (1 + 1e-12)), (
        layer.name, float((error - bound).max()))
    if layer.spec.prunable and density < 1:
      assert layer.is_bsr or layer.grid.n_cols == 1


def test_random_model_has_an_empty_group():
  qmodel = testing.random_qmodel(testing.example_specs("all"), density=0.5,
                                 overrides=_OVERRIDES["all"])
  assert any(layer.spec.prunable and not layer.nonzero.any(axis=1).all()
             for layer in qmodel.layers)


@pytest.mark.parametrize("v,s,expected", [
    (3, 1, 2), (-3, 1, -1), (-1, 1, 0), (-2, 1, -1), (1, 1, 1), (5, 2, 1),
    (6, 2, 2), (-6, 2, -1), (-7, 2, -2), (7, 0, 7), (-7, 0, -7), (-3, -2, -12),
    (2**40, 20, 2**20), (-(2**40) - 2**19, 20, -(2**20)),
    (-(2**40) - 2**19 - 1, 20, -(2**20) - 1),
])
def test_rshift_round_rounds_half_up(v, s, expected):
  assert int(reference.rshift_round(v, s)) == expected


def test_rshift_round_refuses_overflow_and_huge_shifts():
  with pytest.raises(ValueError, match="overflows 64 bits"):
    reference.rshift_round(2**40, -30)
  with pytest.raises(ValueError, match="outside"):
    reference.rshift_round(1, 63)


def test_sat16():
  np.testing.assert_array_equal(
      reference.sat16(np.array([-40000, -32768, 0, 32767, 40000])),
      [-32768, -32768, 0, 32767, 32767])


def _dense_model(weights, bias, exponents, tile_n, activation="none",
                 tile_m=1):
  b = testing.SpecBuilder((1, 1, len(weights)))
  b.dense("fc", "input", len(weights[0]), activation=activation)
  return testing.build_qmodel(
      b.specs, {"fc": np.array(weights)}, {"fc": np.array(bias)},
      {"input": exponents[0], "fc": exponents[2]}, {"fc": exponents[1]},
      overrides={"fc": (tile_m, tile_n)})


def _run(qmodel, x):
  x = np.array(x, np.int16).reshape(qmodel.input.shape)
  return reference.run(qmodel, x)


def test_saturation_in_lea_result_and_cpu_sum():
  # Shift 0: each block's product 32767**2 saturates, then so does the sum.
  qmodel = _dense_model([[32767], [32767]], [0], (0, 0, 0), tile_n=1)
  result = _run(qmodel, [32767, 32767])
  assert result.output.ravel().tolist() == [32767]
  assert result.saturated == {"fc": 3}
  assert result.peak["fc"] == 32767**2
  negative = _run(qmodel, [-32768, 0])
  assert negative.output.ravel().tolist() == [-32768]


def test_rounding_happens_per_block_in_column_order():
  # Two blocks of one product each round separately: 1/2 -> 1, twice.
  two_blocks = _dense_model([[1], [1]], [0], (0, 0, 1), tile_n=1)
  one_block = _dense_model([[1], [1]], [0], (0, 0, 1), tile_n=2)
  assert _run(two_blocks, [1, 1]).output.ravel().tolist() == [2]
  assert _run(one_block, [1, 1]).output.ravel().tolist() == [1]
  # Negative halves round up (towards +inf): -1/2 -> 0, -3/2 -> -1.
  assert _run(two_blocks, [-1, -1]).output.ravel().tolist() == [0]
  assert _run(two_blocks, [-3, -1]).output.ravel().tolist() == [-1]
  assert _run(one_block, [-3, -1]).output.ravel().tolist() == [-2]


def test_bias_then_partial_sum_saturates_in_order():
  # Bias 32000 + 1000 saturates to 32767, then -1000 gives 31767: the
  # order bias, block 0, block 1 is observable.
  qmodel = _dense_model([[1000], [-1000]], [32000], (0, 0, 0), tile_n=1)
  assert _run(qmodel, [1, 1]).output.ravel().tolist() == [31767]


def test_negative_shift_multiplies():
  qmodel = _dense_model([[3]], [1], (0, 0, -2), tile_n=1)
  assert _run(qmodel, [5]).output.ravel().tolist() == [61]


def test_empty_group_outputs_activation_of_bias():
  weights = [[0, 2], [0, 3]]
  for activation, expected in (("none", [-5, 5 * 2 + 7 * 3 - 4]),
                               ("relu", [0, 5 * 2 + 7 * 3 - 4])):
    qmodel = _dense_model(weights, [-5, -4], (0, 0, 0), tile_n=1,
                          activation=activation)
    assert qmodel.layers[0].nonzero.tolist() == [[False, False],
                                                 [True, True]]
    assert qmodel.layers[0].is_bsr
    assert _run(qmodel, [5, 7]).output.ravel().tolist() == expected


def test_relu_applies_after_the_last_block_only():
  # Partial sum -10 after block 0 must not be clipped before block 1 adds 15.
  qmodel = _dense_model([[-10], [15]], [0], (0, 0, 0), tile_n=1,
                        activation="relu")
  assert _run(qmodel, [1, 1]).output.ravel().tolist() == [5]


def test_conv_padding_is_zero():
  b = testing.SpecBuilder((3, 3, 1))
  b.conv("conv", "input", 1, kernel=(3, 3))
  b.depthwise("dw", "conv", kernel=(3, 3))
  qmodel = testing.build_qmodel(
      b.specs, {"conv": np.ones((3, 3, 1, 1)), "dw": np.ones((3, 3, 1, 1))},
      {}, {"input": 0, "conv": 0, "dw": 0}, {"conv": 0, "dw": 0})
  result = _run(qmodel, np.ones(9))
  counts = [[4, 6, 4], [6, 9, 6], [4, 6, 4]]
  np.testing.assert_array_equal(result.tensors["conv"][..., 0], counts)
  # Sums of the in-bounds neighbours of each count.
  np.testing.assert_array_equal(result.tensors["dw"][..., 0],
                                [[25, 35, 25], [35, 49, 35], [25, 35, 25]])


def test_strided_conv_with_explicit_pads():
  b = testing.SpecBuilder((4, 4, 1))
  b.conv("conv", "input", 1, kernel=(2, 2), strides=(2, 2),
         padding=(1, 1, 1, 1))
  qmodel = testing.build_qmodel(
      b.specs, {"conv": np.ones((2, 2, 1, 1))}, {}, {"input": 0, "conv": 0},
      {"conv": 0})
  x = np.arange(16).reshape(4, 4)
  out = _run(qmodel, x).tensors["conv"][..., 0]
  assert out.shape == (3, 3)
  assert out[0, 0] == x[0, 0]
  assert out[1, 1] == x[1, 1] + x[1, 2] + x[2, 1] + x[2, 2]
  assert out[2, 2] == x[3, 3]


def _pool_model(kind, shape, pool_size, strides, padding):
  b = testing.SpecBuilder(shape)
  if kind == "gap":
    b.gap("pool", "input")
  else:
    b.pool("pool", "input", kind, pool_size, strides, padding)
  return testing.build_qmodel(b.specs, {}, {}, {"input": -3, "pool": -3}, {})


def test_avgpool_rounds_half_away_from_zero():
  qmodel = _pool_model("avgpool", (1, 8, 1), (1, 2), (1, 2), "valid")
  out = _run(qmodel, [1, 2, -1, -2, 1, 0, -1, 0]).output.ravel()
  assert out.tolist() == [2, -2, 1, -1]


def test_avgpool_same_divides_by_in_bounds_count():
  qmodel = _pool_model("avgpool", (3, 3, 1), (3, 3), (1, 1), "same")
  out = _run(qmodel, np.full(9, 5)).output[..., 0]
  np.testing.assert_array_equal(out, np.full((3, 3), 5))
  out = _run(qmodel, [6, 0, 0, 0, 0, 0, 0, 0, 0]).output[..., 0]
  # Corner: 6 / 4 = 1.5 -> 2; edge next to it: 6 / 6 -> 1; centre 6/9 -> 1.
  assert out[0, 0] == 2 and out[0, 1] == 1 and out[1, 1] == 1
  assert out[2, 2] == 0


def test_gap_rounds_the_mean():
  qmodel = _pool_model("gap", (2, 2, 2), None, None, None)
  x = np.array([[[1, -1], [2, -2]], [[2, -2], [2, -3]]])
  # Channel 0: 7 / 4 = 1.75 -> 2; channel 1: -8 / 4 -> -2.
  assert _run(qmodel, x).output.ravel().tolist() == [2, -2]


def test_maxpool_ignores_padding():
  qmodel = _pool_model("maxpool", (3, 3, 1), (2, 2), (2, 2), "same")
  out = _run(qmodel, np.full(9, -5)).output
  np.testing.assert_array_equal(out, np.full((2, 2, 1), -5))


def test_pooling_refuses_changed_exponent():
  qmodel = _pool_model("maxpool", (2, 2, 1), (2, 2), (2, 2), "valid")
  with pytest.raises(ValueError, match="'pool'.*must equal the input"):
    _run(testing.with_exponent(qmodel, "pool", -2), np.zeros(4))


def _merge_model(kind, exponents, activation="none"):
  """out = merge(a, b) where a and b are copies of the input at exponents."""
  b = testing.SpecBuilder((1, 1, 2))
  b.depthwise("a", "input", kernel=(1, 1))
  b.depthwise("b", "input", kernel=(1, 1))
  if kind == "add":
    b.add("out", ("a", "b"), activation=activation)
  else:
    b.concat("out", ("a", "b"))
  identity = np.ones((1, 1, 2, 1))
  return testing.build_qmodel(
      b.specs, {"a": identity, "b": identity}, {},
      {"input": 0, "a": exponents[0], "b": exponents[1], "out": exponents[2]},
      {"a": exponents[0], "b": exponents[1]})


def test_add_rescales_each_input_then_saturates():
  same = _merge_model("add", (0, 0, 0))
  assert _run(same, [30000, -3]).output.ravel().tolist() == [32767, -6]
  relu = _merge_model("add", (0, 0, 0), activation="relu")
  assert _run(relu, [30000, -3]).output.ravel().tolist() == [32767, 0]
  # a at 2**-3 shifts right by 1: 5 -> 3, -5 -> -2; b at 2**-2 stays.
  qmodel = _merge_model("add", (-3, -2, -2))
  assert _run(qmodel, [5, -5]).output.ravel().tolist() == [8, -7]


def test_concat_rescales_and_saturates():
  qmodel = _merge_model("concat", (-5, -7, -6))
  result = _run(qmodel, [30000, 3])
  # a shifts left by 1 (30000 saturates), b right by 1 (3/2 rounds to 2).
  assert result.output.ravel().tolist() == [32767, 6, 15000, 2]
  assert result.saturated["out"] == 1


def test_batch_equals_single_samples_and_is_deterministic():
  qmodel = testing.random_qmodel(testing.example_specs("all"), seed=5,
                                 density=0.5, overrides=_OVERRIDES["all"])
  x = testing.random_input(qmodel, seed=2, batch=4, bits=15)
  batch = reference.run(qmodel, x)
  assert sum(batch.saturated.values()) > 0  # The saturating paths run too.
  for i in range(4):
    single = reference.run(qmodel, x[i])
    for name, tensor in single.tensors.items():
      np.testing.assert_array_equal(tensor, batch.tensors[name][i])
    assert single.argmax == batch.argmax[i]
  again = reference.run(qmodel, x)
  for name, tensor in again.tensors.items():
    np.testing.assert_array_equal(tensor, batch.tensors[name])
    assert tensor.dtype == np.int16


def test_argmax_takes_the_first_of_ties():
  qmodel = _dense_model([[1, 1, 1]], [0, 5, 5], (0, 0, 0), tile_n=1, tile_m=3)
  assert _run(qmodel, [0]).argmax == 1


def test_refuses_bad_inputs_and_models():
  qmodel = _dense_model([[1]], [0], (0, 0, 0), tile_n=1)
  with pytest.raises(ValueError, match="int16"):
    reference.run(qmodel, np.zeros((1, 1, 1), np.float32))
  with pytest.raises(ValueError, match="shape"):
    reference.run(qmodel, np.zeros((1, 2, 1), np.int16))
  qmodel.layers[0].blocks = qmodel.layers[0].blocks.astype(np.int32)
  with pytest.raises(ValueError, match="int16"):
    reference.run(qmodel, np.zeros((1, 1, 1), np.int16))


def test_refuses_non_zero_block_padding():
  qmodel = _dense_model([[1], [2], [3]], [0], (0, 0, 0), tile_n=2)
  qmodel.layers[0].blocks[0, 1, 1, 0] = 7  # Row 3 of a 3-input layer.
  with pytest.raises(ValueError, match="'fc'.*padding"):
    _run(qmodel, [1, 1, 1])


def test_kernel_from_blocks_inverts_blocks():
  qmodel = testing.random_qmodel(testing.example_specs("all"), seed=1,
                                 overrides=_OVERRIDES["all"])
  for layer in qmodel.layers:
    if layer.spec.prunable:
      kernel = quantize.kernel_from_blocks(layer.grid, layer.blocks)
      np.testing.assert_array_equal(layer.grid.blocks(kernel), layer.blocks)


def test_missing_input_tensor_is_refused():
  qmodel = _dense_model([[1]], [0], (0, 0, 0), tile_n=1)
  del qmodel.tensors[ir.INPUT]
  with pytest.raises(ValueError, match="no 'input' tensor"):
    reference.run(qmodel, np.zeros((1, 1, 1), np.int16))
