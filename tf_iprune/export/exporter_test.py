"""Tests of the export pipeline: files, BSR, determinism, atomicity, errors."""
import dataclasses
import json
import os

import numpy as np
import onnx
import pytest

from tf_iprune.export import exporter
from tf_iprune.export import keras_to_onnx_test
from tf_iprune.export import model_format
from tf_iprune.export import quantize
from tf_iprune.export import reference
from tf_iprune.export import testing
from tf_iprune.hardware import criterion
from tf_iprune.hardware import target as target_lib
from tf_iprune.legacy_keras import keras

layers = keras.layers


def _model(name="tiny"):
  x = inputs = keras.Input((6, 6, 3))
  x = layers.Conv2D(8, 3, padding="same", name="conv1")(x)
  x = layers.BatchNormalization(name="bn1")(x)
  x = layers.ReLU(name="relu1")(x)
  x = layers.MaxPooling2D(name="pool")(x)
  x = layers.Conv2D(12, 3, padding="same", activation="relu", name="conv2")(x)
  x = layers.Flatten(name="flat")(x)
  x = layers.Dense(5, name="fc")(x)
  x = layers.Softmax(name="softmax")(x)
  return keras_to_onnx_test.randomize(keras.Model(inputs, x, name=name))


def _export(model, out_dir, **kwargs):
  kwargs.setdefault("dataset", "random")
  kwargs.setdefault("calibration_samples", 32)
  return exporter.export_model(model, str(out_dir), **kwargs)


def test_export_writes_consistent_files(tmp_path):
  out = tmp_path / "out"
  report = _export(_model(), out, num_vectors=3)
  assert sorted(os.listdir(out)) == sorted(exporter.OUTPUT_FILES)
  onnx.checker.check_model(onnx.load(str(out / exporter.ONNX_FILE)))
  qmodel = model_format.read_bin(str(out / exporter.BIN_FILE))
  assert [l.name for l in qmodel.layers] == [
      "conv1", "pool", "conv2", "fc"]
  assert qmodel.name == "tiny"
  vectors = model_format.read_vectors(str(out / exporter.VECTORS_FILE))
  assert len(vectors.inputs) == 3 == report["test_vectors"]
  x = vectors.inputs.reshape((3,) + tuple(qmodel.input.shape))
  expected = reference.run(qmodel, x).output.reshape(3, -1)
  np.testing.assert_array_equal(vectors.expected, expected)
  with open(out / exporter.REPORT_FILE) as f:
    assert json.load(f) == report
  assert report["calibration"] == {"dataset": "random", "split": "val",
                                   "samples": 32, "seed": 0,
                                   "rounds": report["calibration"]["rounds"]}
  assert report["accuracy"] is None  # Random data has no labels.
  assert report["total"]["model_bin_bytes"] == os.path.getsize(
      out / exporter.BIN_FILE)
  c_source = (out / "model.c").read_text()
  assert "const iprune_model_t model" in c_source
  assert "model_test_input" in c_source


def test_bsr_layers_expand_to_the_dense_weights(tmp_path):
  model = testing.prune_random_blocks(_model())
  report = _export(model, tmp_path / "out")
  qmodel = model_format.read_bin(str(tmp_path / "out" / exporter.BIN_FILE))
  float_model = exporter.lower_keras(model)[2]
  kernels = float_model.kernels()
  bsr = 0
  for layer, row in zip(qmodel.layers, report["layers"]):
    if not layer.spec.prunable:
      continue
    kernel = quantize.kernel_from_blocks(layer.grid, layer.blocks)
    real = quantize.dequantize(kernel, layer.weight_exponent)
    float_kernel = kernels[layer.name]
    assert np.abs(real - float_kernel).max() <= 2.0**(
        layer.weight_exponent - 1)
    np.testing.assert_array_equal(kernel[float_kernel == 0], 0)
    np.testing.assert_array_equal(
        layer.nonzero, layer.grid.nonzero_blocks(float_kernel))
    assert row["storage"] == ("bsr" if layer.is_bsr else "dense")
    assert row["acc_outputs"] == criterion.accelerator_outputs(
        layer.spec, layer.plan, layer.nonzero)
    bsr += layer.is_bsr
  assert bsr >= 2


