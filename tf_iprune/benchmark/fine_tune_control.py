"""Fine-tuning alone: what a pruning iteration's fine-tuning does unpruned.

The loop decides each step against the unpruned model fine-tuned alike (its
reference); the claims compare with the unpruned model itself. If
fine-tuning with nothing pruned already moves the accuracy, that part of a
pruned model's drop is the fine-tuning's, not the pruning's. `control`
fine-tunes a trained model with no block pruned, exactly as an iteration
does (`fine_tune.fine_tune_blocks`), per learning-rate schedule and seed:
'rewind', the rates of the last fine-tuning epochs of the recipe's training
schedule (learning-rate rewinding, Renda et al., ICLR 2020;
`callbacks.rewound_learning_rate`), 'replay', the whole schedule over the
fine-tuning epochs (how the pruning fine-tunes by default: the reference's
practice), 'constant', its first rate throughout, and 'final', its last
rate throughout (standard fine-tuning in Renda et al.).
"""
import tqdm

from tf_iprune import callbacks
from tf_iprune.benchmark import tuning_noise
from tf_iprune.pruning import fine_tune
from tf_iprune.pruning import report

SCHEDULES = ("rewind", "replay", "constant", "final")


def control(model, policy, data, epochs, recipe, training_epochs, seeds,
            schedules=SCHEDULES):
  """Accuracies of `model` fine-tuned with nothing pruned.

  Args:
    model: The trained, unpruned model.
    policy: The IntermittentPolicy the pruning uses.
    data: (train, val, test) splits, each (x, y).
    epochs: Fine-tuning epochs (the pruning's budget).
    recipe: The model's TrainingRecipe (rates, batch size, loss).
    training_epochs: Epochs the model was trained for ('rewind').
    seeds: Fine-tuning seeds.
    schedules: Names from SCHEDULES.

  Returns:
    {'baseline': {'val', 'test'}, 'epochs', 'seeds', 'schedules': [{'name',
    'rates', 'val', 'test'}]}: accuracies in percent, per schedule [min, max]
    over the seeds; 'rates' the rate of each epoch.

  Raises:
    ValueError: on an unknown schedule name.
  """
  unknown = sorted(set(schedules) - set(SCHEDULES))
  if unknown:
    raise ValueError("Unknown schedules %s; supported: %s." % (
        unknown, ", ".join(SCHEDULES)))
  train, val, test = data
  base = report.measure(model, policy, val, test)
  rows = []
  rates_of = (recipe.learning_rate,) + recipe.learning_rate_steps
  # (first rate, later rates, training epochs) of each schedule.
  settings = {"rewind": (rates_of[0], rates_of[1:], training_epochs),
              "replay": (rates_of[0], rates_of[1:], None),
              "constant": (rates_of[0], (), None),
              "final": (rates_of[-1], (), None)}
  for name in schedules:
    first, steps, trained = settings[name]
    runs = [report.measure(fine_tune.fine_tune_blocks(
        model, {}, policy, train, val, epochs, recipe.batch_size,
        first, recipe.loss, seed, learning_rate_steps=steps,
        training_epochs=trained), policy, val, test)
            for seed in tqdm.tqdm(seeds, desc="%s: %s" % (model.name, name),
                                  unit="seed", leave=False)]
    rates = [callbacks.rewound_learning_rate(first, steps, e, epochs, trained)
             for e in range(epochs)]
    rows.append({"name": name, "rates": rates,
                 "val": tuning_noise.value_range(
                     [r["val_accuracy"] for r in runs]),
                 "test": tuning_noise.value_range(
                     [r["test_accuracy"] for r in runs])})
  return {"baseline": {"val": base["val_accuracy"],
                       "test": base["test_accuracy"]},
          "epochs": epochs, "seeds": len(seeds), "schedules": rows}


def _runs(rates):
  """'5e-4 x 4, 1e-4 x 6': each rate and its epochs, in order."""
  parts = []
  for rate in rates:
    if parts and parts[-1][0] == rate:
      parts[-1][1] += 1
    else:
      parts.append([rate, 1])
  return ", ".join("%g x %d" % (rate, n) for rate, n in parts)


def table(rows):
  """Markdown of (model, control result) rows."""
  lines = ["| model | fine-tuning | learning rate x epochs | seeds | val "
           "accuracy | test accuracy |", "|---|---|---|---|---|---|"]
  for model, result in rows:
    base = result["baseline"]
    lines.append("| %s | none (the baseline) | | | %.2f | %.2f |" % (
        model, base["val"], base["test"]))
    for row in result["schedules"]:
      lines.append("| %s | %s | %s | %d | %.2f-%.2f | %.2f-%.2f |" % (
          model, row["name"], _runs(row["rates"]), result["seeds"],
          *row["val"], *row["test"]))
  return "\n".join(lines)
