"""Runs the benchmark: train, prune with each method, export, simulate.

For each model: train the zoo model on its data set once (the baseline every
method starts from), prune it with each method under the same settings and
fine-tuning budget (`tf_iprune.iprune`), export the chosen model
(`tf_iprune.export.export_model`, with the same tile plan the pruner used),
and run it on the host simulator of msp430_runtime: Q15 accuracy on the test
split under continuous power, and latency, power cycles and NVM traffic
under each power strength: by default the mean of inferences run back to
back, each starting with the energy the one before left in the buffer (the
paper's "average time to complete one inference"), not of inferences that
each start with a full buffer.

Every step writes its result atomically under `out_dir/MODEL/`, so a killed
run restarted with `resume=True` continues after the last finished step.
"""
import dataclasses
import json
import os
import time
from typing import Dict, Optional, Tuple

from absl import logging
import numpy as np

import mlperf_tiny_models
from mlperf_tiny_models import datasets
from mlperf_tiny_models import training
from tf_iprune import hardware
from tf_iprune import io_utils
from tf_iprune import provenance
from tf_iprune.export import exporter
from tf_iprune.hardware import tiling
from tf_iprune.pruning import iterative
from tf_iprune.runtime import evaluation
from tf_iprune.runtime import simulator

METHODS = ("unpruned", "magnitude", "energy", "intermittent")
# Fine-tuning epochs per pruning iteration, the same for every method: about
# a minute or less of training per iteration on 2 cores (measured: an epoch
# takes 0.3 s for har_cnn, 6 s for cks_cnn and kws_dscnn, 24 s for sqn).
FINE_TUNE_EPOCHS = {"har_cnn": 30, "cks_cnn": 10, "kws_dscnn": 5, "sqn": 3}
DEFAULT_FINE_TUNE_EPOCHS = 5
POWERS = ("continuous", "8mW", "4mW")
RESULT_FILE = "result.json"
RESULTS_FILE = "results.json"  # A whole run's, in its out_dir.


@dataclasses.dataclass(frozen=True)
class BenchmarkConfig:
  """What to run, and how.

  Attributes:
    models: Zoo model names.
    methods: Pruning methods (iterative.METHODS).
    powers: Power strengths for the latency runs.
    data_dirs: {data set name: local copy of the real data}; others use the
      embedded data.
    datasets: {model: data set to train, prune and export it on instead of
      its own, with the same inputs and classes (e.g. har_cnn: "har_val7",
      a larger validation split)}.
    plan: Tile plan, 'auto' or 'reference'; None: the pruner's default
      (the reference implementation's tiles for the paper's models, 'auto'
      for the others).
    pretrain_epochs: Baseline training epochs (None: the model's recipe).
    q15_samples: Test samples simulated for the Q15 accuracy (None: all).
    latency_inputs: Test inputs simulated per power strength.
    back_to_back: Latency as the mean of the latency inputs run back to
      back (the steady state of a device that infers continuously); False:
      each starts with a full energy buffer.
    seed: Seed of everything.
    fine_tune_epochs: {model: epochs per pruning iteration}; models left
      out get FINE_TUNE_EPOCHS (else DEFAULT_FINE_TUNE_EPOCHS).
    pruning: Further PruningConfig fields (epsilon, upper_bound, ...), the
      same for every method.
    baselines_from: Output folder of an earlier run whose trained baselines
      (FOLDER/MODEL/baseline) to use instead of training, e.g. to prune the
      same models again with another seed.
  """
  models: Tuple[str, ...] = ("har_cnn", "cks_cnn", "kws_dscnn", "sqn")
  methods: Tuple[str, ...] = METHODS
  powers: Tuple[str, ...] = POWERS
  data_dirs: Dict[str, str] = dataclasses.field(default_factory=dict)
  datasets: Dict[str, str] = dataclasses.field(default_factory=dict)
  plan: Optional[str] = None
  pretrain_epochs: Optional[int] = None
  q15_samples: Optional[int] = None
  latency_inputs: int = 20
  back_to_back: bool = True
  seed: int = 0
  fine_tune_epochs: Dict[str, int] = dataclasses.field(default_factory=dict)
  pruning: Dict[str, object] = dataclasses.field(default_factory=dict)
  baselines_from: Optional[str] = None

  def __post_init__(self):
    zoo = mlperf_tiny_models.list_models()
    for name in self.models:
      if name not in zoo or not mlperf_tiny_models.get_model_info(
          name).dataset:
        raise ValueError("Model %r cannot be benchmarked: models with a data "
                         "set are %s." % (name, ", ".join(
                             m for m in zoo if mlperf_tiny_models
                             .get_model_info(m).dataset)))
    for method in self.methods:
      if method not in iterative.METHODS:
        raise ValueError("Unknown method %r; supported: %s." %
                         (method, ", ".join(iterative.METHODS)))
    if self.plan not in (None,) + tiling.PLANS:
      raise ValueError("Unknown plan %r; supported: %s." %
                       (self.plan, ", ".join(tiling.PLANS)))
    unknown = set(self.data_dirs) - set(datasets.NAMES)
    if unknown:
      raise ValueError("--data_dir names unknown data sets %s; supported: "
                       "%s." % (sorted(unknown), ", ".join(datasets.NAMES)))
    for name, dataset in self.datasets.items():
      if name not in self.models:
        raise ValueError("--dataset=%s=%s: %r is not a benchmarked model "
                         "(%s)." % (name, dataset, name,
                                    ", ".join(self.models)))
      training.dataset_for(name, dataset)
    if self.latency_inputs < 1:
      raise ValueError("latency_inputs must be at least 1.")
    for name, epochs in self.fine_tune_epochs.items():
      if name not in self.models or epochs < 1:
        raise ValueError("Fine-tuning epochs %s=%r: name a benchmarked "
                         "model and at least 1 epoch." % (name, epochs))

  def fine_tune_epochs_for(self, model_name):
    return self.fine_tune_epochs.get(
        model_name, FINE_TUNE_EPOCHS.get(model_name,
                                         DEFAULT_FINE_TUNE_EPOCHS))

  def dataset_for(self, model_name):
    return training.dataset_for(model_name, self.datasets.get(model_name))

  def plan_for(self, model_name):
    return self.plan or tiling.default_plan(model_name)


