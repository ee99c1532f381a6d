r"""Prints what a model costs on the intermittently powered MSP430 target.

Per layer: type, output shape, weights, non-zero weights, MACs, tile_m,
tile_n, accelerator outputs, energy (continuous power, conventional engine),
and estimated intermittent latency; then totals.

Examples:
  python scripts/profile_model.py --model=har_cnn --plan=reference
  python scripts/profile_model.py --model_path=out/model.keras --power=4mW \
      --back_to_back --json
  python scripts/profile_model.py --model=har_cnn \
      --model_path=runs/x/har_cnn/intermittent/pruning/iter_001/model.keras \
      --empty_blocks
"""
import json
import sys

from absl import app
from absl import flags
import numpy as np

import mlperf_tiny_models
from tf_iprune import hardware
from tf_iprune import io_utils

FLAGS = flags.FLAGS
flags.DEFINE_string("model", None, "Zoo model name (%s); with --model_path "
                    "it only names the architecture." %
                    ", ".join(mlperf_tiny_models.list_models()))
flags.DEFINE_string("model_path", None, "A saved Keras model (.keras/.h5); "
                    "zero weights count as pruned.")
flags.DEFINE_enum("plan", None, hardware.PLANS, "Tile plan; default: "
                  "reference for har_cnn, cks_cnn and sqn, auto otherwise.")
flags.DEFINE_enum("criterion", "full", hardware.CRITERIA,
                  "Accelerator-output formula: 'full' (our runtime) or "
                  "'reference' (the iPrune reference implementation's).")
flags.DEFINE_string("power", "continuous", "Harvested power: continuous, "
                    "8mW, 4mW or watts.")
flags.DEFINE_string("target", None, "Target description (JSON written by "
                    "Target.save); default: MSP430FR5994.")
flags.DEFINE_bool("back_to_back", False, "Latency: the mean of inferences "
                  "run back to back (each starts with the energy the one "
                  "before left), as scripts/benchmark.py measures; default: "
                  "one inference from a full energy buffer.")
flags.DEFINE_bool("json", False, "Print one JSON object instead of a table.")
flags.DEFINE_bool("empty_blocks", False, "Also give, per prunable layer, the "
                  "blocks (filter group, column of the layer's BlockGrid) "
                  "that hold only zeros: which accelerator operations a "
                  "pruned model removed, to compare two models.")

_COLUMNS = (("name", "%-22s"), ("kind", "%-9s"), ("output_shape", "%-13s"),
            ("weights", "%8s"), ("nonzero_weights", "%8s"), ("macs", "%9s"),
            ("tile_m", "%3s"), ("tile_n", "%4s"), ("acc_outputs", "%8s"),
            ("energy_j", "%9s"), ("latency_s", "%8s"))
_HEADERS = ("layer", "type", "output", "weights", "nonzero", "MACs", "Tm",
            "Tn", "acc.out", "energy", "latency")


def _cell(key, value):
  if key == "output_shape":
    return "x".join(str(v) for v in value)
  if key == "energy_j":
    return "%.3g J" % value
  if key == "latency_s":
    return "%.3f s" % value
  return str(value)


def format_table(result):
  lines = [" ".join(fmt % h for (_, fmt), h in zip(_COLUMNS, _HEADERS))]
  for row in result["layers"]:
    lines.append(" ".join(fmt % _cell(key, row[key]) for key, fmt in _COLUMNS))
  t = result["total"]
  lines.append(
      "total: %d params (%d non-zero weights), %d MACs, %d accelerator "
      "outputs, %d B in BSR, %.3g J (continuous), latency %.3f s at %s "
      "(%.4g power cycles)" % (t["params"], t["nonzero_weights"], t["macs"],
                             t["acc_outputs"], t["bsr_bytes"], t["energy_j"],
                             t["latency_s"], result["power"],
                             t["power_cycles"]))
  return "\n".join(lines)


def empty_blocks(model, target, plan, model_name):
  """{layer name: [[group, column], ...]} of the blocks holding only zeros."""
  specs = [s for s in hardware.specs_from_keras(model) if s.prunable]
  plans = hardware.plan_model(specs, target, plan, model_name)
  kernels = hardware.keras_kernels(model)
  return {s.name: np.argwhere(~hardware.BlockGrid(s, plans[s.name])
                              .nonzero_blocks(kernels[s.name])).tolist()
          for s in specs}


def format_empty_blocks(blocks):
  return "\n".join("empty blocks of %s (group, column): %s" % (
      name, " ".join("(%d, %d)" % tuple(b) for b in found) or "none")
                   for name, found in blocks.items())


def _power(value):
  try:
    return float(value)
  except ValueError:
    return value


def main(argv):
  del argv
  if not (FLAGS.model or FLAGS.model_path):
    raise app.UsageError("Give --model, --model_path or both (--model names "
                         "the zoo architecture for --plan=reference).")
  try:
    if FLAGS.model_path:
      model = io_utils.load_model(FLAGS.model_path)
    else:
      model = mlperf_tiny_models.get_model(FLAGS.model)
    target = (hardware.Target.load(FLAGS.target) if FLAGS.target
              else hardware.Target.msp430fr5994())
    result = hardware.profile_keras(model, target=target, plan=FLAGS.plan,
                                    model_name=FLAGS.model,
                                    criterion=FLAGS.criterion,
                                    power=_power(FLAGS.power),
                                    back_to_back=FLAGS.back_to_back)
    if FLAGS.empty_blocks:
      result["empty_blocks"] = empty_blocks(model, target, FLAGS.plan,
                                            FLAGS.model)
  except (ValueError, OSError) as e:
    print("error: %s" % e, file=sys.stderr)
    return 1
  if FLAGS.json:
    print(json.dumps(result, indent=1, sort_keys=True))
  else:
    print(format_table(result))
    if FLAGS.empty_blocks:
      print(format_empty_blocks(result["empty_blocks"]))
  return 0


if __name__ == "__main__":
  app.run(main)
