"""Tests of exponent calibration."""
import numpy as np
import pytest

from tf_iprune.export import calibration
from tf_iprune.export import float_model
from tf_iprune.export import quantize
from tf_iprune.export import reference
from tf_iprune.export import testing
from tf_iprune.hardware import target as target_lib
from tf_iprune.hardware import tiling

TARGET = target_lib.Target.msp430fr5994()


def _float_from_qmodel(qmodel):
  """A FloatModel with the (dequantised) weights of a random QModel."""
  layers = []
  for layer in qmodel.layers:
    kernel = bias = None
    if layer.spec.prunable:
      kernel = quantize.dequantize(quantize.kernel_from_blocks(
          layer.grid, layer.blocks), layer.weight_exponent)
      bias = quantize.dequantize(layer.bias,
                                 qmodel.tensors[layer.name].exponent)
    layers.append(float_model.FloatLayer(layer.spec, kernel, bias))
  shape = tuple(qmodel.input.shape)
  return float_model.FloatModel(qmodel.name, shape, shape, layers)


def test_nothing_saturates_and_inheritance_follows_the_design():
  source = testing.random_qmodel(testing.example_specs("all"), seed=4,
                                 density=0.5,
                                 overrides={"conv1": (4, 2), "pw": (5, 5)})
  model = _float_from_qmodel(source)
  plans = {l.name: l.plan for l in source.layers}
  x = np.random.default_rng(0).normal(size=(64,) + model.input_shape)
  result = calibration.calibrate(model, plans, x, TARGET, batch_size=16)
  qmodel = result.qmodel
  assert not any(result.saturated.values())
  xq, _ = quantize.quantize_input(qmodel, x)
  run = reference.run(qmodel, xq)
  assert not any(run.saturated.values())
  exps = {n: t.exponent for n, t in qmodel.tensors.items()}
  peaks = calibration.float_peaks(model, plans, x)
  for layer in qmodel.layers:
    spec = layer.spec
    if spec.kind in ("maxpool", "avgpool", "gap", "relu"):
      assert exps[spec.name] == exps[spec.inputs[0]]
    else:
      # Chosen from the block-ordered float peaks (bumped only if the
      # rounded values saturated).
      assert exps[spec.name] >= quantize.exponent_for(peaks[spec.name])
  assert result.samples == 64 and result.rounds >= 1


def test_rounding_overflow_is_caught_and_the_exponent_raised():
  # Two blocks of exactly 16383.5 each: float peak 32767 (exponent 0), but
  # each block rounds up to 16384 and their sum saturates at exponent 0.
  b = testing.SpecBuilder((1, 1, 2))
  b.dense("fc", "input", 1)
  layer = float_model.FloatLayer(b.specs[0], np.array([[16383.5], [16383.5]]),
                                 np.zeros(1))
  model = float_model.FloatModel("m", (1, 1, 2), (2,), [layer])
  plans = {"fc": tiling.TilePlan(1, 1, 1)}
  result = calibration.calibrate(model, plans, np.ones((1, 2)), TARGET)
  assert result.rounds == 2
  assert result.qmodel.tensors["fc"].exponent == 1
  assert result.saturated == {"fc": 0, "input": 0}


def test_refuses_empty_or_non_finite_calibration_data():
  model = _float_from_qmodel(testing.random_qmodel(
      testing.example_specs("chain")))
  plans = tiling.plan_model(model.specs, TARGET)
  with pytest.raises(ValueError, match="calibration set is empty"):
    calibration.calibrate(model, plans, np.zeros((0, 6, 6, 3)), TARGET)
  x = np.zeros((2, 6, 6, 3))
  x[1, 0, 0, 0] = np.nan
  with pytest.raises(ValueError, match="NaN or Inf"):
    calibration.calibrate(model, plans, x, TARGET)
