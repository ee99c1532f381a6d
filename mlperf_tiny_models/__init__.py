"""MLPerf Tiny reference models, the iPrune paper's models, and data sets."""
from tf_iprune import legacy_keras  # Must stay first: sets up Keras 2.

# pylint: disable=g-bad-import-order
from mlperf_tiny_models.model_info import DATASETS
from mlperf_tiny_models.model_info import ModelInfo
from mlperf_tiny_models.model_info import SOFTMAX_LAYER_NAME
from mlperf_tiny_models.model_info import TrainingRecipe
from mlperf_tiny_models.registry import get_model
from mlperf_tiny_models.registry import get_model_info
from mlperf_tiny_models.registry import list_models
