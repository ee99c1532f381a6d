"""The iterative estimate-prune-retrain loop, with checkpoints and resume.

Each iteration prunes the model left by an earlier one, normally the
previous one (`strategy`, or tfmot's magnitude pruning for the baseline),
and fine-tunes it. The loop
stops when the validation accuracy after fine-tuning has dropped more than
`epsilon` percentage points below the unpruned model's for the second time,
after `max_iterations`, or when nothing is left to prune. What follows the
first such drop (the "second chance") is `second_chance`:
  retry     (default) the next iteration starts again from the model the
            failed one started from (the last one within epsilon), with
            its step halved: upper_bound (or a fixed overall_ratio) for the
            strategy, magnitude_step for the magnitude baseline. A step that
            was too large for fine-tuning to recover from (a collapse, not
            a fluctuation) is retried smaller instead of built upon. Under
            the weight budget half the weights can still afford the blocks
            that made the step fail (a few costly blocks of small layers):
            the strategy's retry may also remove at most half the criterion
            cost the failed step removed (`retry_saving_cap`).
  continue  the next iteration prunes on from the failed model, as the
            paper describes, to permit a rally after a fluctuation; after a
            collapse there is nothing to rally from.
It returns the most compact model, the one with the fewest accelerator outputs
(then fewest non-zero weights, then earliest), among the unpruned model and
the iterations within epsilon. Only the validation split is used to decide;
the test split is only reported.

Methods (`method=`), all run by this loop with the same fine-tuning epochs
per iteration and chosen by the same rule:
  intermittent  iPrune: the three-step strategy with accelerator outputs.
  energy        ePrune: the same pipeline with the conventional-engine
                energy of each layer as the criterion.
  magnitude     tfmot's prune_low_magnitude with PolynomialDecay; iteration t
                raises the target sparsity to 1 - (1 - magnitude_step)^t
                (magnitude_step defaults to upper_bound / 2, the mean of the
                first guideline's ratios).
  unpruned      no pruning: the summary holds the baseline only.

Checkpoints. Under `out_dir` every finished step is a file written
atomically: baseline/{model.keras,metrics.json}, then per iteration
iter_NNN/sensitivity.json, allocation.json, model.keras and metrics.json. A
run restarted with resume=True skips the steps whose file exists; every
step starts from files only and seeds its randomness from (seed, iteration),
so a resumed run ends with the same result as an uninterrupted one. A
resumed run may raise (or lower) max_iterations: a run stopped by its cap
then continues as if it had had the new one from the start.
TensorBoard logs go to out_dir/logs (per-iteration scalars in
logs/pruning, fine-tuning curves and mask sparsity in logs/iter_NNN).
"""
import dataclasses
import hashlib
import os
import tempfile
import time
from typing import Optional, Tuple

from absl import logging
import numpy as np
import tensorflow as tf

from tf_iprune import io_utils
from tf_iprune import hardware
from tf_iprune.pruning import criteria
from tf_iprune.pruning import block_mask
from tf_iprune.pruning import fine_tune
from tf_iprune.pruning import model_utils
from tf_iprune.pruning import prune_registry
from tf_iprune.pruning import pruning_policy as policy_lib
from tf_iprune.pruning import report
from tf_iprune.pruning import sensitivity as sensitivity_lib
from tf_iprune.pruning import strategy

METHODS = ("intermittent", "energy", "magnitude", "unpruned")
REFERENCES = ("fine_tuned", "baseline")
SUMMARY_FILE = "summary.json"
SECOND_CHANCES = ("retry", "continue")
# What a retry keeps of the rejected step: its budget, and (with
# retry_saving_cap) the criterion cost it may remove.
RETRY_SHRINK = 0.5
# Settings a resumed run may change: with another cap the loop takes the
# finished iterations it needs and continues (or stops) where a run with
# that cap from the start would.
RESUMABLE_CHANGES = ("max_iterations",)
# Settings added with a default that changed the method: the value runs
# made before them had (other settings' defaults kept what runs did).
BEFORE_ADDED = {"retry_saving_cap": False}
_STATE_VERSION = 1


