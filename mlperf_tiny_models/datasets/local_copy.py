"""Locates a user's local copy of a data set and checks its layout."""
import os
from typing import Sequence


def find_root(data_dir: str, required: Sequence[str], archive_folder: str,
              dataset: str) -> str:
  """Returns the folder of `data_dir` that holds a data set's files.

  The data set may sit in `data_dir` itself or in the folder its archive
  unpacks to (`data_dir/archive_folder`).

  Args:
    data_dir: The folder the user passed.
    required: Paths, relative to the data set's folder, that must exist.
    archive_folder: The folder name the data set's archive unpacks to.
    dataset: Human-readable data set name for error messages.

  Returns:
    The folder holding all of `required`.

  Raises:
    ValueError: If `data_dir` is not a folder, or the first of `required`
      that is missing, named in the message.
  """
  if not os.path.isdir(data_dir):
    raise ValueError("data_dir %r is not a folder; it should hold the %s."
                     % (data_dir, dataset))
  nested = os.path.join(data_dir, archive_folder)
  root = data_dir
  if (not os.path.exists(os.path.join(data_dir, required[0]))
      and os.path.isdir(nested)):
    root = nested
  for rel in required:
    if not os.path.exists(os.path.join(root, rel)):
      raise ValueError(
          "data_dir %r does not hold the %s: %r is missing in %r (pass the "
          "%r folder its archive unpacks to, or that folder's parent)."
          % (data_dir, dataset, rel, root, archive_folder))
  return root
