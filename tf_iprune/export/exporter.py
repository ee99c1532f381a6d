"""The export pipeline: Keras -> ONNX -> runtime layers -> Q15 + BSR -> files.

`export_model(model, out_dir, ...)` writes into `out_dir`:

  model.onnx        the tf2onnx graph (checked by onnx.checker; onnxruntime
                    agrees with Keras on the test vectors);
  model.bin         the binary image for the host runtime
                    (docs/model_format.md);
  model.h, model.c  the same model as C constants for the MSP430 build
                    (identifier `model`, with the first test input);
  test_vectors.bin  quantised test inputs, the reference's expected outputs
                    and labels;
  report.json       per layer: type, shapes, T_m, T_n, non-zero blocks,
                    bytes, scale, saturation, predicted accelerator outputs
                    (tf_iprune.hardware on the exported blocks); totals;
                    calibration and accuracy (float vs Q15).

The graph is lowered and tile-planned before any data is loaded, so an
unsupported model fails fast. Every output appears at once: the files are
written into a temporary folder beside `out_dir`, which then replaces
`out_dir`; a failed export leaves `out_dir` as it was. The same inputs give
byte-identical files.
"""
import json
import os
import shutil
import tempfile

from absl import logging
import numpy as np
import onnxruntime
import tqdm

from tf_iprune import io_utils
from tf_iprune.export import calibration as calibration_lib
from tf_iprune.export import keras_to_onnx
from tf_iprune.export import lowering
from tf_iprune.export import model_format
from tf_iprune.export import quantize
from tf_iprune.export import reference
from tf_iprune.export import report as report_lib
from tf_iprune.hardware import target as target_lib
from tf_iprune.hardware import tiling

ONNX_FILE = "model.onnx"
BIN_FILE = "model.bin"
C_NAME = "model"
VECTORS_FILE = "test_vectors.bin"
REPORT_FILE = "report.json"
OUTPUT_FILES = (ONNX_FILE, BIN_FILE, C_NAME + ".h", C_NAME + ".c",
                VECTORS_FILE, REPORT_FILE)
# Calibration data for a model without a data set: seeded N(0, 1) inputs.
RANDOM_DATASET = "random"
# Metrics file that scripts/train.py (and the pruning script) save beside a
# model; its 'dataset' entry is the model's data set.
METRICS_FILE = "metrics.json"
# onnxruntime vs Keras: float32 results of the same graph.
ONNX_RTOL, ONNX_ATOL = 1e-4, 1e-5


def _zoo_dataset(model_name):
  import mlperf_tiny_models  # pylint: disable=g-import-not-at-top
  if model_name in mlperf_tiny_models.list_models():
    return mlperf_tiny_models.get_model_info(model_name).dataset
  return None


def default_dataset(model, model_path=None):
  """The data set recorded with a saved model, else the zoo model's."""
  if model_path:
    metrics = os.path.join(os.path.dirname(os.path.abspath(model_path)),
                           METRICS_FILE)
    if os.path.isfile(metrics):
      with open(metrics) as f:
        dataset = json.load(f).get("dataset")
      if dataset:
        return dataset
  return _zoo_dataset(model.name)


def load_split(dataset, split, data_dir, input_shape, samples=None, seed=0):
  """(x float, y int or None) of a data set split, seeded subsample.

  Args:
    dataset: A name of mlperf_tiny_models.datasets, or 'random'.
    split: 'train', 'val' or 'test'.
    data_dir: Local copy of the real data set, None for the embedded one.
    input_shape: The model's input shape (checked against the data).
    samples: Keep this many samples (seeded choice, original order), or all.
    seed: Seed of the subsample (and of 'random' data).
  """
  rng = np.random.default_rng(seed)
  if dataset == RANDOM_DATASET:
    n = samples or 512
    return rng.standard_normal((n,) + tuple(input_shape)), None
  from mlperf_tiny_models import datasets  # pylint: disable=g-import-not-at-top
  x, y = datasets.load(dataset, split, data_dir)
  if tuple(x.shape[1:]) != tuple(input_shape):
    raise ValueError("Data set %r has inputs of shape %s but the model takes "
                     "%s." % (dataset, tuple(x.shape[1:]), tuple(input_shape)))
  if samples is not None and samples < len(x):
    keep = np.sort(rng.choice(len(x), samples, replace=False))
    x, y = x[keep], y[keep]
  return x, y


def _check_out_dir(out_dir):
  if os.path.isdir(out_dir):
    foreign = sorted(set(os.listdir(out_dir)) - set(OUTPUT_FILES))
    if foreign:
      raise ValueError(
          "Output folder %r holds files that are not export outputs (%s); "
          "choose a new or empty folder (an export replaces the folder)." %
          (out_dir, ", ".join(foreign)))
  elif os.path.exists(out_dir):
    raise ValueError("Output path %r exists and is not a folder." % out_dir)


