"""Zoo models on the host simulator under continuous power: outputs equal
the Python reference bit for bit, every counter equals the hardware model's
prediction exactly, and the latency equals the analytic model's work time.

Models are exported untrained with seeded random calibration (the runtime's
arithmetic and counts do not depend on accuracy); 'pruned' zeroes half of
every layer's weight blocks (and a whole filter group) so the layers are BSR.
"""
import numpy as np
import pytest

from tf_iprune.hardware import schedule
from tf_iprune.runtime import evaluation
from tf_iprune.runtime import simulator



def test_outputs_are_bit_exact(case, binary):
  results = simulator.run_vectors(case.model_bin, case.vectors,
                                  simulator=binary)
  assert len(results) == len(case.expected) >= 2
  for r, want in zip(results, case.expected):
    assert r["expected_match"], r["input_index"]
    np.testing.assert_array_equal(r["output"], want)


def test_counters_equal_the_hardware_model(case, binary):
  qmodel = case.qmodel
  r = simulator.run_vectors(case.model_bin, case.vectors, layers=True,
                            simulator=binary)[0]
  assert r["boot"] == schedule.boot_counts(qmodel.target).to_dict()
  for layer, got in zip(qmodel.layers, r["layers"]):
    want = schedule.intermittent_counts(
        layer.spec, layer.plan,
        layer.nonzero if layer.spec.prunable else None, qmodel.target)
    assert got["counts"] == want.to_dict(), layer.name
  predicted = evaluation.predict(qmodel)["total"]
  assert r["counts"] == predicted["counts"]
  assert r["acc_outputs"] == predicted["acc_outputs"]
  if "pruned" in qmodel.name:
    assert any(l.is_bsr for l in qmodel.layers if l.spec.prunable)


def test_continuous_latency_is_the_work_time(case, binary):
  r = simulator.run_vectors(case.model_bin, case.vectors, simulator=binary)[0]
  predicted = evaluation.predict(case.qmodel)["total"]
  assert predicted["power_cycles"] == r["power_cycles"] == 0
  assert r["charge_time_s"] == 0
  # Same counts, same cost table: only the summation order differs.
  assert r["latency_s"] == pytest.approx(predicted["latency_s"], rel=1e-9)
  assert r["energy_j"] == pytest.approx(
      predicted["intermittent_energy_j"], rel=1e-9)
