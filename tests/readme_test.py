"""README's printed main-job output is the committed main run's.

`make demo` runs the main benchmark's har_cnn part (same flags, seed and
data), so its table must equal what report.summary_text makes of
benchmarks/results.json; a README left behind by a new run fails here.
"""
import json
import os

from tf_iprune.benchmark import report

_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_DEMO_METHODS = ("unpruned", "energy", "intermittent")


def _read(name):
  with open(os.path.join(_ROOT, name)) as f:
    return f.read()


def test_readme_demo_output_is_the_main_runs():
  results = json.loads(_read(os.path.join("benchmarks", "results.json")))
  har = results["models"]["har_cnn"]
  demo = {"models": {"har_cnn": {m: har[m] for m in _DEMO_METHODS}}}
  expected = report.summary_text(demo, results["config"]["powers"])
  readme = _read("README.md")
  assert expected in readme, (
      "README.md's demo output differs from benchmarks/results.json; "
      "expected:\n" + expected)
