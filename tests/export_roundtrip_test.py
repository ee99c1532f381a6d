"""Round trips per operator: Keras float vs the exported Q15 model.

Each test model holds one operator (with what it needs around it). It is
lowered, calibrated on random inputs and run by the bit-exact reference on
the same inputs; the dequantised result must equal Keras' float result
within an error bound derived from the chosen scales (`_error_bound`), plus
float32 noise of Keras itself (FLOAT32_SLACK relative to the output range).
"""
import numpy as np
import pytest

from tf_iprune.export import calibration
from tf_iprune.export import exporter
from tf_iprune.export import ir
from tf_iprune.export import keras_to_onnx_test
from tf_iprune.export import quantize
from tf_iprune.export import reference
from tf_iprune.hardware import target as target_lib
from tf_iprune.legacy_keras import keras

layers = keras.layers
FLOAT32_SLACK = 1e-5
TARGET = target_lib.Target.msp430fr5994()


def _model(name, shape, body):
  inputs = keras.Input(shape)
  return keras_to_onnx_test.randomize(
      keras.Model(inputs, body(inputs), name=name), seed=len(name))


def _conv(x):
  return layers.Conv2D(6, 3, strides=2, padding="same", name="conv")(x)


def _conv_bn_relu(x):
  x = layers.Conv2D(5, (2, 3), padding="valid", name="conv")(x)
  x = layers.BatchNormalization(name="bn")(x)
  return layers.ReLU(name="relu")(x)


def _depthwise(x):
  x = layers.DepthwiseConv2D(3, padding="same", name="dw")(x)
  x = layers.BatchNormalization(name="bn")(x)
  return layers.ReLU(name="relu")(x)


def _padded_conv(x):
  x = layers.ZeroPadding2D(((2, 0), (1, 1)), name="zp")(x)
  return layers.Conv2D(4, 3, name="conv")(x)


def _dense(x):
  x = layers.Flatten(name="flat")(x)
  x = layers.Dense(9, name="fc1")(x)
  x = layers.BatchNormalization(name="bn")(x)
  x = layers.ReLU(name="relu")(x)
  return layers.Dense(4, name="fc2")(x)


def _maxpool(x):
  return layers.MaxPooling2D(3, 2, padding="same", name="pool")(x)


def _avgpool(x):
  return layers.AveragePooling2D(3, 2, padding="same", name="pool")(x)


def _gap(x):
  return layers.GlobalAveragePooling2D(name="gap")(x)


def _add(x):
  a = layers.Conv2D(4, 1, name="a")(x)
  b = layers.Conv2D(4, 3, padding="same", name="b")(x)
  return layers.ReLU(name="relu")(layers.Add(name="add")([a, b]))


def _concat_relu(x):
  a = layers.Conv2D(3, 1, name="a")(x)
  b = layers.Conv2D(5, 3, padding="same", name="b")(x)
  x = layers.Concatenate(name="cat")([a, b])
  return layers.ReLU(name="relu")(x)


OPERATORS = {
    "conv": _conv, "conv_bn_relu": _conv_bn_relu, "depthwise": _depthwise,
    "padded_conv": _padded_conv, "dense": _dense, "maxpool": _maxpool,
    "avgpool": _avgpool, "gap": _gap, "add": _add, "concat_relu": _concat_relu,
}


def _l1_per_output(spec, kernel):
  """Sum of |weights| that feed each output channel."""
  if spec.kind == "depthwise":
    return np.abs(kernel[..., 0]).sum(axis=(0, 1))
  return np.abs(kernel.reshape(-1, spec.out_channels)).sum(axis=0)


def _error_bound(float_model, qmodel, result):
  """Largest |Q15 - float| of the output, propagated layer by layer.

  input: half a step of the input scale. Accelerator layer, per output
  channel m: |W_m|_1 * err_in (input error) + |W_m - Q(W_m)|_1 * max|x_q|
  (weight rounding) + |b_m - Q(b_m)| (bias rounding) + nnzb_m half steps of
  the output scale (one rounding per executed block when the shift is
  positive). relu and maxpool keep the error; avgpool and gap add half a
  step (the rounded division); add sums its inputs' errors plus half a step
  per input shifted right; concat takes the largest.
  """
  exps = {n: t.exponent for n, t in qmodel.tensors.items()}
  err = {ir.INPUT: 2.0**(exps[ir.INPUT] - 1)}
  for flayer, qlayer in zip(float_model.layers, qmodel.layers):
    spec = flayer.spec
    half = 2.0**(exps[spec.name] - 1)
    e_in = [err[n] for n in spec.inputs]
    if spec.prunable:
      w_q = quantize.dequantize(quantize.kernel_from_blocks(
          qlayer.grid, qlayer.blocks), qlayer.weight_exponent)
      b_q = quantize.dequantize(qlayer.bias, exps[spec.name])
      x_max = np.abs(quantize.dequantize(result.tensors[spec.inputs[0]],
                                         exps[spec.inputs[0]])).max()
      nnzb = qlayer.nonzero.sum(axis=1)[np.arange(spec.out_channels) //
                                        qlayer.plan.tile_m]
      rounding = nnzb * half if qmodel.shift(qlayer) > 0 else 0.0
      bound = (_l1_per_output(spec, flayer.kernel) * e_in[0] +
               _l1_per_output(spec, flayer.kernel - w_q) * x_max +
               np.abs(flayer.bias - b_q) + rounding)
      err[spec.name] = float(bound.max())
    elif spec.kind in ("avgpool", "gap"):
      err[spec.name] = e_in[0] + half
    elif spec.kind in ("add", "concat"):
      terms = [e + half * (exps[spec.name] > exps[n])
               for e, n in zip(e_in, spec.inputs)]
      err[spec.name] = sum(terms) if spec.kind == "add" else max(terms)
    else:
      err[spec.name] = e_in[0]
  return err[qmodel.layers[-1].name]


@pytest.mark.parametrize("operator", sorted(OPERATORS))
def test_q15_matches_keras_within_the_bound_of_its_scales(operator):
  model = _model(operator, (7, 6, 3), OPERATORS[operator])
  _, keras_model, float_model, plans = exporter.lower_keras(model)
  x = np.random.default_rng(0).normal(size=(32, 7, 6, 3))
  cal = calibration.calibrate(float_model, plans, x, TARGET)
  qmodel = cal.qmodel
  xq, _ = quantize.quantize_input(qmodel, x)
  result = reference.run(qmodel, xq)
  assert not any(result.saturated.values())
  want = keras_model.predict(x.astype(np.float32), verbose=0).reshape(
      len(x), -1)
  got = quantize.dequantize(result.output, qmodel.output.exponent).reshape(
      len(x), -1)
  bound = _error_bound(float_model, qmodel, result)
  scale = np.abs(want).max()
  # The bound is tight enough to mean something: under 1% of the range.
  assert bound < 0.01 * scale, (bound, scale)
  error = np.abs(got - want).max()
  assert error <= bound + FLOAT32_SLACK * scale, (error, bound)
