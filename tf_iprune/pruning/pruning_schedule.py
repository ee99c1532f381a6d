"""The pruning schedule of intermittent-aware (block) pruning."""
import tensorflow as tf
import tensorflow_model_optimization as tfmot


class BlockSparsity(tfmot.sparsity.keras.PruningSchedule):
  """Prunes a layer once, to a cumulative block sparsity, then fine-tunes.

  iPrune prunes and then fine-tunes with the mask fixed. At training step
  `begin_step` (the first training step by default: the wrapper counts steps
  from 1) the layer's mask is recomputed so that `target_sparsity` of its
  kernel weights lie in pruned blocks (see `block_mask`); at every other
  step the mask only keeps the pruned weights at zero. Masks are cumulative,
  so a layer that is already that sparse is left as it is.
  """

  def __init__(self, target_sparsity=0.5, begin_step=1):
    """Initialises the schedule.

    Args:
      target_sparsity: Fraction of the layer's kernel weights, in [0, 1),
        that must be in pruned blocks after `begin_step`.
      begin_step: The training step at which the mask is computed (>= 1).
    """
    self.target_sparsity = float(target_sparsity)
    self.begin_step = int(begin_step)
    self._validate_sparsity(self.target_sparsity, "target_sparsity")
    if self.begin_step < 1:
      raise ValueError("begin_step must be >= 1 (the first training step is "
                       "1), got %r." % (begin_step,))

  def __call__(self, step):
    return (tf.math.equal(step, self.begin_step),
            tf.constant(self.target_sparsity, dtype=tf.float32))

  def get_config(self):
    return {
        "class_name": self.__class__.__name__,
        "config": {
            "target_sparsity": self.target_sparsity,
            "begin_step": self.begin_step,
        },
    }
