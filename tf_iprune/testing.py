"""Helpers for tests that run the command lines in scripts/ as a user would:
a fresh Python process with the repository on its path."""
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def script_command(name, *args):
  """The command that runs scripts/NAME with `args`."""
  return [sys.executable, os.path.join(ROOT, "scripts", name), *args]


def script_env():
  """The environment of that process: ours, with the repository on
  PYTHONPATH."""
  return dict(os.environ, PYTHONPATH=ROOT)


def run_script(name, *args, timeout=None):
  """Runs scripts/NAME with `args`; returns the CompletedProcess (text
  stdout and stderr; a non-zero exit status is not an exception)."""
  return subprocess.run(script_command(name, *args), env=script_env(),
                        capture_output=True, text=True, check=False,
                        timeout=timeout)
