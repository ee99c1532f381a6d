"""tf_iprune: intermittent-aware pruning for TensorFlow/Keras.

Importing this package selects Keras 2 (`tf_keras`), which
tensorflow-model-optimization requires; user scripts need nothing else.
The public API is re-exported here.
"""
from tf_iprune import legacy_keras  # Must stay first: sets up Keras 2.

__version__ = "0.1.0"

# pylint: disable=g-bad-import-order,wrong-import-position
from tf_iprune.pruning import BlockSparsity
from tf_iprune.pruning import IntermittentPolicy
from tf_iprune.pruning import iprune
from tf_iprune.pruning import IterativePruner
from tf_iprune.pruning import prune_low_intermittency
from tf_iprune.pruning import prune_scope
from tf_iprune.pruning import PruningConfig
from tf_iprune.pruning import strip_pruning
