"""The pruning policy: which layers are pruned, and in which blocks.

`IntermittentPolicy` prunes every Conv2D, DepthwiseConv2D and Dense layer of
a model that the intermittent runtime can execute, in the blocks of the
model's tile plan (`tf_iprune.hardware.plan_model`): one block is the
weights of one accelerator operation.
"""
import tensorflow_model_optimization as tfmot

from tf_iprune import hardware
from tf_iprune.hardware import layer_spec as layer_spec_lib
from tf_iprune.hardware import tiling
from tf_iprune.legacy_keras import keras
from tf_iprune.pruning import prune_registry


def _overrides_config(overrides):
  config = {}
  for name, tile in (overrides or {}).items():
    if isinstance(tile, hardware.TilePlan):
      config[name] = tile.to_dict()
    else:
      config[name] = [int(t) for t in tile]
  return config


def _overrides_from_config(config):
  return {name: hardware.TilePlan(**tile) if isinstance(tile, dict)
          else tuple(tile) for name, tile in (config or {}).items()}


class IntermittentPolicy(tfmot.sparsity.keras.PruningPolicy):
  """Prunes accelerator layers in blocks of one accelerator operation.

  Args:
    plan: Tile plan name, 'auto' or 'reference'; None picks 'reference' for
      the paper's models and 'auto' otherwise.
    model_name: Zoo model name for plan='reference'; None uses the Keras
      model's name.
    tile_overrides: {layer name: (tile_m, tile_n) or TilePlan}.
    target: `hardware.Target`; None for the MSP430FR5994.
  """

  def __init__(self, plan=None, model_name=None, tile_overrides=None,
               target=None):
    if plan is not None and plan not in hardware.PLANS:
      raise ValueError("Unknown tile plan %r; supported: %s." %
                       (plan, ", ".join(hardware.PLANS)))
    self.plan = plan
    self.model_name = model_name
    self.tile_overrides = _overrides_from_config(
        _overrides_config(tile_overrides))
    self.target = target or hardware.Target.msp430fr5994()

  def allow_pruning(self, layer):
    return prune_registry.supports(layer)

  def ensure_model_supports_pruning(self, model):
    """Checks that the runtime can run `model` and that it has prunable layers.

    Raises:
      ValueError: for subclassed or already wrapped models, layers the
        runtime cannot execute (named by `specs_from_keras`), or a model
        with no Conv2D, DepthwiseConv2D or Dense layer.
    """
    self.layer_plans(model)

  def model_plans(self, model):
    """(specs, {spec name: TilePlan}) of every runtime layer of `model`."""
    if not isinstance(model, keras.Model) or not (
        isinstance(model, keras.Sequential) or
        model._is_graph_network):  # pylint: disable=protected-access
      raise ValueError("Intermittent-aware pruning needs a Sequential or "
                       "Functional tf_keras model, got %s." %
                       type(model).__name__)
    for layer in model.layers:
      if isinstance(layer, keras.layers.Wrapper):
        raise ValueError(
            "Layer %r of model %r is already wrapped (%s); call "
            "strip_pruning first." % (layer.name, model.name,
                                      type(layer).__name__))
    specs = hardware.specs_from_keras(model)
    model_name = self.model_name or model.name
    return specs, hardware.plan_model(specs, self.target, self.plan,
                                      model_name, self.tile_overrides)

  def layer_plans(self, model):
    """{layer name: (LayerSpec, TilePlan)} of the model's prunable layers."""
    specs, plans = self.model_plans(model)
    layers = layer_spec_lib.prunable_keras_layers(model)
    result = {}
    for spec in specs:
      if spec.prunable:
        if not prune_registry.supports(layers[spec.name]):
          raise ValueError(
              "Layer %r of type %s cannot be pruned; supported: %s." %
              (spec.name, type(layers[spec.name]).__name__,
               prune_registry.supported_names()))
        result[spec.name] = (spec, plans[spec.name])
    if not result:
      raise ValueError("Model %r has nothing to prune: it has no %s layer." %
                       (model.name, prune_registry.supported_names()))
    return result

  def get_config(self):
    return {
        "plan": self.plan,
        "model_name": self.model_name,
        "tile_overrides": _overrides_config(self.tile_overrides),
        "target": self.target.to_dict(),
    }

  @classmethod
  def from_config(cls, config):
    config = dict(config)
    config["target"] = hardware.Target.from_dict(config["target"])
    return cls(**config)
