r"""iPrune's speed-ups on the runtime as built and on an idealised one.

Reads a finished benchmark run (scripts/benchmark.py --out_dir) and, for the
model every method chose, estimates the latency with the hardware model
twice: as the runtime is built, and without the NVM reads of the operands
named in --free_reads (as a runtime that kept them in VM would). Prints a
markdown table of iPrune's speed-ups over the other methods in both cases.

Example:
  python scripts/what_if.py --out_dir=benchmarks --free_reads=input,weights
"""
import sys

from absl import app
from absl import flags

from tf_iprune import hardware
from tf_iprune.benchmark import what_if

FLAGS = flags.FLAGS
flags.DEFINE_string("out_dir", "benchmarks", "Output folder of a finished "
                    "scripts/benchmark.py run.")
flags.DEFINE_list("free_reads", ["input", "weights"], "Operands of "
                  "accelerator jobs whose NVM reads the idealised runtime "
                  "leaves out: %s." % ", ".join(hardware.READ_OPERANDS))
flags.DEFINE_string("power", "4mW", "Power strength: continuous, 8mW, 4mW.")


def main(argv):
  if len(argv) > 1:
    raise app.UsageError("Unexpected arguments: %s" % " ".join(argv[1:]))
  try:
    lat = what_if.latencies(FLAGS.out_dir, FLAGS.free_reads, FLAGS.power)
  except ValueError as e:
    sys.exit("Error: %s" % e)
  print(what_if.table(lat, FLAGS.free_reads, FLAGS.power))


if __name__ == "__main__":
  app.run(main)
