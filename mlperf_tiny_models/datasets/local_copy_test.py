"""Tests for locating a local copy of a data set."""
import pytest

from mlperf_tiny_models.datasets import local_copy


def _make(root, *paths):
  for path in paths:
    (root / path).parent.mkdir(parents=True, exist_ok=True)
    (root / path).write_text("")


def test_finds_files_in_data_dir(tmp_path):
  _make(tmp_path, "a.txt", "sub/b.txt")
  assert local_copy.find_root(
      str(tmp_path), ["a.txt", "sub/b.txt"], "archive", "Demo") == str(
          tmp_path)


def test_finds_files_in_archive_folder(tmp_path):
  _make(tmp_path / "archive", "a.txt")
  assert local_copy.find_root(str(tmp_path), ["a.txt"], "archive",
                              "Demo") == str(tmp_path / "archive")


def test_missing_file_is_named(tmp_path):
  _make(tmp_path, "a.txt")
  with pytest.raises(ValueError, match=r"Demo data: 'sub/b.txt' is missing"):
    local_copy.find_root(str(tmp_path), ["a.txt", "sub/b.txt"], "archive",
                         "Demo data")


def test_data_dir_must_be_a_folder(tmp_path):
  with pytest.raises(ValueError, match="is not a folder"):
    local_copy.find_root(str(tmp_path / "nope"), ["a.txt"], "archive", "Demo")
