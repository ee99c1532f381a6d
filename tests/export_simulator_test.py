"""The exported files run on msp430_runtime's host simulator bit-exactly.

model.bin and test_vectors.bin from `export_model` go through iprune_sim;
its outputs must equal the Python reference's expected outputs and its
accelerator-output counter must equal report.json's prediction.
"""
import numpy as np
import pytest

import mlperf_tiny_models
from tf_iprune.export import exporter
from tf_iprune.export import keras_to_onnx_test
from tf_iprune.export import model_format
from tf_iprune.export import testing
from tf_iprune.runtime import simulator


@pytest.mark.parametrize("name, pruned", [("har_cnn", False),
                                          ("har_cnn", True),
                                          ("sqn", True)])
def test_simulator_reproduces_the_export(name, pruned, tmp_path):
  model = keras_to_onnx_test.randomize(mlperf_tiny_models.get_model(name))
  if pruned:
    testing.prune_random_blocks(model, 0.5)
  out = tmp_path / "out"
  report = exporter.export_model(model, str(out), dataset="random",
                                 calibration_samples=8, eval_split=None,
                                 num_vectors=3)
  results = simulator.run_vectors(str(out / "model.bin"),
                                  str(out / "test_vectors.bin"))
  vectors = model_format.read_vectors(str(out / "test_vectors.bin"))
  assert len(results) == 3
  for result, expected in zip(results, vectors.expected):
    np.testing.assert_array_equal(np.asarray(result["output"]).ravel(),
                                  expected)
    assert result["acc_outputs"] == report["total"]["acc_outputs"]
