"""Tests of the float model: block-ordered partial sums and their peaks."""
import numpy as np
import pytest

from tf_iprune.export import float_model
from tf_iprune.export import testing
from tf_iprune.hardware import tiling


def _dense_model(kernel, bias):
  b = testing.SpecBuilder((1, 1, len(kernel)))
  b.dense("fc", "input", len(kernel[0]))
  layer = float_model.FloatLayer(b.specs[0], np.array(kernel, float),
                                 np.array(bias, float))
  return float_model.FloatModel("m", (1, 1, len(kernel)), (len(kernel),),
                                [layer])


def test_peak_covers_partial_sums_in_block_order():
  model = _dense_model([[100.0], [-100.0]], [1.0])
  one_block = model.run(np.ones((1, 2)))
  assert one_block.tensors["fc"].ravel().tolist() == [1.0]
  assert one_block.peaks["fc"] == 1.0  # bias, then 100 - 100 in one block.
  plans = {"fc": tiling.TilePlan(1, 1, 1)}
  two_blocks = model.run(np.ones((1, 2)), plans)
  assert two_blocks.tensors["fc"].ravel().tolist() == [1.0]
  assert two_blocks.peaks["fc"] == 101.0  # bias + 100 is stored first.


def test_cpu_layer_peaks_cover_inputs_and_output():
  b = testing.SpecBuilder((1, 1, 2))
  b.add("add", ("input", "input"))
  b.relu("relu", "add")
  b.gap("gap", "relu")
  model = float_model.FloatModel(
      "m", (1, 1, 2), (2,), [float_model.FloatLayer(s) for s in b.specs])
  result = model.run(np.array([[3.0, -5.0]]))
  assert result.tensors["add"].ravel().tolist() == [6.0, -10.0]
  assert result.tensors["relu"].ravel().tolist() == [6.0, 0.0]
  assert result.peaks == {"add": 10.0, "relu": 10.0, "gap": 6.0}


def test_pooling_uses_in_bounds_values():
  b = testing.SpecBuilder((3, 3, 1))
  b.pool("max", "input", "maxpool", (2, 2), (2, 2), "same")
  b.pool("avg", "input", "avgpool", (3, 3), (1, 1), "same")
  model = float_model.FloatModel(
      "m", (3, 3, 1), (3, 3, 1), [float_model.FloatLayer(s) for s in b.specs])
  x = -np.arange(1.0, 10.0).reshape(1, 3, 3, 1)
  result = model.run(x)
  assert result.tensors["max"][0, :, :, 0].tolist() == [[-1, -3], [-7, -9]]
  assert result.tensors["avg"][0, 0, 0, 0] == pytest.approx(-3.0)  # 1,2,4,5.


def test_refuses_inputs_of_the_wrong_shape():
  model = _dense_model([[1.0]], [0.0])
  with pytest.raises(ValueError, match=r"takes inputs of shape \(1,\)"):
    model.run(np.ones((1, 2)))
