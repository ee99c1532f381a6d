"""Tests for scripts/export_msp430.py (run as a user would)."""
import json
import os

import mlperf_tiny_models
from tf_iprune import testing
from tf_iprune.legacy_keras import keras


def _run(*args):
  return testing.run_script("export_msp430.py", *args, timeout=300)


def test_exports_a_saved_model(tmp_path):
  path = str(tmp_path / "har.keras")
  mlperf_tiny_models.get_model("har_cnn").save(path)
  out = tmp_path / "export"
  proc = _run("--model_path=%s" % path, "--out_dir=%s" % out,
              "--dataset=random", "--calibration_samples=16",
              "--plan=reference", "--name=har_demo")
  assert proc.returncode == 0, proc.stderr
  assert "har_demo -> " in proc.stdout
  with open(out / "report.json") as f:
    report = json.load(f)
  assert report["model"] == "har_demo" and report["plan"] == "reference"
  assert [(l["T_m"], l["T_n"]) for l in report["layers"]
          if l["type"] == "conv"] == [(6, 9), (6, 18), (6, 36)]
  assert (out / "model.bin").is_file() and (out / "model.c").is_file()


def test_unsupported_model_gives_a_clear_error(tmp_path):
  inputs = keras.Input((4,))
  model = keras.Model(inputs, keras.layers.Dense(
      2, activation="tanh", name="fc")(inputs), name="tanh_model")
  path = str(tmp_path / "tanh.keras")
  model.save(path)
  proc = _run("--model_path=%s" % path, "--out_dir=%s" % (tmp_path / "o"),
              "--dataset=random")
  assert proc.returncode == 1
  assert "op Tanh, from Keras layer 'fc'" in proc.stderr
  assert "Traceback" not in proc.stderr
  assert not os.path.exists(tmp_path / "o")


def test_help_lists_the_flags():
  proc = _run("--help")  # absl exits with status 1 after printing help.
  for flag in ("--model_path", "--out_dir", "--dataset",
               "--calibration_split", "--data_dir", "--plan", "--name"):
    assert flag in proc.stdout
