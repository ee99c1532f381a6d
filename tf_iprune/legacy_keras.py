"""Selects Keras 2 (`tf_keras`) before TensorFlow is imported.

tensorflow-model-optimization only supports Keras 2. TensorFlow reads
`TF_USE_LEGACY_KERAS` once, when `tf.keras` is first touched, so this module
must run before any TensorFlow import; `import tf_iprune` and
`import mlperf_tiny_models` do that for the user.
"""
import os
import sys

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

if os.environ["TF_USE_LEGACY_KERAS"] not in ("1", "true", "True"):
  raise ImportError(
      "tf_iprune needs Keras 2: TF_USE_LEGACY_KERAS is set to %r; unset it "
      "or set it to 1." % os.environ["TF_USE_LEGACY_KERAS"])
if "tensorflow" in sys.modules:
  import tensorflow as _tf  # pylint: disable=g-import-not-at-top
  if not _tf.keras.__name__.startswith("tf_keras"):
    raise ImportError(
        "tf.keras was imported as Keras 3 before tf_iprune; import tf_iprune "
        "(or set TF_USE_LEGACY_KERAS=1) before importing tensorflow.keras.")

import tf_keras as keras  # pylint: disable=g-import-not-at-top,unused-import
