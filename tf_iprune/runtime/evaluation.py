"""Runs an exported model on the host simulator over a data split.

`evaluate(model_bin, x, y)` quantises float inputs with the model's input
exponent (`tf_iprune.export.quantize.quantize_input`), runs them through
iprune_sim in batches (one process per batch) under a power strength and
failure mode, and reports accuracy and latency statistics measured by the
simulator. `evaluate_split` loads the inputs from a data set split first.
"""
import numpy as np
import tqdm

from tf_iprune.export import exporter
from tf_iprune.export import model_format
from tf_iprune.export import quantize
from tf_iprune.export import report as report_lib
from tf_iprune.hardware import profile as profile_lib
from tf_iprune.runtime import simulator as simulator_lib

# Per-inference quantities summarised by `evaluate`.
STAT_KEYS = ("latency_s", "on_time_s", "charge_time_s", "energy_j",
             "power_cycles", "reexecuted_jobs", "acc_outputs",
             "nvm_bytes_written", "nvm_bytes_read", "lea_ops")


def predict(qmodel, power="continuous", back_to_back=False):
  """The hardware model's prediction for an exported model: the profile of
  its specs, tile plans and non-zero blocks (`profile.profile_model`), which
  the simulator's counters and latency are held against."""
  return profile_lib.profile_model(
      [l.spec for l in qmodel.layers], report_lib.quantised_kernels(qmodel),
      target=qmodel.target, plans={l.name: l.plan for l in qmodel.layers},
      power=power, back_to_back=back_to_back)


def summarize(values):
  """mean / std / min / median / p95 / max of a list of numbers."""
  v = np.asarray(values, np.float64)
  return {"mean": float(v.mean()), "std": float(v.std()),
          "min": float(v.min()), "median": float(np.median(v)),
          "p95": float(np.percentile(v, 95)), "max": float(v.max())}


def evaluate(model_bin, x, y=None, power="continuous", failures="energy",
             batch_size=256, simulator=None, progress=True,
             back_to_back=False):
  """Accuracy and latency of model.bin on float inputs, as simulated.

  Args:
    model_bin: Path of model.bin.
    x: Float inputs (N, ...) holding N samples of the model's input shape.
    y: Optional integer labels (N,) for the accuracy.
    power: Power strength name ('continuous', '8mW', '4mW') or watts.
    failures: Failure mode (see `simulator`).
    batch_size: Inputs per simulator process.
    simulator: Simulator binary; default: build it.
    progress: Show a progress bar.
    back_to_back: Run the inputs of a batch back to back, each starting with
      the energy the one before left (`simulator`): the steady state of a
      device that infers continuously. Default: each starts full.

  Returns:
    {'samples', 'accuracy' (None without labels), 'predictions' (list),
     'input_saturated', 'power', 'failures', and for each of STAT_KEYS a
     summary dict (summarize)}.

  Raises:
    ValueError: on inputs of the wrong shape or labels of the wrong length.
    SimulatorError: if the simulator refuses the model or cannot finish.
  """
  simulator_lib.check_failures(failures)
  if batch_size < 1:
    raise ValueError("batch_size must be positive, got %r." % (batch_size,))
  qmodel = model_format.read_bin(model_bin)
  x = np.asarray(x)
  if len(x) == 0 or x[0].size != int(np.prod(qmodel.input.shape)):
    raise ValueError("Model %r takes inputs of shape %s; got %d samples of "
                     "shape %s." % (qmodel.name, tuple(qmodel.input.shape),
                                    len(x), x.shape[1:]))
  if y is not None and len(y) != len(x):
    raise ValueError("Got %d labels for %d inputs." % (len(y), len(x)))
  xq, saturated = quantize.quantize_input(qmodel, x)
  binary = simulator or simulator_lib.build()
  results = []
  starts = range(0, len(xq), batch_size)
  for start in tqdm.tqdm(starts, desc="iprune_sim %s" % qmodel.name,
                         unit="batch", disable=not progress):
    results += simulator_lib.run(model_bin, xq[start:start + batch_size],
                                 power=power, failures=failures,
                                 simulator=binary, back_to_back=back_to_back)
  predictions = [r["argmax"] for r in results]
  report = {
      "model": qmodel.name,
      "samples": len(results),
      "power": power,
      "failures": failures,
      "back_to_back": back_to_back,
      "predictions": predictions,
      "accuracy": (None if y is None else
                   float(np.mean(np.asarray(predictions) == np.asarray(y)))),
      "input_saturated": saturated,
  }
  for key in STAT_KEYS:
    report[key] = summarize([r[key] for r in results])
  return report


def evaluate_split(model_bin, dataset, split="test", data_dir=None,
                   samples=None, seed=0, **kwargs):
  """`evaluate` on a split of a data set of mlperf_tiny_models.datasets.

  Args:
    model_bin: Path of model.bin.
    dataset: Data set name ('har', 'kws', 'cifar10', 'vww').
    split: 'train', 'val' or 'test'.
    data_dir: Local copy of the real data set (None: the embedded one).
    samples: Seeded subset of this size (None: the whole split).
    seed: Seed of the subset.
    **kwargs: Passed to `evaluate` (power, failures, batch_size, ...).
  """
  qmodel = model_format.read_bin(model_bin)
  x, y = exporter.load_split(dataset, split, data_dir, qmodel.input.shape,
                             samples, seed)
  report = evaluate(model_bin, x, y, **kwargs)
  report.update(dataset=dataset, split=split)
  return report
