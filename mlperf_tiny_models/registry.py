"""Looks zoo models up by name: `get_model`, `get_model_info`, `list_models`."""
import inspect

from mlperf_tiny_models.models import ad_autoencoder
from mlperf_tiny_models.models import cks_cnn
from mlperf_tiny_models.models import har_cnn
from mlperf_tiny_models.models import ic_resnet8
from mlperf_tiny_models.models import kws_dscnn
from mlperf_tiny_models.models import sqn
from mlperf_tiny_models.models import vww_mobilenet

_REGISTRY = {
    module.INFO.name: module for module in (
        ad_autoencoder,
        cks_cnn,
        har_cnn,
        ic_resnet8,
        kws_dscnn,
        sqn,
        vww_mobilenet,
    )
}


def list_models():
  """Returns the sorted names of all zoo models."""
  return sorted(_REGISTRY)


def _lookup(name):
  if not isinstance(name, str) or name not in _REGISTRY:
    raise ValueError("Unknown model %r; available models: %s." %
                     (name, ", ".join(list_models())))
  return _REGISTRY[name]


def get_model_info(name):
  """Returns the `ModelInfo` of a zoo model.

  Args:
    name: A name from `list_models()`.

  Raises:
    ValueError: If `name` is not a zoo model.
  """
  return _lookup(name).INFO


def get_model(name, **kwargs):
  """Builds a zoo model.

  Args:
    name: A name from `list_models()`.
    **kwargs: Options of that model's builder, e.g. `num_filters` for
      'ic_resnet8'.

  Returns:
    A new, uncompiled `tf_keras` Functional model. Classifiers end in a
    `keras.layers.Softmax` layer named `model_info.SOFTMAX_LAYER_NAME`, whose
    input is the logits.

  Raises:
    ValueError: If `name` is not a zoo model, or `kwargs` holds an option the
      model does not take or a bad value.
  """
  module = _lookup(name)
  accepted = sorted(inspect.signature(module.build).parameters)
  unknown = sorted(set(kwargs) - set(accepted))
  if unknown:
    raise ValueError(
        "Model %r got unknown keyword argument(s) %s; it accepts %s." %
        (name, ", ".join(unknown), ", ".join(accepted) or "none"))
  return module.build(**kwargs)