@dataclasses.dataclass(frozen=True)
class PruningConfig:
  """Settings of an iterative pruning run (all of them shape the result).

  Attributes:
    method: One of METHODS.
    epsilon: Largest tolerated validation accuracy drop after fine-tuning,
      in percentage points versus the unpruned model (see `reference`).
    reference: What the drop is measured against. 'fine_tuned' (default):
      the unpruned model fine-tuned exactly as every pruned model is (same
      epochs, settings and seed), so the drop is the pruning's alone.
      'baseline': the unpruned model as given; its validation accuracy is
      optimistic when it was itself chosen on the validation split (the
      best epoch of a training run), which makes every later model look
      worse by that selection bias.
    second_chance: What follows the first drop beyond epsilon, one of
      SECOND_CHANCES (see the module docstring).
    retry_saving_cap: With second_chance='retry', the strategy's retry may
      remove at most RETRY_SHRINK of the criterion cost the rejected step
      removed from the same model (`strategy.layer_level`'s max_saving), as
      well as spend RETRY_SHRINK of its budget. False: only the budget
      shrinks (runs made before this setting).
    upper_bound: G^, the upper bound on an iteration's overall ratio.
    overall_ratio: If set, every iteration uses this G instead of the first
      guideline (to compare methods at the same G).
    budget: What G is a share of, one of strategy.BUDGETS: 'weights' (the
      paper's sum_i g_i k_i = G K) or 'criterion' (the cost pruning can
      remove, each weight priced at its layer's cost per weight; see
      `strategy`).
    max_ratio: The most a layer may lose in one iteration (fraction of its
      remaining weights); a layer always keeps one block.
    max_iterations: Iterations at most: a safety net, not part of the
      method (the paper's loop ends only at its second drop beyond
      epsilon). iPrune's first guideline makes smaller steps than ePrune's,
      so a low cap stops iPrune's loops first (a cap of 10 stopped three
      iPrune loops of benchmarks/, one magnitude loop and no ePrune loop).
    fine_tune_epochs: Fine-tuning epochs per iteration (every method).
    decision_seeds: Fine-tuning runs whose mean validation accuracy decides
      each step against epsilon (`decision_accuracy` of its record; the
      reference likewise). The model carried on is the first run's; the
      others (seeds drawn from the run's seed, the iteration and k) only
      sharpen the decision, which one fine-tuning run's seed can tip where
      the drop is near epsilon (docs/pruning.md). 1: that model alone.
    batch_size: Fine-tuning batch size.
    learning_rate: First Adam learning rate of the training schedule.
    learning_rate_steps: Later rates of the step schedule the model was
      trained with (`callbacks.step_learning_rate`; its recipe's); () for
      a constant rate.
    training_epochs: None (the default) replays the whole schedule scaled
      to the `fine_tune_epochs` (the reference fine-tunes each stage with
      its training schedule; Le & Hua, ICLR 2021, "scaled learning rate
      restarting" without its warm-up). Else the epochs of that training,
      for learning-rate rewinding (Renda et al., ICLR 2020): fine-tuning
      runs at the rates of its last `fine_tune_epochs`
      (`callbacks.rewound_learning_rate`).
    loss: Keras loss of fine-tuning.
    sensitivity_ratios: Ratios of the sensitivity analysis.
    annealing_steps: Moves of the annealing search.
    accuracy_weight: Weight of (drop / epsilon)^2 in the annealing
      objective, whose cost term is cost / dense cost (see `strategy`).
    initial_acceptance: Annealing: acceptance of a median worsening move at
      the start.
    final_temperature_ratio: Annealing: last / first temperature.
    val_subset: Validation examples used by the sensitivity analysis and the
      search (a seeded sample; fine-tuned models use the whole split).
    eval_batch_size: Forward-pass batch size of evaluations.
    bn_calibration: Training examples (a seeded sample, one batch) on which
      the sensitivity analysis and the search re-estimate BatchNorm
      statistics before measuring a configuration (adaptive BatchNorm, see
      `masked_eval`); 0 measures with the model's own statistics.
    magnitude_step: Per-iteration step of the magnitude baseline's target
      (fraction of the remaining weights); None for upper_bound / 2.
    seed: Seeds everything.
    plan: Tile plan ('auto', 'reference'; None: 'reference' for the paper's
      models, else 'auto').
    model_name: Zoo model name for the 'reference' plan (None: model.name).
    tile_overrides: {layer name: [tile_m, tile_n]}.
  """
  method: str = "intermittent"
  epsilon: float = 1.0
  reference: str = "fine_tuned"
  second_chance: str = "retry"
  retry_saving_cap: bool = True
  upper_bound: float = 0.4
  overall_ratio: Optional[float] = None
  budget: str = "weights"
  max_ratio: float = 0.9
  max_iterations: int = 30
  fine_tune_epochs: int = 2
  decision_seeds: int = 1
  batch_size: int = 64
  learning_rate: float = 1e-3
  learning_rate_steps: Tuple[float, ...] = ()
  training_epochs: Optional[int] = None
  loss: str = "sparse_categorical_crossentropy"
  sensitivity_ratios: Tuple[float, ...] = sensitivity_lib.DEFAULT_RATIOS
  annealing_steps: int = 300
  accuracy_weight: float = 0.001
  initial_acceptance: float = 0.5
  final_temperature_ratio: float = 0.001
  val_subset: int = 1000
  eval_batch_size: int = 256
  bn_calibration: int = 512
  magnitude_step: Optional[float] = None
  seed: int = 0
  plan: Optional[str] = None
  model_name: Optional[str] = None
  tile_overrides: Optional[dict] = None

  def __post_init__(self):
    def check(ok, field, what):
      if not ok:
        raise ValueError("PruningConfig.%s must be %s, got %r." %
                         (field, what, getattr(self, field)))
    check(self.method in METHODS, "method", "one of " + ", ".join(METHODS))
    check(self.epsilon > 0, "epsilon", "> 0 (percentage points)")
    check(self.reference in REFERENCES, "reference",
          "one of " + ", ".join(REFERENCES))
    check(self.second_chance in SECOND_CHANCES, "second_chance",
          "one of " + ", ".join(SECOND_CHANCES))
    check(self.budget in strategy.BUDGETS, "budget",
          "one of " + ", ".join(strategy.BUDGETS))
    check(0 < self.upper_bound <= 1, "upper_bound", "in (0, 1]")
    check(self.overall_ratio is None or 0 < self.overall_ratio < 1,
          "overall_ratio", "None or in (0, 1)")
    check(0 < self.max_ratio <= 1, "max_ratio", "in (0, 1]")
    for field in ("max_iterations", "fine_tune_epochs", "decision_seeds",
                  "batch_size", "val_subset", "eval_batch_size"):
      check(isinstance(getattr(self, field), int) and getattr(self, field) > 0,
            field, "a positive int")
    check(isinstance(self.bn_calibration, int) and self.bn_calibration >= 0,
          "bn_calibration", "an int >= 0")
    check(isinstance(self.annealing_steps, int) and self.annealing_steps >= 0,
          "annealing_steps", "an int >= 0")
    check(self.training_epochs is None or (
        isinstance(self.training_epochs, int) and self.training_epochs > 0),
          "training_epochs", "None or a positive int")
    check(self.learning_rate > 0, "learning_rate", "> 0")
    check(all(r > 0 for r in self.learning_rate_steps),
          "learning_rate_steps", "a list of rates > 0")
    object.__setattr__(self, "learning_rate_steps",
                       tuple(float(r) for r in self.learning_rate_steps))
    check(self.accuracy_weight >= 0, "accuracy_weight", ">= 0")
    check(0 < self.initial_acceptance < 1, "initial_acceptance", "in (0, 1)")
    check(0 < self.final_temperature_ratio <= 1, "final_temperature_ratio",
          "in (0, 1]")
    check(self.magnitude_step is None or 0 < self.magnitude_step < 1,
          "magnitude_step", "None or in (0, 1)")
    check(len(self.sensitivity_ratios) > 0 and all(
        0 < r <= 1 for r in self.sensitivity_ratios), "sensitivity_ratios",
          "a non-empty list of ratios in (0, 1]")
    object.__setattr__(self, "sensitivity_ratios",
                       tuple(float(r) for r in self.sensitivity_ratios))

  def to_dict(self):
    d = dataclasses.asdict(self)
    d["sensitivity_ratios"] = list(self.sensitivity_ratios)
    d["learning_rate_steps"] = list(self.learning_rate_steps)
    if self.tile_overrides:
      d["tile_overrides"] = {n: [int(v) for v in t]
                             for n, t in self.tile_overrides.items()}
    return d


