"""Tests of the simulator wrapper on small random models (every kind)."""
import dataclasses
import os
import struct

import numpy as np
import pytest

from tf_iprune.export import model_format
from tf_iprune.export import reference
from tf_iprune.export import testing as export_testing
from tf_iprune.hardware import schedule
from tf_iprune.hardware import target as target_lib
from tf_iprune.runtime import evaluation
from tf_iprune.runtime import simulator
from tf_iprune.runtime import testing


@pytest.fixture(scope="module")
def binary():
  return simulator.build()


# Tiles that leave narrower last filter groups and input chunks.
RAGGED = {"conv1": (5, 2), "dw": (5, 5), "pw": (7, 5), "e3": (3, 5),
          "fc1": (4, 5), "fc2": (3, 4)}


@pytest.fixture(scope="module", params=["all", "ragged", "fire",
                                        "depthwise"])
def case(request, tmp_path_factory):
  """A BSR model with every kind (with ragged tiles), a Fire module, a
  depthwise chain."""
  ragged = request.param == "ragged"
  qmodel = export_testing.random_qmodel(
      export_testing.example_specs("all" if ragged else request.param),
      seed=3, density=0.5, name=request.param,
      overrides=RAGGED if ragged else None)
  x = export_testing.random_input(qmodel, seed=1, batch=3)
  directory = str(tmp_path_factory.mktemp(request.param))
  model_bin, vectors, expected = testing.write_case(qmodel, x, directory)
  return qmodel, x, model_bin, vectors, expected


def test_outputs_equal_the_reference(case, binary):
  qmodel, x, model_bin, _, expected = case
  results = simulator.run(model_bin, x, simulator=binary)
  assert len(results) == 3
  for r, want in zip(results, expected):
    np.testing.assert_array_equal(r["output"], want)
    assert r["argmax"] == int(np.argmax(want))
  # One input (H, W, C) works too.
  one = simulator.run(model_bin, x[0], simulator=binary)
  np.testing.assert_array_equal(one[0]["output"], expected[0])
  assert any(l.is_bsr for l in qmodel.layers if l.spec.prunable)


def test_counters_equal_the_schedule(case, binary):
  qmodel, x, model_bin, _, _ = case
  r = simulator.run(model_bin, x[:1], layers=True, simulator=binary)[0]
  total = schedule.boot_counts(qmodel.target)
  assert r["boot"] == total.to_dict()
  for layer, got in zip(qmodel.layers, r["layers"]):
    want = schedule.intermittent_counts(
        layer.spec, layer.plan,
        layer.nonzero if layer.spec.prunable else None, qmodel.target)
    assert got["name"] == layer.name
    assert got["counts"] == want.to_dict(), layer.name
    total = total + want
  assert r["counts"] == total.to_dict()
  assert r["acc_outputs"] == total.acc_outputs
  assert r["lea_ops"] == total.lea_calls
  assert r["nvm_bytes_read"] == 2 * total.nvm_read_words
  assert r["nvm_bytes_written"] == 2 * total.nvm_write_words
  assert r["power_cycles"] == 0 and r["reexecuted_jobs"] == 0
  assert r["latency_s"] == pytest.approx(total.seconds(qmodel.target),
                                         rel=1e-12)


@pytest.mark.parametrize("failures", ["random:300:5", "byte:7:41:200",
                                      "byte:3"])
