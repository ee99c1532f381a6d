"""Accuracy per subject of a benchmark run's models on the HAR data.

HAR is split by subject (`mlperf_tiny_models.datasets.har`): the pruning
loop decides on the validation subjects, the benchmark reports the test
subjects. Accuracy per subject shows whether the validation subjects are
like the test subjects, and on which subjects a pruned model loses what it
loses.
"""
import os

import numpy as np

from mlperf_tiny_models.datasets import har
from tf_iprune.benchmark import report

SPLITS = ("val", "test")


def method_model_path(out_dir, model_name, method):
  """The model a benchmark run chose for one method (its pruning folder's)."""
  return os.path.join(out_dir, model_name, method, "pruning", "model.keras")


def load_windows(dataset, split, data_dir=None):
  """One split of a HAR data set's windows, with subjects (embedded or local
  copy)."""
  return har.load_windows(split, har.VAL_SUBJECTS_OF[dataset], data_dir)


def accuracy_by_subject(model, windows):
  """{subject: (windows, accuracy in percent)} of a Keras model."""
  predicted = np.argmax(model.predict(windows.x, verbose=0), axis=-1)
  correct = predicted == windows.y
  return {int(s): (int(np.sum(windows.subject == s)),
                   100.0 * float(np.mean(correct[windows.subject == s])))
          for s in np.unique(windows.subject)}


def table(accuracies):
  """Markdown: a row per split and subject, a column per method.

  Args:
    accuracies: {method: {split: accuracy_by_subject(...)}}, methods in
      column order, splits in row order.

  Returns:
    The table; each split ends with a row over all its windows.
  """
  methods = list(accuracies)
  names = [report.METHOD_NAMES.get(m, m) for m in methods]
  lines = ["| split | subject | windows | %s |" % " | ".join(names),
           "|---|---|---|%s" % ("---|" * len(methods))]
  for split in accuracies[methods[0]]:
    per_method = [accuracies[m][split] for m in methods]
    counts = {s: n for s, (n, _) in per_method[0].items()}
    for subject in sorted(counts):
      cells = ["%.1f%%" % p[subject][1] for p in per_method]
      lines.append("| %s | %d | %d | %s |" % (split, subject, counts[subject],
                                              " | ".join(cells)))
    total = sum(counts.values())
    overall = [sum(n * a for n, a in p.values()) / total for p in per_method]
    lines.append("| %s | all | %d | %s |" % (
        split, total, " | ".join("%.2f%%" % a for a in overall)))
  return "\n".join(lines)


def split_by_subject(results, model_name):
  """The HAR data set of `model_name` in a run's results.

  Raises:
    ValueError: If the run has no such model or it uses other data.
  """
  if model_name not in results["models"]:
    raise ValueError("The run has no model %r (it has %s)." % (
        model_name, ", ".join(results["models"])))
  dataset = results["models"][model_name]["dataset"]
  if dataset not in har.VAL_SUBJECTS_OF:
    raise ValueError("%s uses the %r data set; accuracy per subject needs "
                     "one split by subject (supported: %s)."
                     % (model_name, dataset, ", ".join(har.VAL_SUBJECTS_OF)))
  return dataset
