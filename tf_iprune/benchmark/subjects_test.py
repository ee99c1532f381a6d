"""Tests for subjects: accuracy per HAR subject."""
import numpy as np
import pytest

from mlperf_tiny_models.datasets import har
from tf_iprune.benchmark import subjects
from tf_iprune.benchmark import testing


class _Constant:
  """A stand-in Keras model that always predicts class 1."""

  def predict(self, x, verbose=0):
    del verbose
    scores = np.zeros((len(x), 3), np.float32)
    scores[:, 1] = 1.0
    return scores


def _windows(y, subject):
  return har.Windows(np.zeros((len(y), 1, 4, 1), np.float32),
                     np.array(y, np.int64), np.array(subject, np.int64))


def test_accuracy_by_subject_counts_each_subjects_windows():
  windows = _windows([1, 1, 0, 1, 2], [7, 7, 7, 3, 3])
  assert subjects.accuracy_by_subject(_Constant(), windows) == {
      3: (2, 50.0), 7: (3, pytest.approx(200.0 / 3))}


def test_table_rows_per_subject_and_overall():
  accuracies = {"unpruned": {"val": {3: (2, 50.0)},
                             "test": {2: (2, 100.0), 4: (2, 50.0)}},
                "intermittent": {"val": {3: (2, 100.0)},
                                 "test": {2: (2, 50.0), 4: (2, 0.0)}}}
  lines = subjects.table(accuracies).splitlines()
  assert lines[0] == "| split | subject | windows | Unpruned | iPrune |"
  assert lines[2:] == ["| val | 3 | 2 | 50.0% | 100.0% |",
                       "| val | all | 2 | 50.00% | 100.00% |",
                       "| test | 2 | 2 | 100.0% | 50.0% |",
                       "| test | 4 | 2 | 50.0% | 0.0% |",
                       "| test | all | 4 | 75.00% | 25.00% |"]


def test_only_data_split_by_subject():
  results = testing.results()
  assert subjects.split_by_subject(results, "har_cnn") == "har"
  results["models"]["har_cnn"]["dataset"] = "har_val7"
  assert subjects.split_by_subject(results, "har_cnn") == "har_val7"
  results["models"]["toy"]["dataset"] = "kws"
  with pytest.raises(ValueError, match="toy uses the 'kws' data set.*har, "
                     "har_val7"):
    subjects.split_by_subject(results, "toy")
  with pytest.raises(ValueError, match="no model 'sqn'"):
    subjects.split_by_subject(results, "sqn")


def test_windows_of_each_har_data_set_hold_its_validation_subjects():
  for dataset, val_subjects in har.VAL_SUBJECTS_OF.items():
    windows = subjects.load_windows(dataset, "val")
    assert set(windows.subject) == set(val_subjects)


def test_method_model_path():
  assert subjects.method_model_path("runs/a", "har_cnn", "energy") == (
      "runs/a/har_cnn/energy/pruning/model.keras")
