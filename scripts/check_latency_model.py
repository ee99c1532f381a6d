r"""Compares the simulator's latency with the analytic latency model.

For each zoo model (exported with untrained weights and seeded random
calibration, dense and with half of its blocks pruned) it runs the host
simulator on one test vector under harvested power and prints the relative
difference to `tf_iprune.hardware.profile_model`, with both power-cycle
counts. With --back_to_back it compares the mean of --repeat inferences run
back to back (each starting with the energy the one before left) with the
model's steady state. docs/runtime.md quotes its output.

Example:
  python scripts/check_latency_model.py --models=har_cnn,sqn --power=4mW
  python scripts/check_latency_model.py --back_to_back
"""
import tempfile

from absl import app
from absl import flags
import numpy as np

from tf_iprune.runtime import evaluation
from tf_iprune.runtime import simulator
from tf_iprune.runtime import testing

FLAGS = flags.FLAGS
flags.DEFINE_list("models", list(testing.ZOO_MODELS), "Zoo models.")
flags.DEFINE_list("power", ["8mW", "4mW"], "Harvested power strengths.")
flags.DEFINE_bool("back_to_back", False, "Inferences back to back.")
flags.DEFINE_integer("repeat", 8, "Inferences averaged with --back_to_back.",
                     lower_bound=1)
flags.DEFINE_string("cache_dir", None, "Where exported cases are kept "
                    "(default: a new temporary folder).")


def main(argv):
  del argv
  binary = simulator.build()
  cache = FLAGS.cache_dir or tempfile.mkdtemp(prefix="latency_check_")
  print("| model | %s |" % " | ".join(FLAGS.power))
  print("|---|%s" % ("---|" * len(FLAGS.power)))
  for name in FLAGS.models:
    for pruned in (False, True):
      case = testing.zoo_case(name, cache, pruned)
      cells = []
      for power in FLAGS.power:
        runs = simulator.run(
            case.model_bin, case.inputs[:1], power=power, simulator=binary,
            repeat=FLAGS.repeat if FLAGS.back_to_back else 1,
            back_to_back=FLAGS.back_to_back)
        latency, cycles = (float(np.mean([r[key] for r in runs]))
                           for key in ("latency_s", "power_cycles"))
        model = evaluation.predict(case.qmodel, power,
                                   FLAGS.back_to_back)["total"]
        cells.append("%+.1f %% (%.4g / %.4g cycles)" % (
            100 * (latency / model["latency_s"] - 1), cycles,
            model["power_cycles"]))
      print("| %s %s | %s |" % (name, "pruned" if pruned else "dense",
                                 " | ".join(cells)), flush=True)


if __name__ == "__main__":
  app.run(main)
