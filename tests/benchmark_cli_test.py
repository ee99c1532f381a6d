"""scripts/benchmark.py end to end on har_cnn with a tiny budget.

Train (2 epochs), prune one iteration (unpruned and iPrune), export, run
the simulator; then rerun with --resume, which must reuse every step, and
with --resimulate, which simulates the latencies again; then prune again
with another seed on the same baseline and tabulate both; then write the
report again from results.json alone (--report_only).
"""
import json
import os
import shutil

import pytest

from tf_iprune import provenance
from tf_iprune import testing

_TINY = ["--models=har_cnn", "--methods=unpruned,intermittent",
         "--power=continuous,4mW", "--pretrain_epochs=2",
         "--fine_tune_epochs=1", "--max_iterations=1",
         "--annealing_steps=20", "--accuracy_weight=0.002",
         "--q15_samples=64", "--latency_inputs=1"]


def _run(*args):
  return testing.run_script("benchmark.py", *args, timeout=900)


def _assert_nothing_trained_or_pruned(log):
  assert "Using the trained har_cnn" in log
  assert "Training har_cnn" not in log
  assert ": pruning" not in log and ": exporting" not in log


@pytest.mark.slow
def test_benchmark_runs_and_resumes(tmp_path):
  out, md = str(tmp_path / "out"), str(tmp_path / "BENCHMARKS.md")
  first = _run(*_TINY, "--out_dir=" + out, "--markdown=" + md)
  assert first.returncode == 0, first.stderr[-3000:]
  results = json.loads(open(os.path.join(out, "results.json")).read())
  har = results["models"]["har_cnn"]
  assert har["data"].startswith("UCI HAPT")
  state = json.loads(open(os.path.join(
      out, "har_cnn", "intermittent", "pruning", "state.json")).read())
  assert state["config"]["accuracy_weight"] == 0.002
  for method in ("unpruned", "intermittent"):
    m = har[method]
    for key in ("test_accuracy", "test_accuracy_q15", "bsr_bytes", "macs",
                "acc_outputs"):
      assert key in m, key
    assert 0 < m["test_accuracy"] <= 1 and 0 < m["test_accuracy_q15"] <= 1
    assert m["q15_samples"] == 64
    assert 0 < m["reference"]["test_accuracy"] <= 1
    assert set(m["power"]) == {"continuous", "4mW"}
    assert m["power"]["continuous"]["power_cycles"] == 0
    assert m["power"]["4mW"]["power_cycles"] > 0
    assert m["power"]["4mW"]["back_to_back"] is True
    # Every model the loop went through, the baseline first.
    assert [p["iteration"] for p in m["path"]] == list(
        range(m["iterations"] + 1))
    assert sum(p["chosen"] for p in m["path"]) == 1
    assert m["path"][0]["start_iteration"] is None
    assert all(p["start_iteration"] < p["iteration"] and p["step_scale"] > 0
               for p in m["path"][1:])
    assert set(m["path"][0]["latency_s"]) == {"continuous", "4mW"}
  assert har["unpruned"]["acc_outputs"] == 14_256  # Reference plan, dense.
  # The unpruned model is its own reference; the pruned ones' is fine-tuned.
  assert har["unpruned"]["reference"]["test_accuracy"] == pytest.approx(
      har["unpruned"]["test_accuracy"])
  assert (har["intermittent"]["acc_outputs"] <=
          har["unpruned"]["acc_outputs"])
  text = open(md).read()
  assert "har_cnn" in text and "Claims checked" in text
  for png in ("layers.png", "latency.png", "accuracy_latency.png",
              "paths.png"):
    assert os.path.getsize(os.path.join(out, png)) > 0
  assert "iPrune" in first.stdout
  # The code that measured it, in the results and in the report's header.
  version = provenance.code_version()
  assert results["code_version"] == version
  assert {har[m]["code_version"] for m in ("unpruned", "intermittent")} == {
      version}
  assert "; %s)" % version in text
  # And the stack and CPU it ran on.
  assert results["stack"] == provenance.software_stack()
  assert provenance.cpu_model() in results["machine"]
  assert "%s; %s; %s)" % (results["machine"], results["stack"], version) in (
      text)

  again = _run(*_TINY, "--out_dir=" + out, "--markdown=" + md, "--resume")
  assert again.returncode == 0, again.stderr[-3000:]
  _assert_nothing_trained_or_pruned(again.stderr)
  rerun = json.loads(open(os.path.join(out, "results.json")).read())
  assert rerun["models"] == results["models"]

  # Latencies simulated again, with full buffers and three inputs.
  resim = _run(*_TINY, "--out_dir=" + out, "--markdown=", "--resimulate",
               "--latency_inputs=3", "--noback_to_back")
  assert resim.returncode == 0, resim.stderr[-3000:]
  _assert_nothing_trained_or_pruned(resim.stderr)
  assert "har_cnn / intermittent: simulating again" in resim.stderr
  resimulated = json.loads(open(os.path.join(out, "results.json")).read())
  for method in ("unpruned", "intermittent"):
    before, after = har[method], resimulated["models"]["har_cnn"][method]
    assert after["power"]["4mW"]["inputs"] == 3
    assert after["power"]["4mW"]["back_to_back"] is False
    assert after["power"]["4mW"]["latency_s"] != before["power"]["4mW"][
        "latency_s"]
    latencies = ("power", "path")  # Simulated / estimated again.
    assert {k: v for k, v in after.items() if k not in latencies} == {
        k: v for k, v in before.items() if k not in latencies}
    assert [p["latency_s"] for p in after["path"]] != [
        p["latency_s"] for p in before["path"]]

  # A higher cap continues the finished loop; the unpruned model is kept.
  more = _run(*_TINY, "--out_dir=" + out, "--markdown=", "--resume",
              "--max_iterations=2")
  assert more.returncode == 0, more.stderr[-3000:]
  continued = json.loads(open(os.path.join(out, "results.json")).read())
  continued = continued["models"]["har_cnn"]
  assert continued["unpruned"] == resimulated["models"]["har_cnn"]["unpruned"]
  assert continued["intermittent"]["iterations"] == 2
  assert [p["iteration"] for p in continued["intermittent"]["path"]] == [
      0, 1, 2]

  refused = _run(*_TINY, "--out_dir=" + out, "--markdown=")
  assert refused.returncode != 0 and "--resume" in refused.stderr

  # Another seed on the same trained baseline, tabulated in the report.
  other = str(tmp_path / "seed1")
  seeded = _run(*_TINY, "--seed=1", "--baselines_from=" + out,
                "--out_dir=" + other, "--markdown=")
  assert seeded.returncode == 0, seeded.stderr[-3000:]
  assert not os.path.exists(os.path.join(other, "har_cnn", "baseline"))
  again = json.loads(open(os.path.join(other, "results.json")).read())
  assert again["models"]["har_cnn"]["baseline"] == har["baseline"]
  assert again["config"]["seed"] == 1
  # Not on a baseline trained on another data set.
  other_data = _run(*_TINY, "--dataset=har_cnn=har_val7",
                    "--baselines_from=" + out,
                    "--out_dir=" + str(tmp_path / "val7"), "--markdown=")
  assert other_data.returncode != 0
  assert "trained on data set 'har', not 'har_val7'" in other_data.stderr
  tabled = _run(*_TINY, "--out_dir=" + out, "--markdown=" + md, "--resume",
                "--seed_runs=" + other)
  assert tabled.returncode == 0, tabled.stderr[-3000:]
  text = open(md).read()
  assert "| har_cnn | 0 |" in text and "| har_cnn | 1 |" in text

  # The report again from results.json alone, the seed-1 run as a run with
  # other settings; nothing is measured and results.json stays as it was.
  measured = open(os.path.join(out, "results.json")).read()
  shutil.rmtree(os.path.join(out, "har_cnn"))
  md2 = str(tmp_path / "REPORT.md")
  reported = _run("--report_only", "--out_dir=" + out, "--markdown=" + md2,
                  "--seed_runs=" + other, "--other_runs=" + other)
  assert reported.returncode == 0, reported.stderr[-3000:]
  assert open(os.path.join(out, "results.json")).read() == measured
  rewritten = open(md2).read()
  written_by = [l for l in rewritten.splitlines()
                if l.startswith("This file was written")]
  assert len(written_by) == 1 and "--report_only" in written_by[0]
  assert rewritten.replace(written_by[0] + "\n\n", "").split(
      "## Other settings")[0] == text.split("![")[0]
  assert "| har_cnn | %s | `--seed=1` |" % other in rewritten