@dataclasses.dataclass
class PruningResult:
  """The chosen model and the run's summary (as in summary.json)."""
  model: object
  summary: dict
  out_dir: Optional[str]


def _fingerprint(model):
  digest = hashlib.sha256()
  for layer in model.layers:
    digest.update(layer.name.encode())
    for w in layer.get_weights():
      digest.update(np.ascontiguousarray(w).tobytes())
  return digest.hexdigest()


def _data_fingerprint(*splits):
  digest = hashlib.sha256()
  for split in splits:
    for array in split or ():
      digest.update(np.ascontiguousarray(array).tobytes())
  return digest.hexdigest()


def _subset(data, size, seed):
  x, y = data
  if len(x) <= size:
    return np.asarray(x), np.asarray(y)
  index = np.sort(np.random.default_rng(seed).permutation(len(x))[:size])
  return np.asarray(x)[index], np.asarray(y)[index]


def _check_data(name, data):
  if data is None:
    return
  if not (isinstance(data, (tuple, list)) and len(data) == 2 and
          len(data[0]) == len(data[1]) and len(data[0]) > 0):
    raise ValueError("%s must be a non-empty (x, y) pair of arrays of the "
                     "same length." % name)


class IterativePruner:
  """Runs the iterative pruning loop of one method.

  Args:
    config: A PruningConfig; keyword arguments build one if it is None.
    out_dir: Folder for checkpoints, logs, the chosen model (model.keras)
      and summary.json; None keeps them in a temporary folder.
    resume: Continue the run in out_dir from its last finished step.
    target: `hardware.Target` (default MSP430FR5994).
    verbose: Progress bars and log lines.
    step_callback: Called with the name of every finished step (e.g.
      'iter_002/allocation').
    deterministic: Enable TensorFlow op determinism (process-wide), which
      resume and reproducibility rely on.
    **kwargs: PruningConfig fields.
  """

  def __init__(self, config=None, out_dir=None, resume=False, target=None,
               verbose=True, step_callback=None, deterministic=True,
               **kwargs):
    if config is None:
      config = PruningConfig(**kwargs)
    elif kwargs:
      raise ValueError("Give either a PruningConfig or its fields, not both.")
    self.config = config
    self.out_dir = out_dir
    self.resume = resume
    self.verbose = verbose
    self.step_callback = step_callback
    self.deterministic = deterministic
    self.policy = policy_lib.IntermittentPolicy(
        config.plan, config.model_name, config.tile_overrides, target)
    if config.method in ("intermittent", "energy"):
      self.criterion = criteria.get_criterion(config.method,
                                              self.policy.target)

  # ----------------------------------------------------------------- files
  def _path(self, *parts):
    return os.path.join(self._dir, *parts)

  def _cached_json(self, name, compute):
    """The JSON of step `name`, computed and written once."""
    path = self._path(name + ".json")
    if os.path.exists(path):
      return io_utils.read_json(path)
    start = time.time()
    value = compute()
    value["wall_s"] = time.time() - start
    io_utils.write_json(path, value)
    self._finished(name)
    return value

  def _finished(self, name):
    if self.verbose:
      logging.info("Finished step %s.", name)
    if self.step_callback:
      self.step_callback(name)

  def _prepare(self, model, data):
    state = {"version": _STATE_VERSION, "config": self.config.to_dict(),
             "baseline_fingerprint": _fingerprint(model),
             "data_fingerprint": _data_fingerprint(*data)}
    path = self._path("state.json")
    if os.path.exists(path):
      if not self.resume:
        raise ValueError(
            "%s already holds a pruning run; pass resume=True (--resume) to "
            "continue it or choose another output folder." % self._dir)
      old = io_utils.read_json(path)
      differ = [k for k in changed_settings(old["config"], state["config"])
                if k not in RESUMABLE_CHANGES]
      if differ:
        raise ValueError("Cannot resume the run in %s: settings %s differ "
                         "from the run's (%s)." % (
                             self._dir, ", ".join(differ), ", ".join(
                                 "%s=%r" % (k, old["config"].get(k))
                                 for k in differ)))
      for key, what in (("baseline_fingerprint", "model to prune"),
                        ("data_fingerprint", "data")):
        if old[key] != state[key]:
          raise ValueError("Cannot resume the run in %s: the %s differs from "
                           "the run's." % (self._dir, what))
      if old["config"] != state["config"]:  # A new cap, or new settings.
        io_utils.write_json(path, state)
    else:
      io_utils.write_json(path, state)

  # ------------------------------------------------------------------ run
  def run(self, model, train_data, val_data, test_data=None,
          baseline_wall_s=0.0):
    """Prunes `model` iteratively.

    Args:
      model: Trained plain Sequential/Functional tf_keras model (not
        changed).
      train_data: (x, y) for fine-tuning.
      val_data: (x, y) validation split: decides everything.
      test_data: (x, y) test split, only reported; may be None.
      baseline_wall_s: Time it took to train `model`, for the summary.

    Returns:
      PruningResult.
    """
    for name, data in (("train_data", train_data), ("val_data", val_data),
                       ("test_data", test_data)):
      _check_data(name, data)
    self.policy.layer_plans(model)  # Fails early on unsupported models.
    if self.deterministic:
      tf.config.experimental.enable_op_determinism()
    if self.out_dir is None:
      with tempfile.TemporaryDirectory() as tmp:
        self._dir = tmp
        result = self._run(model, train_data, val_data, test_data,
                           baseline_wall_s)
        result.out_dir = None
        return result
    self._dir = self.out_dir
    os.makedirs(self._dir, exist_ok=True)
    return self._run(model, train_data, val_data, test_data, baseline_wall_s)

  def _run(self, model, train_data, val_data, test_data, baseline_wall_s):
    cfg = self.config
    self._prepare(model, (train_data, val_data, test_data))
    self._train, self._val, self._test = train_data, val_data, test_data
    self._val_subset = _subset(val_data, cfg.val_subset, cfg.seed)
    self._calibration = (_subset(train_data, cfg.bn_calibration, cfg.seed)[0]
                         if cfg.bn_calibration else None)

    def baseline():
      io_utils.save_model(model_utils.copy_model(model),
                          self._model_path(0))
      return report.measure(model, self.policy, val_data, test_data,
                            cfg.eval_batch_size)

    base = self._cached_json(os.path.join("baseline", "metrics"), baseline)
    base["wall_s"] = baseline_wall_s + base["wall_s"]
    report.log_tensorboard(self._path("logs", "pruning"), 0, base)
    if self.verbose:
      logging.info("Baseline: val accuracy %.2f%%, %d accelerator outputs.",
                   base["val_accuracy"], base["acc_outputs"])

    reference = base
    if cfg.method != "unpruned" and cfg.reference == "fine_tuned":
      reference = self._cached_json(
          os.path.join("reference", "metrics"),
          lambda: self._with_decision(
              self._fine_tuned_reference(model, self._seed(0, 3),
                                         self._path("logs", "reference")),
              0, lambda seed: self._fine_tuned_reference(model, seed, None)))
      if self.verbose:
        logging.info("Reference (the unpruned model fine-tuned alike): val "
                     "accuracy %.2f%%.", decision_accuracy(reference))

    def logged(record):
      report.log_tensorboard(self._path("logs", "pruning"), record["iteration"],
                             record)
      if self.verbose:
        searched = ("; %.2f before fine-tuning, on the search's subset" %
                    record["drop_before_fine_tuning"]
                    if "drop_before_fine_tuning" in record else "")
        logging.info(
            "Iteration %d (%s): G %.3f, val accuracy %.2f%% (drop %.2f%s), "
            "%d accelerator outputs.", record["iteration"], cfg.method,
            record["overall_ratio"], record["val_accuracy"],
            record["accuracy_drop"], searched, record["acc_outputs"])

    if cfg.method == "unpruned":
      iterations, stop_reason = [], "unpruned"
    else:
      iterations, stop_reason = iterate(
          self._iteration, decision_accuracy(reference), cfg.epsilon,
          cfg.max_iterations, logged, cfg.second_chance)
    return self._finish(base, reference, iterations, stop_reason)

  def _fine_tuned_reference(self, model, seed, log_dir):
    """The unpruned model fine-tuned as the pruned ones are, measured."""
    cfg = self.config
    tuned = fine_tune.fine_tune_blocks(
        model, {}, self.policy, self._train, self._val, cfg.fine_tune_epochs,
        cfg.batch_size, cfg.learning_rate, cfg.loss, seed, log_dir,
        self.verbose, cfg.learning_rate_steps, cfg.training_epochs)
    return report.measure(tuned, self.policy, self._val, self._test,
                          cfg.eval_batch_size)

  # ---------------------------------------------------------------- noise
  def fine_tune_again(self, train_data, val_data, test_data, iteration,
                      seeds):
    """Fine-tunes a step of the finished run in out_dir again, per seed.

    How much the fine-tuning seed alone moves the accuracy that decides the
    loop: the step prunes exactly the blocks it pruned in the run (its
    saved allocation, from its saved start model) and only the fine-tuning
    seed changes. Nothing in out_dir is written.

    Args:
      train_data, val_data, test_data: The run's data.
      iteration: Iteration number of the run; 0: its reference (the
        unpruned model fine-tuned alike).
      seeds: Fine-tuning seeds.

    Returns:
      One report.measure dict per seed, with 'seed'.

    Raises:
      ValueError: if out_dir holds no finished run with that iteration.
    """
    self._dir = self.out_dir or ""
    summary = read_summary(self._dir)
    records = {r["iteration"]: r for r in summary["iterations"]}
    if iteration != 0 and iteration not in records:
      raise ValueError("The run in %s has iterations %s; got %r (0: the "
                       "reference)." % (self._dir, sorted(records),
                                        iteration))
    if iteration == 0 and self.config.reference != "fine_tuned":
      raise ValueError("The run in %s has no fine-tuned reference." %
                       self._dir)
    self._train, self._val, self._test = train_data, val_data, test_data
    if self.deterministic:
      tf.config.experimental.enable_op_determinism()
    if iteration == 0:
      base = io_utils.load_model(self._model_path(0))
      return [dict(self._fine_tuned_reference(base, seed, None), seed=seed)
              for seed in seeds]
    record = records[iteration]
    model = io_utils.load_model(self._model_path(record["start_iteration"]))
    plans = self.policy.layer_plans(model)
    tune = self._plan(iteration, record["start_iteration"],
                      record["step_scale"], record.get("retry_of"),
                      iteration_dir(iteration), model, plans)[2]
    return [dict(report.measure(tune(seed, None), self.policy, val_data,
                                test_data, self.config.eval_batch_size),
                 seed=seed) for seed in seeds]

  def _finish(self, base, reference, iterations, stop_reason):
    chosen = choose(base, iterations)
    model = io_utils.load_model(self._model_path(chosen["iteration"]))
    io_utils.save_model(model, self._path("model.keras"))
    summary = {
        "method": self.config.method,
        "config": self.config.to_dict(),
        "stop_reason": stop_reason,
        "baseline": base,
        "reference": reference,
        "iterations": iterations,
        "chosen": chosen,
    }
    io_utils.write_json(self._path(SUMMARY_FILE), summary)
    if self.verbose:
      logging.info("Chose iteration %d: val accuracy %.2f%%, %d accelerator "
                   "outputs (baseline %d); stopped: %s.", chosen["iteration"],
                   chosen["val_accuracy"], chosen["acc_outputs"],
                   base["acc_outputs"], stop_reason)
    return PruningResult(model, summary, self._dir)

  # ------------------------------------------------------------ iteration
  def _model_path(self, t):
    """The model of iteration t (0: the baseline)."""
    return model_path(self._dir, t)

  def _iteration(self, t, start, scale, retry_of):
    """Runs (or resumes) iteration t; None if nothing is left to prune.

    It prunes the model of iteration `start` (0: the baseline) with its step
    scaled by `scale`, retrying iteration `retry_of` (see `iterate`).
    """
    folder = iteration_dir(t)
    model = io_utils.load_model(self._model_path(start))
    plans = self.policy.layer_plans(model)
    planned = self._plan(t, start, scale, retry_of, folder, model, plans)
    if planned is None:
      return None
    steps, step_ratios, tune, expected = planned

    def fine_tune_step():
      tuned = tune(self._seed(t, 3), self._path("logs", folder))
      if expected is not None:
        _check_blocks(tuned, plans, expected)
      io_utils.save_model(tuned, self._path(folder, "model.keras"))
      return self._with_decision(
          report.measure(tuned, self.policy, self._val, self._test,
                         self.config.eval_batch_size), t,
          lambda seed: report.measure(tune(seed, None), self.policy,
                                      self._val, None,
                                      self.config.eval_batch_size))

    metrics = self._cached_json(os.path.join(folder, "metrics"),
                                fine_tune_step)
    record = dict(metrics, iteration=t,
                  overall_ratio=steps[-1]["overall_ratio"],
                  step_ratios=step_ratios,
                  wall_s=metrics["wall_s"] + sum(s["wall_s"] for s in steps))
    searched = steps[-1].get("annealing") or {}
    if "drop_before_fine_tuning" in searched:  # Not in runs older than it.
      record["drop_before_fine_tuning"] = searched["drop_before_fine_tuning"]
    return record

  def _plan(self, t, start, scale, retry_of, folder, model, plans):
    """(steps, step ratios, tune(seed, log_dir), expected keep maps or None)
    of iteration t, or None if nothing is left to prune."""
    if self.config.method == "magnitude":
      return self._plan_magnitude(t, start, scale, folder, model, plans)
    return self._plan_blocks(t, scale, retry_of, folder, model, plans)

  def _plan_magnitude(self, t, start, scale, folder, model, plans):
    """The magnitude baseline's target for iteration t, and its tuning."""
    cfg = self.config
    step = scale * (cfg.magnitude_step or cfg.upper_bound / 2)

    def plan():
      initial = 0.0 if start == 0 else io_utils.read_json(self._path(
          iteration_dir(start), "allocation.json"))["target_sparsity"]
      return {"overall_ratio": step, "initial_sparsity": initial,
              "target_sparsity": 1 - (1 - initial) * (1 - step)}

    allocation = self._cached_json(os.path.join(folder, "allocation"), plan)

    def tune(seed, log_dir):
      return fine_tune.fine_tune_magnitude(
          model, allocation["initial_sparsity"], allocation["target_sparsity"],
          self.policy, self._train, self._val, cfg.fine_tune_epochs,
          cfg.batch_size, cfg.learning_rate, cfg.loss, seed, log_dir,
          self.verbose, cfg.learning_rate_steps, cfg.training_epochs)

    return [allocation], {n: step for n in plans}, tune, None

  def _plan_blocks(self, t, scale, retry_of, folder, model, plans):
    """The three steps of iteration t (each checkpointed), and its tuning."""
    cfg = self.config
    context = []

    def ctx():  # Built only if a step has to be computed.
      if not context:
        context.append(strategy.StepContext(
            model, plans, self.criterion, *self._val_subset,
            batch_size=cfg.eval_batch_size, x_calibration=self._calibration))
      return context[0]

    sens = self._cached_json(os.path.join(folder, "sensitivity"), lambda: (
        strategy.network_level(ctx(), scale * cfg.upper_bound,
                               cfg.sensitivity_ratios, cfg.max_ratio,
                               self.verbose)))
    overall = (scale * cfg.overall_ratio if cfg.overall_ratio
               else sens["overall_ratio"])

    def max_saving():
      if retry_of is None or not cfg.retry_saving_cap:
        return None
      rejected = io_utils.read_json(self._path(iteration_dir(retry_of),
                                               "allocation.json"))
      return RETRY_SHRINK * strategy.criterion_saving(ctx(),
                                                      rejected["blocks"])

    allocation = self._cached_json(
        os.path.join(folder, "allocation"), lambda: strategy.layer_level(
            ctx(), overall, cfg.max_ratio, cfg.epsilon, cfg.accuracy_weight,
            np.random.default_rng(self._seed(t, 2)), self.verbose,
            budget=cfg.budget, max_saving=max_saving(),
            steps=cfg.annealing_steps,
            initial_acceptance=cfg.initial_acceptance,
            final_temperature_ratio=cfg.final_temperature_ratio).to_dict())
    if allocation["total_weights"] == 0:
      return None
    expected = {}
    for name, blocks in allocation["blocks"].items():
      kernel = prune_registry.prunable_weight(model.get_layer(name)).numpy()
      expected[name] = block_mask.LayerBlocks.from_kernel(
          name, hardware.BlockGrid(*plans[name]), kernel).keep_after(blocks)

    def tune(seed, log_dir):
      return fine_tune.fine_tune_blocks(
          model, allocation["sparsities"], self.policy, self._train,
          self._val, cfg.fine_tune_epochs, cfg.batch_size, cfg.learning_rate,
          cfg.loss, seed, log_dir, self.verbose, cfg.learning_rate_steps,
          cfg.training_epochs)

    return [sens, allocation], allocation["ratios"], tune, expected

  def _with_decision(self, metrics, t, tune_and_measure):
    """`metrics` of a fine-tuned model plus its step's decision_accuracy:
    the mean validation accuracy of config.decision_seeds fine-tuning runs,
    this model's first, the others by `tune_and_measure(seed)`."""
    accuracies = [metrics["val_accuracy"]] + [
        tune_and_measure(self._seed(t, 3, k))["val_accuracy"]
        for k in range(1, self.config.decision_seeds)]
    metrics["decision_accuracy"] = float(np.mean(accuracies))
    if len(accuracies) > 1:
      metrics["decision_val_accuracies"] = accuracies
    return metrics

  def _seed(self, t, step, *more):
    return int(np.random.SeedSequence([self.config.seed, t, step, *more])
               .generate_state(1)[0] % (2 ** 31))


