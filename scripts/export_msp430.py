r"""Exports a Keras model to msp430_runtime: ONNX, Q15 + BSR, C and model.bin.

Converts the model with tf2onnx (model.onnx), lowers the ONNX graph to the
runtime's layers, quantises it to Q15 with power-of-two scales calibrated on
a seeded subset of --calibration_split, stores sparse layers as BSR in the
blocks of the tile plan and writes model.bin, model.h / model.c, test
vectors and report.json (docs/export.md). Also callable as
`tf_iprune.export.export_model`.

Examples:
  python scripts/export_msp430.py --model_path=runs/har_cnn/model.keras \
      --out_dir=export/har_cnn
  python scripts/export_msp430.py --model_path=pruned/model.keras \
      --out_dir=export/har_pruned --dataset=har --plan=reference
"""
import sys

from absl import app
from absl import flags

from tf_iprune import export
from tf_iprune.export import exporter
from tf_iprune.hardware import tiling

_MODEL_PATH = flags.DEFINE_string(
    "model_path", None, "Saved Keras model (.keras / .h5), pruned or not.")
_OUT_DIR = flags.DEFINE_string(
    "out_dir", None, "Output folder: created, or replaced if it holds only a "
    "previous export.")
_DATASET = flags.DEFINE_string(
    "dataset", None, "Calibration data: a data set of "
    "mlperf_tiny_models.datasets (har, kws, cifar10, vww) or 'random'. "
    "Default: the data set recorded with the model (metrics.json beside it) "
    "or the zoo model's.")
_CALIBRATION_SPLIT = flags.DEFINE_enum(
    "calibration_split", "val", ["train", "val", "test"],
    "Split the calibration samples come from.")
_CALIBRATION_SAMPLES = flags.DEFINE_integer(
    "calibration_samples", 512, "Seeded subset size for calibration.",
    lower_bound=1)
_DATA_DIR = flags.DEFINE_string(
    "data_dir", None, "Local copy of the real data set; default: the "
    "embedded data.")
_PLAN = flags.DEFINE_enum(
    "plan", None, tiling.PLANS, "Tile plan; default: the one the pruner uses "
    "(reference for har_cnn, cks_cnn and sqn, auto otherwise).")
_NAME = flags.DEFINE_string(
    "name", None, "Model name in model.bin and model.c; default: the Keras "
    "model's name.")
_EVAL_SPLIT = flags.DEFINE_string(
    "eval_split", "test", "Split on which float and Q15 accuracy are "
    "measured ('' to skip).")
_EVAL_SAMPLES = flags.DEFINE_integer(
    "eval_samples", None, "Evaluate on a seeded subset of this size; "
    "default: the whole split.", lower_bound=1)
_NUM_VECTORS = flags.DEFINE_integer(
    "num_vectors", 4, "Test vectors to write.", lower_bound=1)
_SEED = flags.DEFINE_integer("seed", 0, "Seed of the data subsets.")


def main(argv):
  if len(argv) > 1:
    raise app.UsageError("Unexpected arguments: %s" % " ".join(argv[1:]))
  try:
    report = export.export_model(
        _MODEL_PATH.value, _OUT_DIR.value, dataset=_DATASET.value,
        calibration_split=_CALIBRATION_SPLIT.value,
        data_dir=_DATA_DIR.value, plan=_PLAN.value, name=_NAME.value,
        calibration_samples=_CALIBRATION_SAMPLES.value, seed=_SEED.value,
        eval_split=_EVAL_SPLIT.value or None,
        eval_samples=_EVAL_SAMPLES.value, num_vectors=_NUM_VECTORS.value)
  except (ValueError, OSError) as e:
    print("error: %s" % e, file=sys.stderr)
    return 1
  total = report["total"]
  print("%s -> %s: %d layers, %d accelerator outputs, %d B of weights "
        "(%d B in BSR), model.bin %d B" % (
            report["model"], _OUT_DIR.value, len(report["layers"]),
            total["acc_outputs"], total["bytes"], total["bsr_bytes"],
            total["model_bin_bytes"]))
  accuracy = report["accuracy"]
  if accuracy:
    print("accuracy on %s (%d samples): float %.4f, Q15 %.4f" % (
        accuracy["split"], accuracy["samples"], accuracy["float"],
        accuracy["q15"]))
  print("files: %s" % ", ".join(exporter.OUTPUT_FILES))
  return 0


if __name__ == "__main__":
  flags.mark_flags_as_required(["model_path", "out_dir"])
  app.run(main)