def data_dirs(pairs):
  """{data set name: path} from --data_dir entries NAME=PATH.

  Raises:
    ValueError: on an entry of another form.
  """
  return _name_value_pairs(pairs, "--data_dir", "NAME=PATH")


def model_datasets(pairs):
  """{model: data set} from --dataset entries MODEL=DATASET.

  Raises:
    ValueError: on an entry of another form.
  """
  return _name_value_pairs(pairs, "--dataset", "MODEL=DATASET")


def _name_value_pairs(pairs, flag, form):
  values = {}
  for pair in pairs:
    name, sep, value = pair.partition("=")
    if not sep or not value:
      raise ValueError("%s entries are %s, got %r." % (flag, form, pair))
    values[name] = value
  return values


def fine_tune_epochs(entries, models):
  """{model: epochs} from --fine_tune_epochs entries N or MODEL=N.

  N is a count or 'recipe': the model's whole training recipe, as the
  reference implementation fine-tunes every pruning iteration.

  Raises:
    ValueError: on an entry of another form, or 'recipe' for a model that
      is not benchmarked.
  """
  epochs = {}
  for entry in entries:
    name, sep, count = entry.rpartition("=")
    for model in ([name] if sep else models):
      epochs[model] = _epochs(count, model, models, entry)
  return epochs


def _epochs(count, model, models, entry):
  if count == "recipe":
    if model not in models:
      raise ValueError("--fine_tune_epochs=%s: %r is not a benchmarked "
                       "model (%s)." % (entry, model, ", ".join(models)))
    return mlperf_tiny_models.get_model_info(model).recipe.epochs
  try:
    return int(count)
  except ValueError:
    raise ValueError("--fine_tune_epochs entries are N or MODEL=N, N a count "
                     "or 'recipe'; got %r." % entry) from None


def _q15_accuracy(model_bin, data, config):
  """Accuracy of the exported model on the test split (continuous power)."""
  x, y = data["test"]
  if config.q15_samples is not None and config.q15_samples < len(y):
    index = np.random.default_rng(config.seed).permutation(len(y))
    index = np.sort(index[:config.q15_samples])
    x, y = x[index], y[index]
  return evaluation.evaluate(model_bin, x, y, simulator=simulator.build())


def _latency(model_bin, data, config):
  """Latency, power cycles and NVM traffic per power strength."""
  x = data["test"][0][:config.latency_inputs]
  binary = simulator.build()
  power = {}
  for strength in config.powers:
    run = evaluation.evaluate(model_bin, x, power=strength, simulator=binary,
                              progress=False,
                              back_to_back=config.back_to_back)
    power[strength] = {key: run[key]["mean"] for key in (
        "latency_s", "on_time_s", "charge_time_s", "power_cycles",
        "nvm_bytes_written", "nvm_bytes_read", "reexecuted_jobs",
        "energy_j")}
    power[strength].update(inputs=run["samples"],
                           back_to_back=config.back_to_back)
  return power