def iteration_dir(t):
  """Folder of iteration t in a run's out_dir."""
  return "iter_%03d" % t


def model_path(out_dir, t):
  """The model of iteration t (0: the baseline) of the run in out_dir."""
  return os.path.join(out_dir, "baseline" if t == 0 else iteration_dir(t),
                      "model.keras")


def decision_accuracy(metrics):
  """The validation accuracy that decides against epsilon: the mean over
  decision_seeds fine-tuning runs; the model's own where none was recorded
  (the given model as reference, runs made before decision_seeds)."""
  return metrics.get("decision_accuracy", metrics["val_accuracy"])


def changed_settings(old, new):
  """Names of the settings (PruningConfig.to_dict) that differ, sorted; a
  setting added since `old` was written had its default there, or the
  value of the method before it (BEFORE_ADDED)."""
  defaults = dict(PruningConfig().to_dict(), **BEFORE_ADDED)
  return sorted(k for k in new if old.get(k, defaults[k]) != new[k])


def outdated_settings(summary, config):
  """Settings of `config` (a to_dict) under which the finished run of
  `summary` would end differently, sorted: those that changed, except a
  cap the run never reached (it stopped for another reason first) and the
  retry's saving cap of a run that made no retry of the strategy."""
  changed = changed_settings(summary["config"], config)
  if (summary["stop_reason"] != "max_iterations" and
      len(summary["iterations"]) <= config["max_iterations"]):
    changed = [k for k in changed if k != "max_iterations"]
  if summary["config"]["method"] == "magnitude" or not any(
      r.get("step_scale", 1.0) < 1 for r in summary["iterations"]):
    changed = [k for k in changed if k != "retry_saving_cap"]  # No retry.
  return changed


