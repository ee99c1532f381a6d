"""Tests for scripts/subject_accuracy.py (run as a user would); the table is
tested in tf_iprune/benchmark/subjects_test.py."""
import tf_keras

from mlperf_tiny_models.datasets import har
from tf_iprune import io_utils
from tf_iprune import testing
from tf_iprune.benchmark import subjects


def _run(*args):
  return testing.run_script("subject_accuracy.py", *args, timeout=300)


def _write_run(out_dir, dataset="har"):
  io_utils.write_json(str(out_dir / "results.json"), {"models": {
      "har_cnn": {"dataset": dataset, "unpruned": {}}}})


def test_a_row_per_subject_of_both_splits(tmp_path):
  _write_run(tmp_path)
  model = tf_keras.Sequential([
      tf_keras.layers.Flatten(input_shape=har.INPUT_SHAPE),
      tf_keras.layers.Dense(len(har.CLASS_NAMES))])
  io_utils.save_model(model, subjects.method_model_path(
      str(tmp_path), "har_cnn", "unpruned"))
  proc = _run("--out_dir=%s" % tmp_path, "--methods=unpruned")
  assert proc.returncode == 0, proc.stderr
  rows = [line.split(" | ")[:2] for line in proc.stdout.splitlines()[2:]]
  expected = ([["| val", str(s)] for s in har.VAL_SUBJECTS] + [["| val", "all"]]
              + [["| test", str(s)] for s in har.TEST_SUBJECTS]
              + [["| test", "all"]])
  assert rows == expected


def test_bad_flags_are_clear_errors(tmp_path):
  proc = _run("--out_dir=%s" % tmp_path)
  assert proc.returncode != 0 and "no results.json" in proc.stderr
  _write_run(tmp_path, dataset="kws")
  proc = _run("--out_dir=%s" % tmp_path)
  assert "har_cnn uses the 'kws' data set" in proc.stderr
  _write_run(tmp_path)
  proc = _run("--out_dir=%s" % tmp_path, "--methods=energy")
  assert "the run has no 'energy' model of har_cnn" in proc.stderr
  assert "Traceback" not in proc.stderr
  assert "--methods" in _run("--help").stdout
