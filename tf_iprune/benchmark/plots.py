"""PNG plots of benchmark results (matplotlib, no display needed)."""
import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # pylint: disable=g-import-not-at-top,wrong-import-position
import numpy as np  # pylint: disable=g-import-not-at-top,wrong-import-position

from tf_iprune import io_utils  # pylint: disable=g-import-not-at-top,wrong-import-position
from tf_iprune.benchmark import report  # pylint: disable=g-import-not-at-top,wrong-import-position


def _save(fig, path):
  """Saves deterministically (no timestamps in the PNG) and atomically."""
  with io_utils.atomic_path(path) as tmp:
    fig.savefig(tmp, format="png", dpi=110, bbox_inches="tight",
                metadata={"Software": None})
  plt.close(fig)


def _bars(ax, labels, series, ylabel, log=False):
  width = 0.8 / max(len(series), 1)
  x = np.arange(len(labels))
  for i, (name, values) in enumerate(series.items()):
    ax.bar(x + (i - (len(series) - 1) / 2) * width, values, width,
           label=name)
  ax.set_xticks(x)
  ax.set_xticklabels(labels, rotation=45, ha="right", fontsize=8)
  ax.set_ylabel(ylabel)
  if log:
    ax.set_yscale("log")
  ax.legend(fontsize=7)


def layers_plot(results, path):
  """Per-layer accelerator outputs and kept weights, per model and method."""
  models = list(results["models"])
  fig, axes = plt.subplots(2, len(models), figsize=(5 * len(models), 7),
                           squeeze=False)
  for col, model in enumerate(models):
    r = results["models"][model]
    methods = [m for m in report.METHOD_NAMES if m in r]
    prunable = [l["name"] for l in r[methods[0]]["layers"]
                if l["weights"]]
    outputs, kept = {}, {}
    for method in methods:
      rows = {l["name"]: l for l in r[method]["layers"]}
      outputs[report.METHOD_NAMES[method]] = [
          rows[n]["acc_outputs"] for n in prunable]
      kept[report.METHOD_NAMES[method]] = [
          rows[n]["nonzero_weights"] / rows[n]["weights"] for n in prunable]
    _bars(axes[0][col], prunable, outputs, "accelerator outputs", log=True)
    axes[0][col].set_title(model)
    _bars(axes[1][col], prunable, kept, "fraction of weights kept")
  _save(fig, path)


def latency_plot(results, powers, path):
  """Latency per power strength and method, one panel per model."""
  models = list(results["models"])
  fig, axes = plt.subplots(1, len(models), figsize=(4.5 * len(models), 3.8),
                           squeeze=False)
  for col, model in enumerate(models):
    r = results["models"][model]
    series = {report.METHOD_NAMES[m]: [r[m]["power"][p]["latency_s"]
                                       for p in powers]
              for m in report.METHOD_NAMES if m in r}
    _bars(axes[0][col], list(powers), series, "latency (s)", log=True)
    axes[0][col].set_title(model)
  _save(fig, path)


def accuracy_latency_plot(results, power, path):
  """Test accuracy (Q15, device) against latency under `power`."""
  fig, ax = plt.subplots(figsize=(6, 4.5))
  markers = dict(zip(report.METHOD_NAMES, "osD^"))
  for model, r in results["models"].items():
    for method in report.METHOD_NAMES:
      if method in r:
        m = r[method]
        ax.scatter(m["power"][power]["latency_s"],
                   100 * m["test_accuracy_q15"], marker=markers[method])
        ax.annotate("%s\n%s" % (model, report.METHOD_NAMES[method]),
                    (m["power"][power]["latency_s"],
                     100 * m["test_accuracy_q15"]), fontsize=6)
  ax.set_xscale("log")
  ax.set_xlabel("latency at %s (s)" % power)
  ax.set_ylabel("test accuracy, Q15 on the simulator (%)")
  _save(fig, path)


def paths_plot(results, power, path):
  """Test accuracy (float) against the hardware model's latency under
  `power` for every model each pruning loop went through: filled within
  epsilon (validation), hollow beyond it, a star for the chosen model, so
  methods compare at equal accuracy and not only where their loops
  stopped."""
  models = [m for m, r in results["models"].items()
            if any("path" in r.get(method, {}) for method in r)]
  fig, axes = plt.subplots(1, len(models), figsize=(4.5 * len(models), 4),
                           squeeze=False)
  colors = dict(zip(report.METHOD_NAMES, plt.rcParams[
      "axes.prop_cycle"].by_key()["color"]))
  for col, model in enumerate(models):
    ax = axes[0][col]
    r = results["models"][model]
    for method, name in report.METHOD_NAMES.items():
      # The unpruned model (every path's iteration 0) is drawn once.
      points = [p for p in r.get(method, {}).get("path", ())
                if p["iteration"] or method == "unpruned"]
      if not points:
        continue
      ax.scatter([], [], color=colors[method], label=name)
      for p in points:
        ax.scatter(p["latency_s"][power], 100 * p["test_accuracy"],
                   s=80 if p["chosen"] else 22,
                   marker="*" if p["chosen"] else "o",
                   facecolors=colors[method] if p["within_epsilon"] else
                   "none", edgecolors=colors[method])
    ax.set_title(model)
    ax.set_xlabel("latency at %s, hardware model (s)" % power)
    ax.set_ylabel("test accuracy, float (%)")
    ax.legend(fontsize=7)
  _save(fig, path)


def write_all(results, powers, directory):
  """Writes the plots; returns their file names (paths.png only if the
  results hold pruning paths)."""
  names = ["layers.png", "latency.png", "accuracy_latency.png"]
  layers_plot(results, os.path.join(directory, names[0]))
  latency_plot(results, powers, os.path.join(directory, names[1]))
  accuracy_latency_plot(results, powers[-1], os.path.join(directory,
                                                          names[2]))
  if any("path" in m for r in results["models"].values()
         for m in r.values() if isinstance(m, dict)):
    names.append("paths.png")
    paths_plot(results, powers[-1], os.path.join(directory, names[-1]))
  return names