def read_summary(out_dir):
  """summary.json of the finished pruning run in out_dir.

  Raises:
    ValueError: if there is none.
  """
  path = os.path.join(out_dir, SUMMARY_FILE)
  if not os.path.exists(path):
    raise ValueError("%r holds no finished pruning run (%s)." %
                     (out_dir, SUMMARY_FILE))
  return io_utils.read_json(path)


def iterate(step, baseline_accuracy, epsilon, max_iterations, on_record=None,
            second_chance="retry"):
  """The estimate-prune-retrain loop with a second chance.

  Args:
    step: (t, start, scale, retry_of) -> record (a dict with
      'val_accuracy' after fine-tuning) of iteration t, which prunes the
      model of iteration `start` (0: the unpruned model) with its step
      scaled by `scale`; `retry_of` is the rejected iteration it retries
      (None if it is not a retry); or None when nothing is left to prune.
    baseline_accuracy: Validation accuracy of the unpruned model (percent).
    epsilon: Tolerated accuracy drop, in percentage points.
    max_iterations: Iterations at most.
    on_record: Called with each completed record.
    second_chance: After the first record beyond epsilon, 'retry' starts
      the next iteration from that record's start with the step scaled by
      RETRY_SHRINK; 'continue' starts it from the failed record's model.

  Returns:
    (records, stop_reason). Each record gains 'iteration', 'start_iteration',
    'step_scale', 'retry_of', 'accuracy_drop' and 'within_epsilon'. The
    loop stops at the second record beyond epsilon.
  """
  if second_chance not in SECOND_CHANCES:
    raise ValueError("second_chance must be one of %s, got %r." % (
        ", ".join(SECOND_CHANCES), second_chance))
  records, failures, start, scale, retry_of = [], 0, 0, 1.0, None
  for t in range(1, max_iterations + 1):
    record = step(t, start, scale, retry_of)
    if record is None:
      return records, "nothing left to prune"
    record = dict(record, iteration=t, start_iteration=start, step_scale=scale,
                  retry_of=retry_of)
    retry_of = None
    # Rounded: 12 of 1,200 examples are 1 point, not 1.000000000000007.
    record["accuracy_drop"] = round(
        baseline_accuracy - decision_accuracy(record), 9)
    record["within_epsilon"] = record["accuracy_drop"] <= epsilon
    records.append(record)
    if on_record:
      on_record(record)
    if not record["within_epsilon"]:
      failures += 1
      if failures == 2:
        return records, "accuracy drop above epsilon twice"
      if second_chance == "retry":
        scale *= RETRY_SHRINK
        retry_of = t
        continue
    start = t
  return records, "max_iterations"


