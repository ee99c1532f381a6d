"""Power failures never change the output (docs/runtime.md, "Failures").

Every zoo model, dense and pruned, runs under well over 1,000 injected
failures: 1,000 at random cycles of one run, and about 1,000 torn writes at
bytes spread over the run (K, K + STEP, ...; STEP larger than any job's
writes so each job completes between failures) in a few runs shifted by
one byte. har_cnn also has every byte of a stretch of writes torn, one run
per byte. The output must equal the reference every time. A simulator with
a deliberate defect (state kept in VM across a failure) must be caught.
"""
import numpy as np
import pytest

from tf_iprune.runtime import evaluation
from tf_iprune.runtime import simulator
from tf_iprune.runtime import testing

MIN_FAILURES = 1000


def _max_job_bytes(qmodel):
  """Bytes one job writes at most: its outputs and a footprint."""
  words = []
  for layer in qmodel.layers:
    c_out = layer.spec.output_shape[2]
    if layer.spec.prunable:
      words.append(layer.plan.tile_p * layer.plan.tile_m)
    elif layer.spec.kind in ("maxpool", "avgpool", "gap"):
      words.append(c_out)
    else:
      words.append(layer.plan.tile_p * c_out)
  return 2 * (max(words) + qmodel.target.footprint_words)


def _check(results, case):
  for r in results:
    np.testing.assert_array_equal(r["output"],
                                  case.expected[r["input_index"]])
    assert r["acc_outputs"] == results[0]["acc_outputs"]
  return sum(r["injected_failures"] for r in results)


def test_random_failures(case, binary):
  results = simulator.run(case.model_bin, case.inputs[:1],
                          failures="random:%d:7" % MIN_FAILURES,
                          simulator=binary)
  assert _check(results, case) == MIN_FAILURES
  assert results[0]["reexecuted_jobs"] > 0
  predicted = evaluation.predict(case.qmodel)["total"]
  assert results[0]["acc_outputs"] == predicted["acc_outputs"]


def test_torn_writes(case, binary):
  clean = simulator.run(case.model_bin, case.inputs[:1], simulator=binary)[0]
  step = _max_job_bytes(case.qmodel) + 1
  per_run = max(1, min(MIN_FAILURES, clean["nvm_bytes_written"] // step - 1))
  runs = -(-MIN_FAILURES // per_run)
  results = simulator.run(case.model_bin, case.inputs[:1],
                          failures="byte:%d:%d:%d" % (step // 2, step,
                                                      per_run),
                          repeat=runs, simulator=binary)
  assert _check(results, case) >= MIN_FAILURES


@pytest.mark.parametrize("pruned", [False, True])
def test_every_byte_of_a_stretch_torn(pruned, binary, tmp_path_factory):
  """One run per byte: 600 consecutive bytes of writes, each torn once,
  from the end of the first layer (its last outputs and footprints) into
  the small jobs of the second (many footprints)."""
  case = testing.zoo_case("har_cnn", testing.shared_dir(tmp_path_factory),
                          pruned)
  clean = simulator.run(case.model_bin, case.inputs[:1], layers=True,
                        simulator=binary)[0]
  first_layer_bytes = 2 * clean["layers"][0]["counts"]["nvm_write_words"]
  results = simulator.run(case.model_bin, case.inputs[:1],
                          failures="byte:%d" % (first_layer_bytes - 100),
                          repeat=600, simulator=binary)
  assert _check(results, case) == 600


def test_state_kept_in_vm_is_caught(binary, tmp_path_factory):
  """The mutant trusts a bias left in VM by an earlier power cycle: right
  under continuous power, wrong once failures poison VM."""
  case = testing.zoo_case("har_cnn", testing.shared_dir(tmp_path_factory))
  mutant = simulator.build(target="mutant")
  clean = simulator.run(case.model_bin, case.inputs, simulator=mutant)
  for r, want in zip(clean, case.expected):
    np.testing.assert_array_equal(r["output"], want)
  failing = simulator.run(case.model_bin, case.inputs,
                          failures="random:1000:7", simulator=mutant)
  assert any(not np.array_equal(r["output"], want)
             for r, want in zip(failing, case.expected))
