"""Static description of a zoo model: data set, shapes and training recipe."""
import dataclasses
from typing import Optional, Tuple

# Data sets that mlperf_tiny_models ships loaders for.
DATASETS = ("har", "har_val7", "kws", "cifar10", "vww")

# Name of the final `keras.layers.Softmax` layer of every classifier. The layer
# before it produces logits, so an exporter can drop this one.
SOFTMAX_LAYER_NAME = "softmax"


@dataclasses.dataclass(frozen=True)
class TrainingRecipe:
  """Default training hyper-parameters, taken from the model's reference.

  Attributes:
    optimizer: Keras optimizer identifier, e.g. 'adam'.
    learning_rate: Initial learning rate.
    learning_rate_steps: Later rates of the reference's step schedule
      (`tf_iprune.callbacks.step_learning_rate`: the epochs split into equal
      parts, the first at `learning_rate`); () for a constant rate.
      Fine-tuning replays the whole schedule over its own epochs, as the
      reference implementation fine-tunes every pruning stage.
    epochs: Number of training epochs.
    batch_size: Training batch size.
    loss: Keras loss identifier. Classifiers use
      'sparse_categorical_crossentropy' on the softmax output, so labels are
      integer class ids.
  """
  optimizer: str
  learning_rate: float
  epochs: int
  batch_size: int
  loss: str
  learning_rate_steps: Tuple[float, ...] = ()

  def __post_init__(self):
    if (not isinstance(self.learning_rate, (int, float)) or
        not self.learning_rate > 0):
      raise ValueError("learning_rate must be positive, got %r." %
                       (self.learning_rate,))
    if not isinstance(self.learning_rate_steps, tuple) or not all(
        isinstance(r, (int, float)) and r > 0
        for r in self.learning_rate_steps):
      raise ValueError("learning_rate_steps must be a tuple of positive "
                       "rates, got %r." % (self.learning_rate_steps,))
    for field in ("epochs", "batch_size"):
      value = getattr(self, field)
      if not isinstance(value, int) or value < 1:
        raise ValueError("%s must be a positive int, got %r." % (field, value))


@dataclasses.dataclass(frozen=True)
class ModelInfo:
  """What a caller needs to know about a zoo model before building it.

  Attributes:
    name: Registry name, also the Keras model's name.
    dataset: One of `DATASETS`, or None if no data set is shipped for it.
    input_shape: Shape of one example, without the batch dimension.
    num_classes: Number of classes, or None for a model that does not
      classify (the anomaly-detection autoencoder).
    recipe: Default `TrainingRecipe`.
    reference: Where the architecture comes from.
  """
  name: str
  dataset: Optional[str]
  input_shape: Tuple[int, ...]
  num_classes: Optional[int]
  recipe: TrainingRecipe
  reference: str

  def __post_init__(self):
    if self.dataset is not None and self.dataset not in DATASETS:
      raise ValueError("Unknown dataset %r for model %r; expected one of %s or "
                       "None." % (self.dataset, self.name, ", ".join(DATASETS)))
    if not isinstance(self.input_shape, tuple) or not all(
        isinstance(d, int) and d > 0 for d in self.input_shape):
      raise ValueError("input_shape must be a tuple of positive ints, got %r."
                       % (self.input_shape,))
    if self.num_classes is not None and (
        not isinstance(self.num_classes, int) or self.num_classes < 2):
      raise ValueError("num_classes must be at least 2 or None, got %r." %
                       (self.num_classes,))
