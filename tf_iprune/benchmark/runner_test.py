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
