"""Tests for scripts/train.py, the command line of training.train."""
import os

from tf_iprune import testing


def _run_script(*args):
  return testing.run_script("train.py", *args)


def test_help_lists_the_flags():
  result = _run_script("--help")  # absl exits with status 1 after --help.
  assert "Trains a zoo model" in result.stdout, result.stderr
  for flag in ("--model", "--dataset", "--data_dir", "--epochs",
               "--batch_size", "--seed", "--out_dir", "--learning_rate"):
    assert flag in result.stdout


def test_model_without_data_set_is_a_clear_error(tmp_path):
  result = _run_script("--model=ad_autoencoder", "--out_dir=%s" % tmp_path)
  assert result.returncode == 1
  assert "Error: Model 'ad_autoencoder' has no data set" in result.stderr
  assert not os.listdir(tmp_path)


def test_data_set_of_other_inputs_is_a_clear_error(tmp_path):
  result = _run_script("--model=har_cnn", "--dataset=cifar10",
                       "--out_dir=%s" % tmp_path)
  assert result.returncode == 1
  assert "Error: Data set 'cifar10' has inputs (32, 32, 3)" in result.stderr
  assert not os.listdir(tmp_path)
