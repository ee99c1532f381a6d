"""Tests of evaluation over data (quantisation, accuracy, latency stats)."""
import numpy as np
import pytest

from tf_iprune.export import quantize
from tf_iprune.export import reference
from tf_iprune.export import testing as export_testing
from tf_iprune.hardware import schedule
from tf_iprune.runtime import evaluation
from tf_iprune.runtime import simulator
from tf_iprune.runtime import testing


@pytest.fixture(scope="module")
def model(tmp_path_factory):
  qmodel = export_testing.random_qmodel(export_testing.example_specs("all"),
                                        seed=2, density=0.6, name="all")
  directory = str(tmp_path_factory.mktemp("eval"))
  x = export_testing.random_input(qmodel, seed=0, batch=1)
  model_bin, _, _ = testing.write_case(qmodel, x, directory)
  return qmodel, model_bin


def test_accuracy_and_latency(model):
  qmodel, model_bin = model
  rng = np.random.default_rng(0)
  x = rng.standard_normal((7,) + tuple(qmodel.input.shape)) * 2.0**(
      qmodel.input.exponent + 12)
  xq, _ = quantize.quantize_input(qmodel, x)
  truth = reference.run(qmodel, xq).argmax
  labels = np.array(truth)
  labels[0] = (labels[0] + 1) % 4  # One wrong label.
  report = evaluation.evaluate(model_bin, x, labels, batch_size=3,
                               progress=False)
  assert report["samples"] == 7
  assert report["predictions"] == list(truth)
  assert report["accuracy"] == pytest.approx(6 / 7)
  counts = evaluation.predict(qmodel)["total"]
  assert report["acc_outputs"]["min"] == report["acc_outputs"]["max"] == (
      counts["acc_outputs"])
  assert report["latency_s"]["mean"] == pytest.approx(
      counts["latency_s"], rel=1e-9)
  assert report["power_cycles"]["max"] == 0
  weak = evaluation.evaluate(model_bin, x[:2], power="4mW", progress=False)
  assert weak["latency_s"]["min"] > report["latency_s"]["max"]
  assert weak["accuracy"] is None


def test_predict_is_the_schedule(model):
  qmodel, _ = model
  total = evaluation.predict(qmodel)["total"]["counts"]
  want = schedule.boot_counts(qmodel.target)
  for layer in qmodel.layers:
    want = want + schedule.intermittent_counts(
        layer.spec, layer.plan,
        layer.nonzero if layer.spec.prunable else None, qmodel.target)
  assert total == want.to_dict()


def test_evaluate_split_random_data(model):
  _, model_bin = model
  report = evaluation.evaluate_split(model_bin, "random", samples=5,
                                     progress=False)
  assert report["samples"] == 5 and report["dataset"] == "random"
  assert report["accuracy"] is None


def test_bad_arguments(model):
  qmodel, model_bin = model
  x = np.zeros((2,) + tuple(qmodel.input.shape))
  with pytest.raises(ValueError, match="labels"):
    evaluation.evaluate(model_bin, x, [1], progress=False)
  with pytest.raises(ValueError, match="shape"):
    evaluation.evaluate(model_bin, x[:, :1], progress=False)
  with pytest.raises(ValueError, match="failure mode"):
    evaluation.evaluate(model_bin, x, failures="often", progress=False)
  with pytest.raises(simulator.SimulatorError):
    evaluation.evaluate(model_bin, x, power="0W", progress=False)


def test_summarize():
  s = evaluation.summarize([1, 2, 3, 4])
  assert s["mean"] == 2.5 and s["min"] == 1 and s["max"] == 4
  assert s["median"] == 2.5
