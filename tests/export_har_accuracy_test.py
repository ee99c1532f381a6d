"""Q15 accuracy of har_cnn on the embedded HAR test split, dense and pruned.

The exported model, executed by the bit-exact reference, must be within one
percentage point of the float Keras model (the issue's acceptance test). The
model is trained for a few epochs here (about 10 s); the pruned variant is
pruned by prune_low_intermittency (the lowest-RMS half of every layer's
blocks) and fine-tuned with tfmot's UpdatePruningStep.
"""
import pytest
import tensorflow_model_optimization as tfmot

import mlperf_tiny_models
import tf_iprune
from tf_iprune.export import exporter
from tf_iprune.legacy_keras import keras

datasets = pytest.importorskip("mlperf_tiny_models.datasets")


def _train(model, x, y, epochs, callbacks=()):
  model.compile(keras.optimizers.Adam(3e-3), "sparse_categorical_crossentropy",
                ["accuracy"])
  model.fit(x, y, epochs=epochs, batch_size=64, verbose=0,
            callbacks=list(callbacks))


@pytest.fixture(scope="module")
def har_model():
  keras.utils.set_random_seed(0)
  x, y = datasets.load("har", "train")
  model = mlperf_tiny_models.get_model("har_cnn")
  _train(model, x, y, epochs=5)
  return model, (x, y)


def _check(report):
  accuracy = report["accuracy"]
  assert accuracy["samples"] == len(datasets.load("har", "test")[1])
  assert accuracy["float"] > 0.75  # A real model, not chance (1/6).
  assert abs(accuracy["q15"] - accuracy["float"]) <= 0.01, accuracy
  assert report["total"]["saturated"] == 0


def test_dense_q15_accuracy_within_one_point(har_model, tmp_path):
  model, _ = har_model
  report = exporter.export_model(model, str(tmp_path / "dense"),
                                 dataset="har")
  _check(report)


def test_pruned_q15_accuracy_within_one_point(har_model, tmp_path):
  model, (x, y) = har_model
  pruned = tf_iprune.prune_low_intermittency(model, 0.5)
  _train(pruned, x, y, epochs=2,
         callbacks=[tfmot.sparsity.keras.UpdatePruningStep()])
  report = exporter.export_model(pruned, str(tmp_path / "pruned"),
                                 dataset="har")
  assert all(l["storage"] == "bsr" for l in report["layers"]
             if l["type"] in ("conv", "dense"))
  _check(report)
