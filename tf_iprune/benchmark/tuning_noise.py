"""How much the fine-tuning seed alone moves the pruning loop's decisions.

The loop stops at its second accuracy drop beyond epsilon, each drop one
fine-tuning run's best validation accuracy against the reference's. For a
finished pruning run, `decisive_iterations` names the steps that decided
where it stopped (the chosen iteration and every one beyond epsilon), and
`spread` fine-tunes each of them, and the reference, again with other seeds
(`IterativePruner.fine_tune_again`: the same pruned blocks from the same
start model; only the seed changes). If the decisions hold over the seeds,
the loop stopped because of what it pruned, not by chance of fine-tuning.
"""
import numpy as np

from tf_iprune.pruning import iterative

def decisive_iterations(summary):
  """The chosen iteration (unless the baseline) and those beyond epsilon."""
  chosen = summary["chosen"]["iteration"]
  return sorted({r["iteration"] for r in summary["iterations"]
                 if not r["within_epsilon"]} | ({chosen} - {0}))


def value_range(values):
  """[min, max] of values, as floats."""
  return [float(np.min(values)), float(np.max(values))]


def spread(pruning_dir, data, iterations, seeds):
  """Accuracies of steps of a pruning run fine-tuned again per seed.

  Args:
    pruning_dir: Output folder of the run (summary.json, iter_NNN, ...).
    data: (train, val, test) splits the run used, each (x, y).
    iterations: Iteration numbers to fine-tune again.
    seeds: Fine-tuning seeds.

  Returns:
    {'epsilon', 'reference': {'run_val', 'val', 'test'} or None, 'steps':
    [{'iteration', 'run_drop', 'run_within', 'drops', 'within', 'val',
    'test'}]}: val and test are [min, max] accuracies (percent) over the
    seeds, drops [min, max] against the run's reference, within how many
    seeds stay within epsilon.

  Raises:
    ValueError: if the run or an iteration does not exist.
  """
  summary = iterative.read_summary(pruning_dir)
  config = iterative.PruningConfig(**summary["config"])
  pruner = iterative.IterativePruner(config=config, out_dir=pruning_dir,
                                     verbose=False)
  records = {r["iteration"]: r for r in summary["iterations"]}
  reference_val = summary["reference"]["val_accuracy"]
  reference = None
  if config.reference == "fine_tuned":
    runs = pruner.fine_tune_again(*data, 0, seeds)
    reference = {"run_val": reference_val,
                 "val": value_range([r["val_accuracy"] for r in runs]),
                 "test": value_range([r["test_accuracy"] for r in runs])}
  steps = []
  for t in iterations:
    runs = pruner.fine_tune_again(*data, t, seeds)
    drops = [round(reference_val - r["val_accuracy"], 9) for r in runs]
    steps.append({
        "iteration": t, "run_drop": records[t]["accuracy_drop"],
        "run_within": records[t]["within_epsilon"],
        "drops": value_range(drops),
        "within": sum(d <= config.epsilon for d in drops),
        "val": value_range([r["val_accuracy"] for r in runs]),
        "test": value_range([r["test_accuracy"] for r in runs])})
  return {"epsilon": config.epsilon, "seeds": len(seeds),
          "reference": reference, "steps": steps}


def table(rows):
  """Markdown of (model, method, spread result) rows."""
  lines = ["| model | method | step | in the run: val drop | over the seeds: "
           "val drop | seeds within epsilon | val accuracy | test accuracy |",
           "|---|---|---|---|---|---|---|---|"]

  def span(pair, fmt="%.2f"):
    return (fmt + "-" + fmt) % tuple(pair)

  for model, method, result in rows:
    n = result["seeds"]
    ref = result["reference"]
    if ref:
      lines.append("| %s | %s | reference | (val %.2f) | | | %s | %s |" % (
          model, method, ref["run_val"], span(ref["val"]),
          span(ref["test"])))
    for step in result["steps"]:
      lines.append("| %s | %s | %d | %.2f (%s) | %s | %d of %d | %s | %s |" % (
          model, method, step["iteration"], step["run_drop"],
          "within" if step["run_within"] else "beyond", span(step["drops"]),
          step["within"], n, span(step["val"]), span(step["test"])))
  return "\n".join(lines)