def pruning_path(folder, name, plan, config):
  """Every model a pruning run went through, with its latencies.

  The baseline (iteration 0) and each iteration of the run in
  `folder`/pruning: the model it pruned (`start_iteration`, None for the
  baseline) and its step's scale, accuracies and accelerator outputs as
  the run measured them, and the hardware model's latency per power strength
  (`hardware.profile_keras`, measured as `config.back_to_back` says), so
  methods can be compared at equal accuracy and not only where their
  loops stopped.
  """
  pruning = os.path.join(folder, "pruning")
  summary = iterative.read_summary(pruning)
  records = [dict(summary["baseline"], iteration=0, within_epsilon=True)]
  records += summary["iterations"]
  path = []
  for record in records:
    model = io_utils.load_model(iterative.model_path(pruning,
                                                     record["iteration"]))
    path.append({
        "iteration": record["iteration"],
        "start_iteration": record.get("start_iteration"),
        "step_scale": record.get("step_scale"),
        "within_epsilon": record["within_epsilon"],
        "chosen": record["iteration"] == summary["chosen"]["iteration"],
        "val_accuracy": record["val_accuracy"] / 100,
        "test_accuracy": record["test_accuracy"] / 100,
        "acc_outputs": record["acc_outputs"],
        "latency_s": {power: hardware.profile_keras(
            model, plan=plan, model_name=name, power=power,
            back_to_back=config.back_to_back)["total"]["latency_s"]
                      for power in config.powers}})
  return path


def run_method(name, method, model, data, config, out_dir,
               resimulate=False):
  """Prunes, exports and simulates one model with one method (resumable).

  A finished method is reused unless its result would change under the
  current pruning settings (`iterative.outdated_settings`): then its loop
  resumes (only a new `max_iterations` is accepted: a loop stopped by its
  cap continues) and the chosen model is exported and simulated again. With `resimulate`, a finished method's exported model is
  simulated again for its latencies (e.g. after a change to the simulator
  or to `config.latency_inputs` / `back_to_back`); nothing is pruned again.
  """
  folder = os.path.join(out_dir, method)
  result_path = os.path.join(folder, RESULT_FILE)
  model_bin = os.path.join(folder, "export", "model.bin")
  plan = config.plan_for(name)
  info = mlperf_tiny_models.get_model_info(name)
  # Fine-tune as the model was trained (as scripts/prune.py does).
  settings = dict(learning_rate=info.recipe.learning_rate,
                  learning_rate_steps=info.recipe.learning_rate_steps,
                  batch_size=info.recipe.batch_size, model_name=name,
                  plan=plan, seed=config.seed,
                  fine_tune_epochs=config.fine_tune_epochs_for(name))
  settings.update(config.pruning)
  outdated = _outdated_settings(folder, method, settings)
  if os.path.exists(result_path) and not outdated:
    result = io_utils.read_json(result_path)
    if resimulate:
      logging.info("%s / %s: simulating again", name, method)
      result["power"] = _latency(model_bin, data, config)
      result["path"] = pruning_path(folder, name, result["plan"], config)
      io_utils.write_json(result_path, result)
    return result
  if outdated:  # The pruner resumes a new cap and refuses other changes.
    logging.info("%s / %s: settings changed since it finished (%s); pruning "
                 "on", name, method, ", ".join(outdated))
  start = time.time()
  logging.info("%s / %s: pruning", name, method)
  pruned = iterative.iprune(
      model, data["train"], data["val"], data["test"], method=method,
      out_dir=os.path.join(folder, "pruning"), resume=True, **settings)
  chosen = pruned.summary["chosen"]
  logging.info("%s / %s: exporting", name, method)
  dataset = config.dataset_for(name)
  report = exporter.export_model(
      pruned.model, os.path.join(folder, "export"), dataset=dataset,
      data_dir=config.data_dirs.get(dataset), plan=plan, name=name,
      seed=config.seed, eval_split=None)
  logging.info("%s / %s: simulating", name, method)
  accuracy = _q15_accuracy(model_bin, data, config)
  power = _latency(model_bin, data, config)
  total = report["total"]
  reference = pruned.summary["reference"]
  result = {  # Accuracies as fractions (the pruner's summary has percent).
      "val_accuracy": chosen["val_accuracy"] / 100,
      "test_accuracy": chosen["test_accuracy"] / 100,
      # What the drops were measured against: the unpruned model fine-tuned
      # as every step is (itself for 'unpruned'); its test accuracy shows
      # what fine-tuning alone does (docs/benchmark_analysis.md).
      "reference": {"val_accuracy": reference["val_accuracy"] / 100,
                    "test_accuracy": reference["test_accuracy"] / 100},
      "test_accuracy_q15": accuracy["accuracy"],
      "q15_samples": accuracy["samples"],
      "params": total["params"],
      "nonzero_weights": total["nonzero_weights"],
      "macs": total["nonzero_macs"],
      "dense_macs": total["macs"],
      "acc_outputs": total["acc_outputs"],
      "bsr_bytes": total["bsr_bytes"],
      "energy_j": total["energy_j"],
      "iterations": len(pruned.summary["iterations"]),
      # Per layer; seconds: its work under continuous power (the hardware
      # model, which the simulator's counters equal exactly).
      "layers": [dict({key: layer[key] for key in (
          "name", "type", "weights", "nonzero_weights", "acc_outputs",
          "energy_j")}, seconds=layer["intermittent_s"])
                 for layer in report["layers"]],
      "ratios": chosen.get("ratios", {}),
      "power": power,
      "path": pruning_path(folder, name, plan, config),
      "plan": plan,
      "wall_s": round(time.time() - start, 1),
      # The code that finished the loop, exported and simulated the model.
      "code_version": provenance.code_version(),
  }
  io_utils.write_json(result_path, result)
  return result


