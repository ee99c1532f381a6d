"""Tests of the command line (python -m tf_iprune.runtime)."""
import json
import os
import subprocess
import sys

from tf_iprune.export import testing as export_testing
from tf_iprune.runtime import testing

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))


def _cli(*args):
  env = dict(os.environ, PYTHONPATH=ROOT, TF_CPP_MIN_LOG_LEVEL="2")
  return subprocess.run([sys.executable, "-m", "tf_iprune.runtime", *args],
                        capture_output=True, text=True, env=env, check=False,
                        timeout=300)


def test_help():
  run = _cli("--help")
  assert "--model_bin" in run.stdout and "--failures" in run.stdout


def test_report_on_random_data(tmp_path):
  qmodel = export_testing.random_qmodel(export_testing.example_specs("fire"),
                                        seed=0, density=0.5, name="fire")
  x = export_testing.random_input(qmodel, seed=0, batch=1)
  model_bin, _, _ = testing.write_case(qmodel, x, str(tmp_path))
  out = str(tmp_path / "report.json")
  run = _cli("--model_bin=%s" % model_bin, "--dataset=random", "--samples=3",
             "--power=8mW", "--failures=random:20:1", "--output=%s" % out)
  assert run.returncode == 0, run.stderr
  report = json.load(open(out))
  assert report["samples"] == 3 and report["power"] == "8mW"
  assert report["power_cycles"]["min"] >= 20
  assert json.loads(run.stdout) == report


def test_back_to_back(tmp_path):
  qmodel = export_testing.random_qmodel(export_testing.example_specs("fire"),
                                        seed=0, density=0.5, name="fire")
  x = export_testing.random_input(qmodel, seed=0, batch=1)
  model_bin, _, _ = testing.write_case(qmodel, x, str(tmp_path))
  args = ("--model_bin=%s" % model_bin, "--dataset=random", "--samples=3",
          "--power=4mW", "--back_to_back")
  run = _cli(*args)
  assert run.returncode == 0, run.stderr
  assert json.loads(run.stdout)["back_to_back"] is True
  refused = _cli(*args, "--failures=byte:3")
  assert refused.returncode != 0 and "Traceback" not in refused.stderr
  assert "Back-to-back inferences need failures='energy'" in refused.stderr
