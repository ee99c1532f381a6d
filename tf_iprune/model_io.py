"""Loading saved Keras models, pruned or not."""
import os

import tensorflow_model_optimization as tfmot

from tf_iprune.legacy_keras import keras

SUPPORTED_SUFFIXES = (".keras", ".h5")


def load_model(path, compile=False):  # pylint: disable=redefined-builtin
  """Loads a .keras / .h5 model saved by tf_keras, with pruning wrappers.

  Args:
    path: The model file.
    compile: Whether to restore the training configuration.

  Raises:
    ValueError: if the file is missing or not a supported format.
  """
  if not os.path.isfile(path):
    raise ValueError("Model file %r does not exist." % path)
  if not path.endswith(SUPPORTED_SUFFIXES):
    raise ValueError("Model file %r: supported formats are %s." %
                     (path, ", ".join(SUPPORTED_SUFFIXES)))
  with tfmot.sparsity.keras.prune_scope():
    return keras.models.load_model(path, compile=compile)
