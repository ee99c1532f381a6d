"""Python interface to the host simulator of msp430_runtime (iprune_sim).

`build()` compiles the simulator with make (once; make is incremental),
`run(model_bin, inputs, power=..., failures=...)` executes model.bin on a
batch of int16 inputs in one simulator process and returns one result dict
per inference (the simulator's JSON, see docs/runtime.md).

Failure modes (docs/runtime.md, "Failure injection"):
  'energy'               power fails when the energy buffer is empty;
  'random:N:SEED'        N failures at random cycles of the run (seeded);
  'byte:K'               power fails while the K-th byte written to NVM is
                         written (that write is torn);
  'byte:K:STEP:COUNT'    COUNT such failures, every STEP bytes.
With `repeat=R` every input runs R times, run r with SEED + r / K + r.
With `back_to_back=True` the inferences of one call run back to back: each
starts with the energy the one before left in the buffer (the first after
an unreported warm-up inference), as on a device that infers continuously;
otherwise each starts with a full buffer.
"""
import fcntl
import json
import os
import re
import subprocess
import tempfile

import numpy as np

from tf_iprune.export import model_format

RUNTIME_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))), "msp430_runtime")
SIMULATOR = os.path.join(RUNTIME_DIR, "build", "iprune_sim")
_FAILURES = re.compile(r"^(energy|random:\d+:\d+|byte:[1-9]\d*(:[1-9]\d*:\d+)?)$")

# Exit codes of iprune_sim.
EXIT_MISMATCH, EXIT_BAD_INPUT, EXIT_CANNOT_FINISH = 1, 2, 3


class SimulatorError(RuntimeError):
  """iprune_sim refused its input or could not finish; `returncode` and
  `stderr` say why."""

  def __init__(self, message, returncode=None, stderr=""):
    super().__init__(message)
    self.returncode = returncode
    self.stderr = stderr


BINARIES = {"sim": SIMULATOR,
            "mutant": os.path.join(RUNTIME_DIR, "build", "iprune_sim_mutant")}


def build(quiet=True, target="sim"):
  """Builds msp430_runtime/build/iprune_sim if needed; returns its path.

  Concurrent callers (e.g. pytest-xdist workers) are serialised by a lock
  file, and make rebuilds only what changed.

  Args:
    quiet: Do not print make's output.
    target: 'sim', or 'mutant' for the simulator with a deliberate defect
      that the failure tests must detect (msp430_runtime/Makefile).
  """
  if target not in BINARIES:
    raise ValueError("Unknown simulator build %r; supported: %s." %
                     (target, ", ".join(BINARIES)))
  os.makedirs(os.path.join(RUNTIME_DIR, "build"), exist_ok=True)
  with open(os.path.join(RUNTIME_DIR, "build", ".lock"), "w") as lock:
    fcntl.flock(lock, fcntl.LOCK_EX)
    result = subprocess.run(["make", "-C", RUNTIME_DIR, target],
                            capture_output=True, text=True, check=False)
  if result.returncode != 0:
    raise SimulatorError("Building the simulator failed:\n%s%s" %
                         (result.stdout, result.stderr), result.returncode,
                         result.stderr)
  if not quiet:
    print(result.stdout, end="")
  return BINARIES[target]


def check_failures(failures):
  """Validates a failure-mode string; raises ValueError naming it."""
  if not isinstance(failures, str) or not _FAILURES.match(failures):
    raise ValueError(
        "Unknown failure mode %r; supported: 'energy', 'random:N:SEED', "
        "'byte:K' and 'byte:K:STEP:COUNT' (K, STEP >= 1)." % (failures,))
  return failures


def power_arg(power):
  """The --power argument for a strength name or a number of watts."""
  if isinstance(power, str):
    return power
  if isinstance(power, (int, float)) and power > 0 and np.isfinite(power):
    return "%.17gW" % power
  raise ValueError("Power must be a strength name ('4mW', 'continuous', ...) "
                   "or a positive number of watts, got %r." % (power,))


