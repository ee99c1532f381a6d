"""Every zoo model exports, dense and pruned by prune_low_intermittency
(depthwise, add, concat).

Calibration uses a few random inputs (the data sets are tested elsewhere);
what is checked is that the whole pipeline runs, that the files read back
and reproduce the reference outputs bit-exactly, and that pruning shows up
as BSR layers with fewer accelerator outputs.
"""
import numpy as np
import pytest
import tensorflow_model_optimization as tfmot

import mlperf_tiny_models
import tf_iprune
from tf_iprune.export import exporter
from tf_iprune.export import keras_to_onnx_test
from tf_iprune.export import model_format
from tf_iprune.export import reference


def _prune(model):
  """Half of every layer's blocks, as a user does it: wrap, then one
  training step (learning rate 0) applies the block masks."""
  wrapped = tf_iprune.prune_low_intermittency(model, 0.5)
  wrapped.compile(optimizer=tf_iprune.legacy_keras.keras.optimizers.SGD(0.0),
                  loss="mse")
  x = np.zeros((1,) + wrapped.input_shape[1:], np.float32)
  y = np.zeros((1,) + wrapped.output_shape[1:], np.float32)
  wrapped.fit(x, y, epochs=1, verbose=0,
              callbacks=[tfmot.sparsity.keras.UpdatePruningStep()])
  return wrapped


def _export(model, out_dir):
  return exporter.export_model(model, str(out_dir), dataset="random",
                               calibration_samples=8, eval_split=None,
                               num_vectors=2)


@pytest.mark.parametrize("name", mlperf_tiny_models.list_models())
def test_zoo_model_exports_dense_and_pruned(name, tmp_path):
  model = keras_to_onnx_test.randomize(mlperf_tiny_models.get_model(name))
  dense = _export(model, tmp_path / "dense")
  pruned = _export(_prune(model), tmp_path / "pruned")
  assert not any(l["storage"] == "bsr" for l in dense["layers"])
  assert sum(l["storage"] == "bsr" for l in pruned["layers"]) >= 2
  assert pruned["total"]["acc_outputs"] < dense["total"]["acc_outputs"]
  assert pruned["total"]["bsr_bytes"] < dense["total"]["bsr_bytes"]
  for report, folder in ((dense, "dense"), (pruned, "pruned")):
    assert report["total"]["saturated"] == 0
    qmodel = model_format.read_bin(str(tmp_path / folder / "model.bin"))
    vectors = model_format.read_vectors(str(tmp_path / folder /
                                            "test_vectors.bin"))
    x = vectors.inputs.reshape((-1,) + tuple(qmodel.input.shape))
    np.testing.assert_array_equal(
        reference.run(qmodel, x).output.reshape(len(x), -1),
        vectors.expected)
