"""Prune-and-fine-tune of one iteration, for the block and magnitude methods.

Both train with tfmot's `UpdatePruningStep` (and `PruningSummaries` when a
log folder is given), a fresh Adam optimizer and the same number of epochs
on the model's training schedule scaled to those epochs (as the reference
fine-tunes every stage with its training schedule) or rewound to its last
epochs (`callbacks.rewound_learning_rate`), keep the weights of the epoch
with the best validation accuracy (as training does; for the magnitude
schedule only epochs at its final sparsity qualify), and return the
stripped model. Seeds are set right before the model is wrapped, so a run
resumed from a saved model trains identically.
"""
import math

import tensorflow_model_optimization as tfmot

from tf_iprune import callbacks as callbacks_lib
from tf_iprune.legacy_keras import keras
from tf_iprune.pruning import model_utils
from tf_iprune.pruning import prune


def _fit(wrapped, train_data, val_data, epochs, batch_size, learning_rate,
         learning_rate_steps, training_epochs, loss, log_dir, verbose,
         from_epoch=1):
  x, y = train_data
  wrapped.compile(optimizer=keras.optimizers.Adam(learning_rate), loss=loss,
                  metrics=["accuracy"])
  callbacks = [tfmot.sparsity.keras.UpdatePruningStep(),
               callbacks_lib.KeepBestWeights(from_epoch),
               callbacks_lib.StepLearningRate(
                   learning_rate, learning_rate_steps, epochs,
                   training_epochs)]
  if log_dir:
    callbacks.append(tfmot.sparsity.keras.PruningSummaries(log_dir=log_dir))
  wrapped.fit(x, y, batch_size=batch_size, epochs=epochs, shuffle=True,
              validation_data=tuple(val_data), callbacks=callbacks,
              verbose=2 if verbose else 0)
  return prune.strip_pruning(wrapped)


def fine_tune_blocks(model, sparsities, policy, train_data, val_data, epochs,
                     batch_size, learning_rate, loss, seed, log_dir=None,
                     verbose=False, learning_rate_steps=(),
                     training_epochs=None):
  """Prunes each layer to its cumulative block sparsity, then fine-tunes.

  Args:
    model: Plain model to prune (not changed).
    sparsities: {layer name: BlockSparsity target}.
    policy: The IntermittentPolicy (tile plan).
    train_data: (x, y) training arrays.
    val_data: (x, y) validation arrays: the best epoch on them is kept.
    epochs, batch_size, learning_rate, loss: Fine-tuning settings.
    seed: Seeds Python, numpy and TensorFlow before training.
    log_dir: TensorBoard folder, or None.
    verbose: Print one line per epoch.
    learning_rate_steps: Later rates of the training's step schedule
      (`callbacks.step_learning_rate`); () for a constant rate.
    training_epochs: None replays the whole schedule over `epochs`; else
      the epochs of that training, whose last `epochs` fine-tuning runs at
      (`callbacks.rewound_learning_rate`).

  Returns:
    The stripped, fine-tuned model.
  """
  keras.utils.set_random_seed(seed)
  wrapped = prune.prune_low_intermittency(model, dict(sparsities),
                                          pruning_policy=policy)
  return _fit(wrapped, train_data, val_data, epochs, batch_size,
              learning_rate, learning_rate_steps, training_epochs, loss,
              log_dir, verbose)


def magnitude_schedule(initial_sparsity, final_sparsity, train_size, epochs,
                       batch_size):
  """tfmot PolynomialDecay over the first half of the fine-tuning steps.

  Masks are updated ten times on the way (every `frequency` steps) and the
  final sparsity is reached at `end_step`, half way through, leaving the
  second half to recover.

  Returns:
    (the schedule, the first epoch (1-based) that ends at final sparsity).
  """
  steps_per_epoch = math.ceil(train_size / batch_size)
  steps = epochs * steps_per_epoch
  frequency = max(1, steps // 20)
  end_step = frequency * max(1, (steps // 2) // frequency)
  schedule = tfmot.sparsity.keras.PolynomialDecay(
      initial_sparsity=initial_sparsity, final_sparsity=final_sparsity,
      begin_step=0, end_step=end_step, frequency=frequency)
  return schedule, min(epochs, math.ceil((end_step + 1) / steps_per_epoch))


def tfmot_block_size(spec, tile):
  """The block_size a tfmot user would give: the tile's, where tfmot can.

  tfmot only handles blocks of 2-D kernels (Dense), and its pooling
  squeezes away a dimension with a single block, which then fails; those
  layers are pruned weight by weight.
  """
  if spec.kind != "dense":
    return (1, 1)
  if (-(-spec.in_channels // tile.tile_n) < 2 or
      -(-spec.out_channels // tile.tile_m) < 2):
    return (1, 1)
  return (tile.tile_n, tile.tile_m)


def fine_tune_magnitude(model, initial_sparsity, final_sparsity, policy,
                        train_data, val_data, epochs, batch_size,
                        learning_rate, loss, seed, log_dir=None,
                        verbose=False, learning_rate_steps=(),
                        training_epochs=None):
  """The `magnitude` baseline: tfmot's prune_low_magnitude, as a user would.

  Conv2D and Dense layers are wrapped by `prune_low_magnitude` with a
  PolynomialDecay from `initial_sparsity` to `final_sparsity`; Dense layers
  use tfmot's block_size = (tile_n, tile_m) of the tile plan where tfmot
  supports it (`tfmot_block_size`), Conv2D prunes single weights and
  DepthwiseConv2D is not pruned (tfmot cannot). Same settings as
  `fine_tune_blocks`.
  """
  keras.utils.set_random_seed(seed)
  plans = policy.layer_plans(model)
  schedule, final_epoch = magnitude_schedule(
      initial_sparsity, final_sparsity, len(train_data[0]), epochs,
      batch_size)

  def wrap(layer):
    if layer.name not in plans or isinstance(
        layer, keras.layers.DepthwiseConv2D):
      return layer
    return tfmot.sparsity.keras.prune_low_magnitude(
        layer, pruning_schedule=schedule,
        block_size=tfmot_block_size(*plans[layer.name]))

  wrapped = model_utils.clone_wrapped(model, wrap)
  return _fit(wrapped, train_data, val_data, epochs, batch_size,
              learning_rate, learning_rate_steps, training_epochs, loss,
              log_dir, verbose, from_epoch=final_epoch)
