"""Which code made a result: the package version and, in a source checkout,
its git commit.

Benchmark results record it (`code_version` in results.json and in each
method's result.json), so a number can be traced to the commit that
measured it, also when a run was resumed by later code.
"""
import os
import subprocess

import tf_iprune

_PACKAGE_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def code_version(root=None):
  """'tf_iprune VERSION, commit SHA', plus ', uncommitted changes' if
  tracked files differ from that commit; 'tf_iprune VERSION' alone when
  `root` (default: the folder holding this package) is not the top of a git
  checkout (an installed package, or git missing).
  """
  root = os.path.realpath(root or _PACKAGE_ROOT)
  version = "tf_iprune %s" % tf_iprune.__version__
  try:
    # A package installed inside some other checkout is not that checkout.
    if os.path.realpath(_git(root, "rev-parse", "--show-toplevel")) != root:
      return version
    commit = _git(root, "rev-parse", "--short=7", "HEAD")
    changed = _git(root, "status", "--porcelain", "--untracked-files=no")
  except (OSError, subprocess.CalledProcessError):
    return version
  return "%s, commit %s%s" % (version, commit,
                              ", uncommitted changes" if changed else "")


def _git(root, *args):
  return subprocess.run(("git", "-C", root) + args, check=True,
                        capture_output=True, text=True).stdout.strip()