def _outdated_settings(folder, method, settings):
  """Pruning settings under which the finished run in folder would end
  differently."""
  summary_path = os.path.join(folder, "pruning", iterative.SUMMARY_FILE)
  if method == "unpruned" or not os.path.exists(summary_path):
    return []
  return iterative.outdated_settings(
      io_utils.read_json(summary_path),
      iterative.PruningConfig(method=method, **settings).to_dict())


def trained_baseline_dir(folder, name):
  """FOLDER/MODEL/baseline of an earlier run, which must hold a trained model.

  Raises:
    ValueError: if its training did not finish there.
  """
  baseline_dir = os.path.join(folder, name, "baseline")
  if not os.path.exists(os.path.join(baseline_dir, training.METRICS_FILE)):
    raise ValueError("No trained %s baseline in %r (baselines_from needs "
                     "FOLDER/MODEL/baseline of a finished run)." %
                     (name, baseline_dir))
  return baseline_dir


def run_model(name, config, out_dir, resimulate=False):
  """Baseline plus every method of `config` for one model."""
  dataset = config.dataset_for(name)
  data_dir = config.data_dirs.get(dataset)
  data = {split: datasets.load(dataset, split, data_dir)
          for split in datasets.SPLITS}
  logging.info("%s: baseline", name)
  baseline_dir = (trained_baseline_dir(config.baselines_from, name)
                  if config.baselines_from
                  else os.path.join(out_dir, "baseline"))
  model, metrics = training.train_once(
      name, baseline_dir, data_dir, config.pretrain_epochs, config.seed,
      dataset=dataset)
  results = {"data": datasets.describe(dataset, data_dir),
             "data_fingerprint": datasets.fingerprint(data),
             "dataset": dataset,
             "baseline": {"val_accuracy": metrics["val_accuracy"],
                          "test_accuracy": metrics["test_accuracy"]}}
  for method in config.methods:
    results[method] = run_method(name, method, model, data, config, out_dir,
                                 resimulate)
  return results


def read_results(out_dir):
  """The results.json of a finished run in `out_dir`, its models in the
  run's order (the file's keys are sorted).

  Raises:
    ValueError: if there is none.
  """
  path = os.path.join(out_dir, RESULTS_FILE)
  if not os.path.exists(path):
    raise ValueError("%r has no %s: give the --out_dir of a finished "
                     "scripts/benchmark.py run." % (out_dir, RESULTS_FILE))
  results = io_utils.read_json(path)
  order = results.get("config", {}).get("models", [])
  results["models"] = dict(sorted(
      results["models"].items(),
      key=lambda item: order.index(item[0]) if item[0] in order else len(
          order)))
  return results


def run(config, out_dir, resume=False, resimulate=False):
  """Runs the benchmark; returns {'models': {name: results}}.

  Args:
    config: The BenchmarkConfig.
    out_dir: Output folder.
    resume: Continue the run in out_dir after its last finished step.
    resimulate: Also simulate the latencies of finished methods again
      (implies resume; see `run_method`).

  Raises:
    ValueError: if out_dir holds an earlier run and resume is False.
  """
  resume = resume or resimulate
  for name in config.models:
    folder = os.path.join(out_dir, name)
    if not resume and os.path.isdir(folder) and os.listdir(folder):
      raise ValueError("%r holds an earlier run; pass resume=True "
                       "(--resume) to continue it or choose another "
                       "out_dir." % folder)
  return {"models": {name: run_model(name, config,
                                     os.path.join(out_dir, name), resimulate)
                     for name in config.models},
          "config": json.loads(json.dumps(dataclasses.asdict(config)))}