def test_injected_failures_do_not_change_outputs(case, binary, failures):
  _, x, model_bin, _, expected = case
  results = simulator.run(model_bin, x[:2], failures=failures, repeat=2,
                          simulator=binary)
  assert len(results) == 4
  for i, r in enumerate(results):
    np.testing.assert_array_equal(r["output"], expected[i // 2])
    assert r["injected_failures"] >= 1
    assert r["power_cycles"] == r["injected_failures"]
  # The job counters still total the predicted accelerator outputs.
  assert len({r["acc_outputs"] for r in results}) == 1


def test_run_vectors_checks_expected(case, binary):
  _, _, model_bin, vectors, _ = case
  results = simulator.run_vectors(model_bin, vectors, simulator=binary)
  assert [r["expected_match"] for r in results] == [True] * 3
  assert [r["input_index"] for r in results] == [0, 1, 2]


def test_power_as_watts(case, binary):
  _, x, model_bin, _, expected = case
  by_name = simulator.run(model_bin, x[:1], power="4mW", simulator=binary)
  by_watts = simulator.run(model_bin, x[:1], power=4e-3, simulator=binary)
  assert by_name[0]["latency_s"] == by_watts[0]["latency_s"]
  np.testing.assert_array_equal(by_watts[0]["output"], expected[0])


def test_bad_arguments_are_refused(case, binary):
  qmodel, x, model_bin, _, _ = case
  with pytest.raises(ValueError, match="failure mode"):
    simulator.run(model_bin, x, failures="sometimes", simulator=binary)
  with pytest.raises(ValueError, match="int16"):
    simulator.run(model_bin, x.astype(np.int32), simulator=binary)
  with pytest.raises(ValueError, match="shape"):
    simulator.run(model_bin, x[:, :1], simulator=binary)
  with pytest.raises(ValueError, match="Power"):
    simulator.run(model_bin, x, power=-1.0, simulator=binary)
  with pytest.raises(simulator.SimulatorError, match="unknown power"):
    simulator.run(model_bin, x, power="9 furlongs", simulator=binary)
  with pytest.raises(ValueError, match="Back-to-back.*energy"):
    simulator.run(model_bin, x, failures="byte:3", back_to_back=True,
                  simulator=binary)
  del qmodel


def test_bad_model_files_are_refused(case, binary, tmp_path):
  _, _, model_bin, _, _ = case
  raw = open(model_bin, "rb").read()
  bad = {
      "magic": b"JUNK" + raw[4:],
      "version 7": raw[:4] + struct.pack("<H", 7) + raw[6:],
      "truncated": raw[:len(raw) // 2],
      "checksum": raw[:-3] + bytes([raw[-3] ^ 0x40]) + raw[-2:],
  }
  for message, content in bad.items():
    path = tmp_path / ("bad_%s.bin" % message.split()[0])
    path.write_bytes(content)
    with pytest.raises(simulator.SimulatorError, match=message) as e:
      simulator.run_vectors(str(path), None, simulator=binary)
    assert e.value.returncode == simulator.EXIT_BAD_INPUT


def test_corrupt_model_with_valid_checksum_never_crashes(case, binary,
                                                         tmp_path):
  """Flipping any of many bytes (and fixing the CRC) is refused or runs;
  the simulator never dies of a signal."""
  _, _, model_bin, _, _ = case
  raw = bytearray(open(model_bin, "rb").read())
  rng = np.random.default_rng(0)
  positions = list(range(16, 64)) + list(
      rng.integers(64, len(raw), 40))
  for pos in positions:
    bad = bytearray(raw)
    bad[pos] ^= 0xFF
    struct.pack_into("<I", bad, 12, model_format.zlib.crc32(bytes(bad[16:])))
    path = tmp_path / "corrupt.bin"
    path.write_bytes(bytes(bad))
    try:
      simulator.run_vectors(str(path), None, simulator=binary, timeout=60)
    except simulator.SimulatorError as e:
      assert e.returncode in (simulator.EXIT_BAD_INPUT,
                              simulator.EXIT_CANNOT_FINISH), (pos, e)


def test_weak_power_that_cannot_finish_is_reported(binary, tmp_path):
  """With a 0.1 uF capacitor no job fits one power cycle at 4 mW.

  The planner refuses such jobs by default; a target that lifts its bound
  (max_job_energy_fraction) gets a model the simulator cannot finish.
  """
  target = target_lib.Target.msp430fr5994()
  target = dataclasses.replace(target, max_job_energy_fraction=1e3,
                               buffer=dataclasses.replace(
                                   target.buffer, capacitance_f=1e-7))
  qmodel = export_testing.random_qmodel(export_testing.example_specs("chain"),
                                        seed=1, density=1.0, name="chain",
                                        target=target)
  x = export_testing.random_input(qmodel, seed=1)
  model_bin, _, _ = testing.write_case(qmodel, x[None], str(tmp_path))
  with pytest.raises(simulator.SimulatorError, match="cannot finish") as e:
    simulator.run(model_bin, x, power="4mW", simulator=binary)
  assert e.value.returncode == simulator.EXIT_CANNOT_FINISH
  # With the 100 uF capacitor even 1 uW finishes, only later.
  qmodel = dataclasses.replace(qmodel, target=target_lib.Target.msp430fr5994())
  model_bin, _, _ = testing.write_case(qmodel, x[None], str(tmp_path))
  slow = simulator.run(model_bin, x, power="1uW", simulator=binary)[0]
  fast = simulator.run(model_bin, x, power="continuous",
                       simulator=binary)[0]
  np.testing.assert_array_equal(slow["output"], fast["output"])
  assert slow["latency_s"] > 100 * fast["latency_s"]


def test_back_to_back_inferences_carry_the_energy_buffer(case, binary):
  """Under a power that leaves each inference half a buffer short, a full
  buffer at every start means no power fails; back to back, the deficits
  add up until power fails, and the outputs stay exact."""
  qmodel, x, model_bin, _, expected = case
  total = evaluation.predict(qmodel)["total"]
  work_s, work_j = total["latency_s"], total["intermittent_energy_j"]
  short_j = min(work_j, qmodel.target.buffer.cycle_energy_j) / 2
  power = (work_j - short_j) / work_s / (
      qmodel.target.buffer.harvest_efficiency)
  full = simulator.run(model_bin, x, power=power, repeat=4,
                       simulator=binary)
  carried = simulator.run(model_bin, x, power=power, repeat=4,
                          back_to_back=True, simulator=binary)
  assert [r["power_cycles"] for r in full] == [0] * 12
  assert sum(r["power_cycles"] for r in carried) > 0
  assert carried[0]["back_to_back"] and not full[0]["back_to_back"]
  for i, r in enumerate(carried):
    np.testing.assert_array_equal(r["output"], expected[i // 4])
  assert (np.mean([r["latency_s"] for r in carried]) >
          np.mean([r["latency_s"] for r in full]))


def test_zero_input_without_vectors(case, binary):
  qmodel, _, model_bin, _, _ = case
  r = simulator.run(model_bin, None, simulator=binary)[0]
  zero = np.zeros((1,) + tuple(qmodel.input.shape), np.int16)
  np.testing.assert_array_equal(r["output"],
                                reference.run(qmodel, zero).output[0].ravel())
  assert os.path.exists(simulator.SIMULATOR)


def test_same_seed_same_result(case, binary):
  _, x, model_bin, _, _ = case
  runs = [simulator.run(model_bin, x[:1], failures="random:50:3",
                        power="4mW", simulator=binary)[0] for _ in range(2)]
  for r in runs:
    r["output"] = r["output"].tolist()
  assert runs[0] == runs[1]
  other = simulator.run(model_bin, x[:1], failures="random:50:4",
                        power="4mW", simulator=binary)[0]
  assert other["latency_s"] != runs[0]["latency_s"]
