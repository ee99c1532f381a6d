"""What a pruned model is worth: accuracy and hardware cost, and their logs.

`measure` gives the numbers of one entry of `summary.json` (baseline, each
iteration, the chosen model). Hardware numbers come from
`tf_iprune.hardware.profile_model` with the pruner's tile plan: params (kernel
weights + biases of the accelerator layers), nonzero_weights, macs (MACs
with the zero weights skipped), acc_outputs, bsr_bytes and energy_j.
"""
import numpy as np
import tensorflow as tf

from tf_iprune import hardware
from tf_iprune.pruning import masked_eval
from tf_iprune.pruning import prune_registry


def accuracy(model, data, batch_size=256):
  """Top-1 accuracy (percent) of `model` on (x, y)."""
  x, y = data
  probs = model.predict(x, batch_size=batch_size, verbose=0)
  return masked_eval.accuracy_and_loss(probs, y)[0]


def measure(model, policy, val_data, test_data=None, batch_size=256):
  """Accuracy and cost numbers of a plain model.

  Args:
    model: The plain model.
    policy: The IntermittentPolicy (tile plan and target).
    val_data: (x, y) validation split.
    test_data: (x, y) test split or None; reported, never used to choose.
    batch_size: Evaluation batch size.

  Returns:
    A JSON-able dict: val_accuracy, test_accuracy, params, nonzero_weights,
    macs, acc_outputs, bsr_bytes, energy_j, ratios (per layer: fraction of
    the kernel that is zero) and layer_acc_outputs.
  """
  specs, plans = policy.model_plans(model)
  prof = hardware.profile_model(specs, hardware.keras_kernels(model),
                          target=policy.target, plans=plans)
  total = prof["total"]
  prunable = [row for row in prof["layers"] if row["weights"]]
  ratios = {}
  for row in prunable:
    kernel = prune_registry.prunable_weight(model.get_layer(row["name"]))
    ratios[row["name"]] = float(np.mean(kernel.numpy() == 0))
  return {
      "val_accuracy": accuracy(model, val_data, batch_size),
      "test_accuracy": (accuracy(model, test_data, batch_size)
                        if test_data is not None else None),
      "params": int(total["params"]),
      "nonzero_weights": int(total["nonzero_weights"]),
      "macs": int(total["nonzero_macs"]),
      "acc_outputs": int(total["acc_outputs"]),
      "bsr_bytes": int(total["bsr_bytes"]),
      "energy_j": float(total["energy_j"]),
      "ratios": ratios,
      "layer_acc_outputs": {row["name"]: int(row["acc_outputs"])
                            for row in prunable},
  }


def log_tensorboard(log_dir, step, record):
  """Per-iteration scalars: totals, per-layer sparsity and acc outputs."""
  writer = tf.summary.create_file_writer(log_dir)
  with writer.as_default():
    for key in ("val_accuracy", "test_accuracy", "acc_outputs",
                "nonzero_weights", "macs", "bsr_bytes", "energy_j",
                "overall_ratio"):
      if record.get(key) is not None:
        tf.summary.scalar(key, record[key], step=step)
    for name, value in record["ratios"].items():
      tf.summary.scalar("sparsity/" + name, value, step=step)
    for name, value in record["layer_acc_outputs"].items():
      tf.summary.scalar("acc_outputs/" + name, value, step=step)
  writer.close()
