"""Tests for runner: what a finished run's results.json reads as."""
import json

import pytest

from tf_iprune.benchmark import runner


def test_read_results_keeps_the_runs_model_order(tmp_path):
  results = {"models": {"cks_cnn": {}, "har_cnn": {}, "sqn": {}},
             "config": {"models": ["sqn", "har_cnn", "cks_cnn"]}}
  (tmp_path / runner.RESULTS_FILE).write_text(json.dumps(results))
  assert list(runner.read_results(str(tmp_path))["models"]) == [
      "sqn", "har_cnn", "cks_cnn"]


def test_read_results_of_a_folder_without_a_run_is_a_clear_error(tmp_path):
  with pytest.raises(ValueError, match="has no results.json"):
    runner.read_results(str(tmp_path))


def test_fine_tune_epochs_counts_and_recipes():
  models = ("har_cnn", "kws_dscnn", "sqn")
  assert runner.fine_tune_epochs(["7", "sqn=recipe"], models) == {
      "har_cnn": 7, "kws_dscnn": 7, "sqn": 20}
  assert runner.fine_tune_epochs(["recipe", "har_cnn=2"], models) == {
      "har_cnn": 2, "kws_dscnn": 36, "sqn": 20}


@pytest.mark.parametrize("entries, message", [
    (["some"], "N or MODEL=N"),
    (["har_cnn=many"], "N or MODEL=N"),
    (["cks_cnn=recipe"], "'cks_cnn' is not a benchmarked model"),
])
def test_fine_tune_epochs_bad_entries_are_clear_errors(entries, message):
  with pytest.raises(ValueError, match=message):
    runner.fine_tune_epochs(entries, ("har_cnn",))


def test_a_model_uses_its_own_data_set_unless_told_otherwise():
  config = runner.BenchmarkConfig(
      models=("har_cnn", "sqn"), datasets={"har_cnn": "har_val7"})
  assert config.dataset_for("har_cnn") == "har_val7"
  assert config.dataset_for("sqn") == "cifar10"
  assert runner.model_datasets(["har_cnn=har_val7"]) == {
      "har_cnn": "har_val7"}
  with pytest.raises(ValueError, match="--dataset entries are MODEL=DATASET"):
    runner.model_datasets(["har_val7"])
  with pytest.raises(ValueError, match="'vww' has inputs"):
    runner.BenchmarkConfig(models=("sqn",), datasets={"sqn": "vww"})
