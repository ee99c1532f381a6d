"""Harvested power: the energy-driven simulation against the analytic
latency model, and fewer accelerator outputs -> fewer power cycles.

Tolerances (relative, simulated vs tf_iprune.hardware.latency through
profile_model): continuous 1e-9 (tests/runtime_zoo_test.py), 8 mW 3 %,
4 mW 20 % (also for the mean of inferences run back to back). Measured
gaps (scripts/check_latency_model.py, docs/runtime.md): at most 1.9 % at
8 mW and 16.6 % at 4 mW (ad_autoencoder dense); back to back 3.3 % and
16.8 %.
"""
import pytest

from tf_iprune.runtime import evaluation
from tf_iprune.runtime import simulator
from tf_iprune.runtime import testing

TOLERANCE = {"8mW": 0.03, "4mW": 0.20}
CASES = [(name, pruned, power) for name in testing.ZOO_MODELS
         for pruned in (False, True) for power in TOLERANCE]


def _case(tmp_path_factory, name, pruned):
  return testing.zoo_case(name, testing.shared_dir(tmp_path_factory), pruned)


@pytest.mark.parametrize("name, pruned, power", CASES)
def test_latency_matches_the_analytic_model(name, pruned, power, binary,
                                            tmp_path_factory):
  case = _case(tmp_path_factory, name, pruned)
  r = simulator.run(case.model_bin, case.inputs[:1], power=power,
                    simulator=binary)[0]
  predicted = evaluation.predict(case.qmodel, power)["total"]
  assert (r["output"] == case.expected[0]).all()
  assert r["power_cycles"] == r["energy_failures"] > 0
  assert r["latency_s"] == pytest.approx(predicted["latency_s"],
                                         rel=TOLERANCE[power])
  assert r["latency_s"] == pytest.approx(r["on_time_s"] +
                                         r["charge_time_s"], rel=1e-12)
  # Every failure costs a full recharge of the buffer at eta * P.
  target = case.qmodel.target
  recharge = target.buffer.cycle_energy_j / (
      target.power_w(power) * target.buffer.harvest_efficiency)
  assert r["charge_time_s"] == pytest.approx(r["power_cycles"] * recharge)


@pytest.mark.parametrize("name", testing.ZOO_MODELS)
def test_back_to_back_latency_matches_the_analytic_model(name, binary,
                                                         tmp_path_factory):
  """The mean of inferences run back to back, each starting with the
  energy the one before left, against the model's steady state."""
  case = _case(tmp_path_factory, name, True)
  runs = simulator.run(case.model_bin, case.inputs[:1], power="4mW",
                       repeat=8, back_to_back=True, simulator=binary)
  predicted = evaluation.predict(case.qmodel, "4mW", back_to_back=True)
  for r in runs:
    assert (r["output"] == case.expected[0]).all()
  mean = sum(r["latency_s"] for r in runs) / len(runs)
  assert mean == pytest.approx(predicted["total"]["latency_s"],
                               rel=TOLERANCE["4mW"])


@pytest.mark.parametrize("name", testing.ZOO_MODELS)
def test_fewer_accelerator_outputs_fewer_power_cycles(name, binary,
                                                      tmp_path_factory):
  """Same model, inputs and tiles; pruning removes accelerator outputs."""
  runs = {}
  for pruned in (False, True):
    case = _case(tmp_path_factory, name, pruned)
    runs[pruned] = simulator.run(case.model_bin, case.inputs[:1],
                                 power="4mW", simulator=binary)[0]
  dense, pruned = runs[False], runs[True]
  assert pruned["acc_outputs"] < dense["acc_outputs"]
  assert pruned["power_cycles"] < dense["power_cycles"]
  assert pruned["latency_s"] < dense["latency_s"]