def test_same_model_gives_byte_identical_files(tmp_path):
  model = testing.prune_random_blocks(_model())
  _export(model, tmp_path / "a")
  _export(model, tmp_path / "b")
  for name in exporter.OUTPUT_FILES:
    assert (tmp_path / "a" / name).read_bytes() == (
        tmp_path / "b" / name).read_bytes(), name


def test_saved_model_uses_its_recorded_dataset(tmp_path):
  model = _model()
  path = str(tmp_path / "model.keras")
  model.save(path)
  with open(tmp_path / exporter.METRICS_FILE, "w") as f:
    json.dump({"dataset": "random"}, f)
  report = exporter.export_model(path, str(tmp_path / "out"),
                                 calibration_samples=8)
  assert report["calibration"]["dataset"] == "random"
  assert exporter.default_dataset(model, path) == "random"


def test_failed_export_leaves_nothing_behind(tmp_path, monkeypatch):
  out = tmp_path / "out"
  _export(_model(), out)
  before = {n: (out / n).read_bytes() for n in os.listdir(out)}

  def broken(*args, **kwargs):
    raise OSError("disk full")
  monkeypatch.setattr(model_format, "write_vectors", broken)
  with pytest.raises(OSError, match="disk full"):
    _export(_model("other"), out)
  assert {n: (out / n).read_bytes() for n in os.listdir(out)} == before
  with pytest.raises(OSError, match="disk full"):
    _export(_model(), tmp_path / "new")
  assert sorted(os.listdir(tmp_path)) == ["out"]  # No temporary folders.


def test_refuses_an_out_dir_with_other_files(tmp_path):
  (tmp_path / "notes.txt").write_text("mine")
  with pytest.raises(ValueError, match=r"holds files that are not export "
                     r"outputs \(notes.txt\)"):
    _export(_model(), tmp_path)
  assert (tmp_path / "notes.txt").read_text() == "mine"


def test_unsupported_model_fails_before_any_data_is_loaded(tmp_path,
                                                           monkeypatch):
  def no_data(*args, **kwargs):
    raise AssertionError("data was loaded")
  monkeypatch.setattr(exporter, "load_split", no_data)
  inputs = keras.Input((4,))
  model = keras.Model(inputs, layers.Dense(2, activation="sigmoid",
                                           name="fc")(inputs), name="sig")
  with pytest.raises(ValueError, match=r"op Sigmoid, from Keras layer 'fc'"):
    _export(model, tmp_path / "out", dataset="har")
  assert not os.path.exists(tmp_path / "out")


def test_layer_whose_tiles_cannot_fit_is_refused(tmp_path):
  target = dataclasses.replace(target_lib.Target.msp430fr5994(),
                               lea_buffer_words=10)
  with pytest.raises(ValueError, match=r"Layer 'conv1'.*fits the LEA buffer "
                     r"of 10 words"):
    _export(_model(), tmp_path / "out", target=target)


def test_nan_weights_and_missing_input_shape_are_refused(tmp_path):
  model = _model()
  bias = model.get_layer("fc").bias
  bias.assign(np.full(bias.shape, np.inf, np.float32))
  with pytest.raises(ValueError, match="'fc/bias.*NaN or Inf"):
    _export(model, tmp_path / "a")
  inputs = keras.Input((None, 3))
  free = keras.Model(inputs, layers.Dense(2)(inputs), name="free")
  with pytest.raises(ValueError, match="'free' has no fixed input shape"):
    _export(free, tmp_path / "b")


def test_model_without_a_dataset_needs_one(tmp_path):
  with pytest.raises(ValueError, match=r"'tiny' has no recorded data set: "
                     r"pass dataset="):
    exporter.export_model(_model(), str(tmp_path / "out"))
