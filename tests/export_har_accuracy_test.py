"""Q15 accuracy of har_cnn on the embedded HAR test split, dense and pruned.

The exported model, executed by the bit-exact reference, must be within one
percentage point of the float Keras model (the issue's acceptance test). The
model is trained for a few epochs here (about 10 s); the pruned variant
drops the lowest-RMS half of the weight blocks of every layer and is
fine-tuned with the pruned blocks held at zero.
"""
import numpy as np
import pytest

import mlperf_tiny_models
from tf_iprune.export import exporter
from tf_iprune.hardware import blocks as blocks_lib
from tf_iprune.hardware import layer_spec
from tf_iprune.hardware import tiling
from tf_iprune.legacy_keras import keras

datasets = pytest.importorskip("mlperf_tiny_models.datasets")


def _train(model, x, y, epochs, callbacks=()):
  model.compile(keras.optimizers.Adam(3e-3), "sparse_categorical_crossentropy",
                ["accuracy"])
  model.fit(x, y, epochs=epochs, batch_size=64, verbose=0,
            callbacks=list(callbacks))


class _HoldMasks(keras.callbacks.Callback):
  """Keeps pruned weights at zero while fine-tuning."""

  def __init__(self, masks):
    super().__init__()
    self.masks = masks

  def on_train_batch_end(self, batch, logs=None):
    for layer, mask in self.masks:
      layer.kernel.assign(layer.kernel * mask)


def _prune_lowest_blocks(model, fraction):
  specs = layer_spec.specs_from_keras(model)
  plans = tiling.plan_model(specs)
  masks = []
  for spec in specs:
    if not spec.prunable:
      continue
    layer = model.get_layer(spec.name)
    grid = blocks_lib.BlockGrid(spec, plans[spec.name])
    rms = grid.block_rms(layer.kernel.numpy())
    keep = rms > np.quantile(rms, fraction)
    mask = grid.weight_mask(keep)
    layer.kernel.assign(layer.kernel * mask)
    masks.append((layer, mask))
  return masks


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
  pruned = keras.models.clone_model(model)
  pruned.set_weights(model.get_weights())
  masks = _prune_lowest_blocks(pruned, 0.5)
  _train(pruned, x, y, epochs=2, callbacks=[_HoldMasks(masks)])
  report = exporter.export_model(pruned, str(tmp_path / "pruned"),
                                 dataset="har")
  assert all(l["storage"] == "bsr" for l in report["layers"]
             if l["type"] in ("conv", "dense"))
  _check(report)
