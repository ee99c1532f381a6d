r"""Simulates an exported model over a data split on the host simulator.

  python -m tf_iprune.runtime --model_bin=out/model.bin --dataset=har \
      --split=test --power=4mW --failures=energy --samples=200

Prints accuracy and latency statistics as JSON (and writes them to
--output if given).
"""
import json
import sys

from absl import app
from absl import flags

from tf_iprune import io_utils
from tf_iprune.runtime import evaluation
from tf_iprune.runtime import simulator

FLAGS = flags.FLAGS
flags.DEFINE_string("model_bin", None, "model.bin written by the exporter.")
flags.DEFINE_string("dataset", None, "Data set of mlperf_tiny_models.datasets "
                    "(har, kws, cifar10, vww) or 'random'.")
flags.DEFINE_string("split", "test", "Split: train, val or test.")
flags.DEFINE_string("data_dir", None, "Local copy of the real data set.")
flags.DEFINE_integer("samples", None, "Seeded subset size (default: all).")
flags.DEFINE_integer("seed", 0, "Seed of the subset.")
flags.DEFINE_string("power", "continuous", "Harvested power: continuous, "
                    "8mW, 4mW or a number with unit W / mW / uW.")
flags.DEFINE_string("failures", "energy", "energy, random:N:SEED, byte:K or "
                    "byte:K:STEP:COUNT.")
flags.DEFINE_integer("batch_size", 256, "Inputs per simulator process.")
flags.DEFINE_bool("back_to_back", False, "Run the inputs of a batch back to "
                  "back, each starting with the energy the one before left "
                  "(--failures=energy); default: each starts with a full "
                  "energy buffer.")
flags.DEFINE_string("output", None, "Write the report (JSON) here too.")
flags.mark_flags_as_required(["model_bin", "dataset"])


def main(argv):
  del argv
  try:
    report = evaluation.evaluate_split(
        FLAGS.model_bin, FLAGS.dataset, FLAGS.split, FLAGS.data_dir,
        FLAGS.samples, FLAGS.seed, power=FLAGS.power,
        failures=FLAGS.failures, batch_size=FLAGS.batch_size,
        back_to_back=FLAGS.back_to_back)
  except (ValueError, simulator.SimulatorError) as e:
    sys.exit("Error: %s" % e)
  report.pop("predictions")
  text = json.dumps(report, indent=2, sort_keys=True)
  print(text)
  if FLAGS.output:
    io_utils.write_text(FLAGS.output, text + "\n")


if __name__ == "__main__":
  app.run(main)