def run_vectors(model_bin, vectors_bin, power="continuous", failures="energy",
                repeat=1, layers=False, simulator=None, timeout=None,
                back_to_back=False):
  """Runs iprune_sim on a model.bin and a test-vector file.

  Args:
    model_bin: Path of model.bin.
    vectors_bin: Path of a test-vector file (model_format.write_vectors),
      or None for one all-zero input.
    power: Power strength name or watts.
    failures: Failure mode (see module docstring).
    repeat: Runs per input.
    layers: Include per-layer counters ('layers' in each result).
    simulator: Simulator binary; default: build() it.
    timeout: Seconds before the process is killed.
    back_to_back: Run the inferences back to back (failures='energy' only).

  Returns:
    A list of result dicts, input-major then run.

  Raises:
    SimulatorError: the simulator refused the files (exit 2) or could not
      finish (exit 3, e.g. power too weak), with its message.
  """
  check_failures(failures)
  if not isinstance(repeat, int) or repeat < 1:
    raise ValueError("repeat must be a positive integer, got %r." % (repeat,))
  if back_to_back and failures != "energy":
    raise ValueError("Back-to-back inferences need failures='energy', got "
                     "%r." % (failures,))
  cmd = [simulator or build(), "--model=%s" % model_bin, "--json",
         "--power=%s" % power_arg(power), "--failures=%s" % failures,
         "--repeat=%d" % repeat]
  if vectors_bin is not None:
    cmd.append("--input=%s" % vectors_bin)
  if layers:
    cmd.append("--layers")
  if back_to_back:
    cmd.append("--back_to_back")
  result = subprocess.run(cmd, capture_output=True, text=True, check=False,
                          timeout=timeout)
  if result.returncode not in (0, EXIT_MISMATCH):
    raise SimulatorError(result.stderr.strip() or "iprune_sim exited with %d"
                         % result.returncode, result.returncode,
                         result.stderr)
  return [json.loads(line) for line in result.stdout.splitlines() if line]


def run(model_bin, inputs=None, power="continuous", failures="energy",
        repeat=1, layers=False, expected=None, labels=None, simulator=None,
        timeout=None, back_to_back=False):
  """Runs model.bin on int16 inputs in one simulator process.

  Args:
    model_bin: Path of model.bin.
    inputs: int16 array, one input (H, W, C) or a batch (N, H, W, C); None
      for one all-zero input.
    power, failures, repeat, layers, simulator, timeout, back_to_back: As
      `run_vectors`.
    expected: Optional int16 expected outputs (N, ...): each result gets
      'expected_match'.
    labels: Optional integer labels (N,): each result gets 'label'.

  Returns:
    A list of result dicts (see `run_vectors`); 'output' is an int16 array.
  """
  if inputs is None:
    results = run_vectors(model_bin, None, power, failures, repeat, layers,
                          simulator, timeout, back_to_back)
  else:
    qmodel_input = _model_input(model_bin)
    x = np.asarray(inputs)
    shape = tuple(qmodel_input.shape)
    if x.dtype != np.int16:
      raise ValueError("Simulator inputs must be int16 (quantise with the "
                       "model's input exponent %d), got %s." %
                       (qmodel_input.exponent, x.dtype))
    if x.shape == shape:
      x = x[None]
    if x.shape[1:] != shape or len(x) == 0:
      raise ValueError("Model %s takes inputs of shape %s (or a batch of "
                       "them), got %s." % (model_bin, shape, x.shape))
    with tempfile.TemporaryDirectory(prefix="iprune_sim_") as tmp:
      path = os.path.join(tmp, "vectors.bin")
      model_format.write_vectors(
          path, x, None if expected is None else np.asarray(expected,
                                                            np.int16),
          labels, qmodel_input.exponent)
      results = run_vectors(model_bin, path, power, failures, repeat, layers,
                            simulator, timeout, back_to_back)
  for r in results:
    r["output"] = np.asarray(r["output"], np.int16)
  return results


def _model_input(model_bin):
  return model_format.read_bin(model_bin).input
