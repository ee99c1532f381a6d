"""The MSP430 build: cross-compiled engine + exported model.c, run under
mspdebug's simulator, gives the host simulator's output bit for bit; a model
that does not fit the FR5994's FRAM below 64 KB is refused by make."""
import os
import re
import shutil
import subprocess

import numpy as np
import pytest

from tf_iprune.export import model_format
from tf_iprune.runtime import simulator
from tf_iprune.runtime import testing

TOOLS = ("clang", "ld.lld", "mspdebug", "make")
pytestmark = pytest.mark.skipif(
    not all(shutil.which(t) for t in TOOLS),
    reason="needs Debian's clang, lld and mspdebug (make deps)")


def _build(case, directory, test_input=True):
  """make msp430 for the case's model; returns the CompletedProcess."""
  os.makedirs(directory, exist_ok=True)
  model_format.write_c(case.qmodel, directory, "model",
                       test_input=case.inputs[0] if test_input else None)
  return subprocess.run(
      ["make", "-C", simulator.RUNTIME_DIR, "msp430",
       "MODEL_C=%s" % os.path.join(directory, "model.c"),
       "BUILD=%s" % os.path.join(directory, "build")],
      capture_output=True, text=True, check=False, timeout=600)


def _memory(text):
  """Bytes of the `md` dumps in mspdebug's output."""
  out = bytearray()
  for line in text.splitlines():
    m = re.match(r"\s*([0-9a-f]{4,5}):((?: [0-9a-f]{2})+)\s+\|", line)
    if m:
      out += bytes(int(b, 16) for b in m.group(2).split())
  if not out:
    raise AssertionError("no memory dump in:\n%s" % text)
  return bytes(out)


def test_pruned_har_cnn_runs_on_mspdebug(tmp_path_factory):
  case = testing.zoo_case("har_cnn", testing.shared_dir(tmp_path_factory),
                          pruned=True)
  directory = str(tmp_path_factory.mktemp("msp430_har"))
  build = _build(case, directory)
  assert build.returncode == 0, build.stdout + build.stderr
  elf = os.path.join(directory, "build", "msp430", "iprune.elf")
  words = case.expected.shape[1]
  run = subprocess.run(
      ["mspdebug", "-n", "-q", "sim", "prog %s" % elf,
       "setbreak iprune_done", "run", "md iprune_output %d" % (2 * words),
       "md iprune_status 2"],
      capture_output=True, text=True, check=False, timeout=600)
  assert run.returncode == 0, run.stdout + run.stderr
  dump = _memory(run.stdout)  # The two dumps, in order.
  assert len(dump) == 2 * words + 2, run.stdout
  device = np.frombuffer(dump[:2 * words], "<i2")
  status = int(np.frombuffer(dump[2 * words:], "<i2")[0])
  host = simulator.run(case.model_bin, case.inputs[0])[0]["output"]
  assert status == 0
  np.testing.assert_array_equal(device, case.expected[0])
  np.testing.assert_array_equal(device, host)


def test_model_that_does_not_fit_is_refused(tmp_path_factory):
  case = testing.zoo_case("har_cnn", testing.shared_dir(tmp_path_factory))
  build = _build(case, str(tmp_path_factory.mktemp("msp430_dense")))
  assert build.returncode != 0
  assert "does not fit the MSP430FR5994's FRAM below 64 KB" in build.stdout


def test_missing_model_c_is_explained():
  run = subprocess.run(["make", "-C", simulator.RUNTIME_DIR, "msp430"],
                       capture_output=True, text=True, check=False)
  assert run.returncode != 0
  assert "MODEL_C=" in run.stdout + run.stderr


def test_dsplib_path_compiles():
  """The LEA path through TI DSPLib (not installable here) compiles
  -Wall -Werror clean against a declaration-only stub of its API."""
  run = subprocess.run(["make", "-C", simulator.RUNTIME_DIR, "dsplib-check"],
                       capture_output=True, text=True, check=False)
  assert run.returncode == 0, run.stdout + run.stderr