def _publish(tmp_dir, out_dir):
  """Moves the finished temporary folder to out_dir (replacing it)."""
  if os.path.isdir(out_dir):
    old = tmp_dir + ".old"
    os.rename(out_dir, old)
    os.rename(tmp_dir, out_dir)
    shutil.rmtree(old)
  else:
    os.rename(tmp_dir, out_dir)


def _check_onnx(proto, keras_model, x):
  """onnxruntime must reproduce Keras on `x` (float tolerance)."""
  session = onnxruntime.InferenceSession(
      proto.SerializeToString(), providers=["CPUExecutionProvider"])
  feed = {session.get_inputs()[0].name: x.astype(np.float32)}
  got = session.run(None, feed)[0]
  want = keras_model.predict(x.astype(np.float32), verbose=0)
  if got.shape != want.shape or not np.allclose(got, want, ONNX_RTOL,
                                                ONNX_ATOL):
    raise ValueError("Model %r: onnxruntime differs from Keras by up to %g; "
                     "the tf2onnx conversion is wrong." %
                     (keras_model.name, float(np.abs(got - want).max())))
  return float(np.abs(got - want).max())


def _accuracy(keras_model, qmodel, x, y, batch_size):
  """Float (Keras) and Q15 (reference) top-1 accuracy and agreement."""
  float_pred = keras_model.predict(x.astype(np.float32), verbose=0,
                                   batch_size=batch_size)
  float_pred = float_pred.reshape(len(x), -1).argmax(axis=1)
  xq, saturated = quantize.quantize_input(qmodel, x)
  batches = tqdm.tqdm(calibration_lib.batches(xq, batch_size),
                      total=-(-len(xq) // batch_size), desc="Q15 reference",
                      unit="batch", leave=False, disable=None)
  q_pred = np.concatenate([np.atleast_1d(reference.run(qmodel, b).argmax)
                           for b in batches])
  return {
      "samples": int(len(x)),
      "float": float(np.mean(float_pred == y)),
      "q15": float(np.mean(q_pred == y)),
      "agreement": float(np.mean(q_pred == float_pred)),
      "input_saturated": saturated,
  }


def lower_keras(model, plan=None, target=None, overrides=None, name=None):
  """Converts, lowers and tile-plans a Keras model (no data needed).

  Returns:
    (onnx.ModelProto, stripped Keras model, FloatModel, {name: TilePlan}).

  Raises:
    ValueError: naming what the runtime cannot execute or tile.
  """
  target = target or target_lib.Target.msp430fr5994()
  proto, keras_model = keras_to_onnx.convert(model)
  float_model = lowering.lower(proto, keras_to_onnx.keras_layers(keras_model),
                               name or keras_model.name)
  keras_to_onnx.check(proto, float_model.name)
  plans = tiling.plan_model(float_model.specs, target, plan,
                            model_name=keras_model.name, overrides=overrides)
  return proto, keras_model, float_model, plans


def export_model(model, out_dir, dataset=None, calibration_split="val",
                 data_dir=None, plan=None, name=None,
                 calibration_samples=512, seed=0, eval_split="test",
                 eval_samples=None, num_vectors=4, target=None,
                 overrides=None, batch_size=128):
  """Exports a Keras model for msp430_runtime.

  Args:
    model: A tf_keras model or the path of a saved one (.keras / .h5);
      pruning wrappers are stripped.
    out_dir: Output folder (created or replaced; see module docstring).
    dataset: Calibration data: a data set of mlperf_tiny_models.datasets
      ('har', 'kws', ...) or 'random'. Default: the data set recorded with a
      saved model (metrics.json beside it), else the zoo model's.
    calibration_split: Split the calibration samples come from.
    data_dir: Local copy of the real data set (None: the embedded one).
    plan: Tile plan, 'auto' or 'reference' (tf_iprune.hardware.tiling);
      None: `tiling.default_plan` of the model's name, as the pruner does.
    name: Model name in model.bin / model.c; default the Keras model's.
    calibration_samples: Seeded subset size of the calibration split.
    seed: Seed of the calibration subset.
    eval_split: Split on which float and Q15 accuracy are measured and test
      vectors taken ('' or None: none; then test vectors come from the
      calibration set).
    eval_samples: Evaluate on a seeded subset of this size (None: all).
    num_vectors: Test vectors to write (>= 1).
    target: tf_iprune.hardware Target; default MSP430FR5994.
    overrides: Tile overrides {layer name: (tile_m, tile_n)}.
    batch_size: Samples per batch in calibration and evaluation.

  Returns:
    The report (also written as report.json).

  Raises:
    ValueError: for a model the runtime cannot run (naming the ONNX node, op
      type and Keras layer), NaN/Inf weights, no fixed input shape, a layer
      whose tiles do not fit the LEA buffer, missing calibration data or an
      unusable out_dir.
  """
  model_path = None
  if isinstance(model, str):
    model_path = model
    model = io_utils.load_model(model_path)
  if num_vectors < 1:
    raise ValueError("num_vectors must be at least 1, got %d." % num_vectors)
  target = target or target_lib.Target.msp430fr5994()
  _check_out_dir(out_dir)
  proto, keras_model, float_model, plans = lower_keras(
      model, plan, target, overrides, name)
  dataset = dataset or default_dataset(keras_model, model_path)
  if not dataset:
    raise ValueError(
        "Model %r has no recorded data set: pass dataset= (--dataset) with "
        "one of mlperf_tiny_models.datasets or %r." %
        (keras_model.name, RANDOM_DATASET))
  logging.info("Lowered %r to %d runtime layers; calibrating on %s/%s.",
               float_model.name, len(float_model.layers), dataset,
               calibration_split)
  shape = float_model.keras_input_shape
  x_cal, _ = load_split(dataset, calibration_split, data_dir, shape,
                        calibration_samples, seed)
  cal = calibration_lib.calibrate(float_model, plans, x_cal, target,
                                  batch_size)
  qmodel = cal.qmodel
  accuracy = None
  if eval_split and dataset != RANDOM_DATASET:
    x_vec, y_vec = load_split(dataset, eval_split, data_dir, shape,
                              eval_samples, seed)
    accuracy = _accuracy(keras_model, qmodel, x_vec, y_vec, batch_size)
    accuracy["split"] = eval_split
    logging.info("Accuracy on %s/%s: float %.4f, Q15 %.4f.", dataset,
                 eval_split, accuracy["float"], accuracy["q15"])
  else:
    x_vec, y_vec = x_cal, None
  x_vec = x_vec[:num_vectors]
  onnx_error = _check_onnx(proto, keras_model, x_vec)
  xq, _ = quantize.quantize_input(qmodel, x_vec)
  expected = reference.run(qmodel, xq).output.reshape(len(xq), -1)
  labels = None if y_vec is None else np.asarray(y_vec[:num_vectors],
                                                 np.int32)
  report = report_lib.build(qmodel, cal.saturated, extra={
      "calibration": {"dataset": dataset, "split": calibration_split,
                      "samples": cal.samples, "seed": seed,
                      "rounds": cal.rounds},
      "accuracy": accuracy,
      "plan": plan or tiling.default_plan(keras_model.name),
      "onnx": {"opset": keras_to_onnx.OPSET, "nodes": len(proto.graph.node),
               "max_abs_error_vs_keras": onnx_error},
      "format_version": model_format.VERSION,
      "test_vectors": len(xq),
  })
  parent = os.path.dirname(os.path.abspath(out_dir))
  os.makedirs(parent, exist_ok=True)
  tmp_dir = tempfile.mkdtemp(dir=parent, prefix="." + os.path.basename(
      os.path.abspath(out_dir)) + ".tmp-")
  try:
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp_dir, 0o777 & ~umask)
    with open(os.path.join(tmp_dir, ONNX_FILE), "wb") as f:
      f.write(proto.SerializeToString(deterministic=True))
    model_format.write_bin(qmodel, os.path.join(tmp_dir, BIN_FILE))
    model_format.write_c(qmodel, tmp_dir, C_NAME, test_input=xq[0])
    model_format.write_vectors(
        os.path.join(tmp_dir, VECTORS_FILE), xq.reshape(len(xq), -1),
        expected, labels, qmodel.input.exponent, qmodel.output.exponent)
    report["total"]["model_bin_bytes"] = os.path.getsize(
        os.path.join(tmp_dir, BIN_FILE))
    if report["total"]["model_bin_bytes"] > target.nvm_bytes:
      logging.warning("model.bin (%d B) is larger than the target's NVM "
                      "(%d B).", report["total"]["model_bin_bytes"],
                      target.nvm_bytes)
    io_utils.write_json(os.path.join(tmp_dir, REPORT_FILE), report)
    _publish(tmp_dir, out_dir)
  finally:
    if os.path.isdir(tmp_dir):
      shutil.rmtree(tmp_dir)
  logging.info("Exported %r to %s.", qmodel.name, out_dir)
  return report
