"""Which code made a result: the package version and, in a source checkout,
its git commit; and on what: the numeric stack and the CPU.

Benchmark results record them (`code_version` in results.json and in each
method's result.json, `stack` and the CPU in results.json), so a number
can be traced to the commit that measured it, also when a run was resumed
by later code. The stack and CPU matter because TensorFlow's CPU kernels
round differently across builds and processors: the same commit and seed
fine-tune to other weights in another install (docs/benchmark_analysis.md).
"""
from importlib import metadata
import os
import subprocess

import tf_iprune

_PACKAGE_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def code_version(root=None):
  """'tf_iprune VERSION, commit SHA', plus ', uncommitted changes' if
  tracked files other than markdown and benchmarks/ differ from it;
  'tf_iprune VERSION' alone when `root` (default: the folder holding this
  package) is not the top of a git checkout (an installed package, or git
  missing).
  """
  root = os.path.realpath(root or _PACKAGE_ROOT)
  version = "tf_iprune %s" % tf_iprune.__version__
  try:
    # A package installed inside some other checkout is not that checkout.
    if os.path.realpath(_git(root, "rev-parse", "--show-toplevel")) != root:
      return version
    commit = _git(root, "rev-parse", "--short=7", "HEAD")
    # Prose and recorded results do not change what a run computes.
    changed = _git(root, "status", "--porcelain", "--untracked-files=no",
                   "--", ".", ":(exclude)*.md", ":(exclude)benchmarks")
  except (OSError, subprocess.CalledProcessError):
    return version
  return "%s, commit %s%s" % (version, commit,
                              ", uncommitted changes" if changed else "")


# The distributions whose arithmetic or conversion a result depends on.
STACK = ("tensorflow", "tf_keras", "tensorflow-model-optimization", "numpy",
         "tf2onnx", "onnx", "onnxruntime")


def software_stack():
  """'tensorflow 2.21.0, tf_keras 2.21.0, ...' as installed ('-' if not)."""
  versions = []
  for name in STACK:
    try:
      versions.append("%s %s" % (name, metadata.version(name)))
    except metadata.PackageNotFoundError:
      versions.append("%s -" % name)
  return ", ".join(versions)


def cpu_model(cpuinfo="/proc/cpuinfo"):
  """The CPU's model name from Linux's cpuinfo; 'unknown CPU' elsewhere."""
  try:
    with open(cpuinfo) as f:
      for line in f:
        key, _, value = line.partition(":")
        if key.strip() == "model name":
          return value.strip()
  except OSError:
    pass
  return "unknown CPU"


def _git(root, *args):
  return subprocess.run(("git", "-C", root) + args, check=True,
                        capture_output=True, text=True).stdout.strip()
