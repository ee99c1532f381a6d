"""A made-up results.json for tests of the report and the plots."""


def _method(acc, outputs, latency, cycles):
  return {
      "val_accuracy": acc, "test_accuracy": acc, "test_accuracy_q15": acc,
      "q15_samples": 100, "params": 1000, "nonzero_weights": 500,
      "macs": 2000, "dense_macs": 4000, "acc_outputs": outputs,
      "bsr_bytes": 2048, "energy_j": 1e-3, "iterations": 2,
      "layers": [{"name": "conv", "type": "conv", "weights": 800,
                  "nonzero_weights": 400, "acc_outputs": outputs - 10,
                  "energy_j": 1e-3, "seconds": 0.6 * latency},
                 {"name": "pool", "type": "maxpool", "weights": 0,
                  "nonzero_weights": 0, "acc_outputs": 0, "energy_j": 1e-4,
                  "seconds": 0.25 * latency},
                 {"name": "fc", "type": "dense", "weights": 200,
                  "nonzero_weights": 100, "acc_outputs": 10,
                  "energy_j": 1e-4, "seconds": 0.15 * latency}],
      "ratios": {"conv": 0.5, "fc": 0.5},
      "power": {p: {"latency_s": latency * f, "power_cycles": cycles * c,
                    "on_time_s": latency, "charge_time_s": latency * (f - 1),
                    "nvm_bytes_written": 1000, "nvm_bytes_read": 2000,
                    "reexecuted_jobs": cycles * c, "energy_j": 1e-3,
                    "inputs": 2}
                for p, f, c in (("continuous", 1, 0), ("8mW", 2, 1),
                                ("4mW", 5, 4))},
      "path": [{"iteration": t, "within_epsilon": t < 2, "chosen": t == 1,
                "val_accuracy": acc + 0.01 * (1 - t),
                "test_accuracy": acc + 0.01 * (1 - t),
                "acc_outputs": outputs + 100 * (1 - t),
                "latency_s": {p: latency * f * (1 + 0.2 * (1 - t))
                              for p, f in (("continuous", 1), ("8mW", 2),
                                           ("4mW", 5))}}
               for t in range(3)],
      "plan": "reference", "wall_s": 1.0,
  }


def results():
  """Two models; on 'har_cnn' iPrune is 2x faster than unpruned and 1.25x
  faster than ePrune everywhere; on 'toy' it misses every threshold."""
  return {"models": {
      "har_cnn": {
          "data": "UCI HAPT recordings (real)", "dataset": "har",
          "baseline": {"val_accuracy": 0.95, "test_accuracy": 0.90},
          "unpruned": _method(0.90, 1000, 2.0, 10),
          "magnitude": _method(0.90, 990, 1.9, 10),
          "energy": _method(0.899, 800, 1.25, 6),
          "intermittent": _method(0.895, 500, 1.0, 5),
      },
      "toy": {
          "data": "made up", "dataset": "har",
          "baseline": {"val_accuracy": 0.95, "test_accuracy": 0.90},
          "unpruned": _method(0.90, 1000, 1.0, 10),
          "energy": _method(0.90, 900, 0.95, 9),
          "intermittent": _method(0.85, 950, 0.98, 9),
      }},
      "config": {"seed": 0}}
