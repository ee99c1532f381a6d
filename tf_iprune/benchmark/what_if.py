"""What-if latencies of a benchmark's models on an idealised runtime.

`hardware.profile_model(free_reads=...)` leaves out the NVM reads of chosen
operands of accelerator jobs (input tiles, weight blocks, partial sums, ...),
as a runtime that kept them in VM would. Applied to every model a benchmark
run chose, it tells how much of iPrune's speed-up is held back by operand
re-fetching rather than by the accelerator outputs it removes.
"""
import os

from tf_iprune import hardware
from tf_iprune import io_utils
from tf_iprune.benchmark import report
from tf_iprune.benchmark import runner


def latencies(out_dir, free_reads, power="4mW"):
  """Hardware-model latencies of a benchmark run's models, as built and not.

  Args:
    out_dir: Output folder of scripts/benchmark.py (results.json and
      MODEL/METHOD/pruning/model.keras).
    free_reads: Operands whose reads the idealised runtime leaves out
      (hardware.READ_OPERANDS).
    power: Power strength. The latency is of one inference from a full
      energy buffer, or the mean back to back if the run measured that
      (its config's back_to_back).

  Returns:
    {model: {method: {'acc_outputs', 'latency_s', 'what_if_latency_s'}}}.

  Raises:
    ValueError: on an unknown operand or a run without results.json.
  """
  hardware.check_free_reads(free_reads)
  results = runner.read_results(out_dir)
  back_to_back = results.get("config", {}).get("back_to_back", False)
  out = {}
  for model_name, r in results["models"].items():
    out[model_name] = {}
    for method in report.METHOD_NAMES:
      if method not in r:
        continue
      model = io_utils.load_model(os.path.join(
          out_dir, model_name, method, "pruning", "model.keras"))
      built, ideal = (hardware.profile_keras(
          model, plan=r[method]["plan"], model_name=model_name, power=power,
          free_reads=free, back_to_back=back_to_back)["total"] for free in ((), tuple(free_reads)))
      out[model_name][method] = {
          "acc_outputs": built["acc_outputs"],
          "latency_s": built["latency_s"],
          "what_if_latency_s": ideal["latency_s"]}
  return out


def table(lat, free_reads, power="4mW"):
  """Markdown: iPrune's speed-ups over each method, as built and what-if."""
  overs = [m for m in report.METHOD_NAMES if m != "intermittent"]
  lines = ["| model | runtime | %s |" % " | ".join(
      "iPrune over %s" % report.METHOD_NAMES[m] for m in overs),
           "|---|---|%s" % ("---|" * len(overs))]
  for model_name, methods in lat.items():
    mine = methods.get("intermittent")
    if not mine:
      continue
    for key, label in (("latency_s", "as built"), (
        "what_if_latency_s", "without reads of %s" % ", ".join(free_reads))):
      cells = ["%.2fx" % (methods[m][key] / mine[key]) if m in methods
               else "-" for m in overs]
      lines.append("| %s | %s | %s |" % (model_name, label, " | ".join(cells)))
  return "\n".join(lines) + "\n\nLatency at %s by the hardware model." % power