def choose(baseline, records):
  """The most compact acceptable model.

  Among the baseline (iteration 0) and the records within epsilon: fewest
  accelerator outputs, then fewest non-zero weights, then the earliest. Its
  wall_s becomes the time to reach it (baseline and iterations up to it).
  """
  candidates = [dict(baseline, iteration=0)] + [
      r for r in records if r["within_epsilon"]]
  chosen = dict(min(candidates, key=lambda r: (
      r["acc_outputs"], r["nonzero_weights"], r["iteration"])))
  chosen["wall_s"] = baseline["wall_s"] + sum(
      r["wall_s"] for r in records if r["iteration"] <= chosen["iteration"])
  return chosen


def _check_blocks(model, plans, expected):
  """Asserts that fine-tuning left exactly the chosen blocks."""
  for name, keep in expected.items():
    grid = hardware.BlockGrid(*plans[name])
    kernel = prune_registry.prunable_weight(model.get_layer(name)).numpy()
    actual = grid.nonzero_blocks(kernel)
    if not np.array_equal(actual, keep):
      raise RuntimeError(
          "Layer %r: fine-tuning left blocks %s non-zero, the strategy chose "
          "%s; please report this bug." % (name, np.argwhere(actual).tolist(),
                                           np.argwhere(keep).tolist()))


def iprune(model, train_data, val_data, test_data=None, method="intermittent",
           out_dir=None, resume=False, verbose=True, **kwargs):
  """Prunes a trained model with iPrune (or a baseline) in one call.

  ```python
  result = tf_iprune.iprune(model, (x_train, y_train), (x_val, y_val),
                            epsilon=1.0, fine_tune_epochs=5)
  result.model        # the chosen pruned model (plain tf_keras)
  result.summary      # baseline, iterations, chosen (as summary.json)
  ```

  Args:
    model: Trained plain Sequential/Functional tf_keras model.
    train_data, val_data, test_data: (x, y) splits; test is only reported.
    method: 'intermittent' (iPrune), 'energy', 'magnitude' or 'unpruned'.
    out_dir: Checkpoint/summary folder (None: temporary).
    resume: Continue the run in out_dir.
    verbose: Progress bars and logs.
    **kwargs: PruningConfig fields (epsilon, upper_bound, fine_tune_epochs,
      max_iterations, seed, plan, tile_overrides, ...).

  Returns:
    PruningResult.
  """
  pruner = IterativePruner(out_dir=out_dir, resume=resume, verbose=verbose,
                           method=method, **kwargs)
  return pruner.run(model, train_data, val_data, test_data)