def test_benchmark_on_a_stand_in_data_set(tmp_path):
  out = str(tmp_path / "run")
  proc = _run("--models=har_cnn", "--methods=unpruned", "--power=continuous",
              "--pretrain_epochs=1", "--fine_tune_epochs=1",
              "--q15_samples=16", "--latency_inputs=1",
              "--dataset=har_cnn=har_val7", "--out_dir=" + out, "--markdown=")
  assert proc.returncode == 0, proc.stderr[-3000:]
  results = json.loads(open(os.path.join(out, "results.json")).read())
  assert results["config"]["datasets"] == {"har_cnn": "har_val7"}
  har = results["models"]["har_cnn"]
  assert har["dataset"] == "har_val7"
  assert "validation (3, 7, 14, 17, 22, 26, 29)" in har["data"]
  baseline = json.loads(open(os.path.join(
      out, "har_cnn", "baseline", "metrics.json")).read())
  assert baseline["dataset"] == "har_val7"
  assert har["data_fingerprint"] == baseline["data_fingerprint"]
  assert har["baseline"]["val_accuracy"] == baseline["val_accuracy"]


@pytest.mark.parametrize("args, message", [
    (["--models=ad_autoencoder"], "cannot be benchmarked"),
    (["--methods=random"], "Unknown method"),
    (["--data_dir=kws"], "NAME=PATH"),
    (["--data_dir=speech=/x"], "unknown data sets"),
    (["--dataset=har_cnn"], "MODEL=DATASET"),
    (["--models=har_cnn", "--dataset=sqn=cifar10"],
     "'sqn' is not a benchmarked model"),
    (["--models=har_cnn", "--dataset=har_cnn=kws"], "use one of har"),
    (["--fine_tune_epochs=some"], "N or MODEL=N"),
    (["--models=har_cnn", "--fine_tune_epochs=sqn=recipe"],
     "not a benchmarked model"),
    (["--models=har_cnn", "--fine_tune_epochs=sqn=3"],
     "name a benchmarked model"),
    (["--seed_runs=/nonexistent/run"], "has no results.json"),
    (["--other_runs=/nonexistent/run"], "--other_runs: "),
    (["--report_only"], "has no results.json"),
    (["--report_only", "--resume"], "cannot be combined"),
    (["--models=har_cnn", "--methods=unpruned",
      "--baselines_from=/nonexistent/run"], "No trained har_cnn baseline"),
])
def test_bad_flags_are_clear_errors(tmp_path, args, message):
  proc = _run(*args, "--out_dir=%s" % tmp_path, "--markdown=")
  assert proc.returncode != 0
  assert message in proc.stderr
  assert "Traceback" not in proc.stderr
