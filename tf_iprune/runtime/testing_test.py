"""Tests of the runtime's test cases."""
import numpy as np
import pytest

from tf_iprune.export import model_format
from tf_iprune.export import reference
from tf_iprune.export import testing as export_testing
from tf_iprune.runtime import testing


def test_prune_blocks():
  qmodel = export_testing.random_qmodel(export_testing.example_specs("all"),
                                        seed=0, density=1.0)
  pruned = testing.prune_blocks(qmodel, 0.5, seed=1)
  assert pruned.name == qmodel.name + "_pruned"
  emptied = False
  for before, after in zip(qmodel.layers, pruned.layers):
    if not before.spec.prunable:
      continue
    kept = after.nonzero
    assert kept[-1, -1] and kept.sum() < before.nonzero.sum() + 1
    # Kept blocks are unchanged, the others zero.
    np.testing.assert_array_equal(after.blocks[kept], before.blocks[kept])
    assert not after.blocks[~kept].any()
    emptied |= bool((kept.sum(axis=1) == 0).any())
  assert emptied and any(l.is_bsr for l in pruned.layers if l.spec.prunable)
  assert testing.prune_blocks(qmodel, 0.5, seed=1).layers[0].blocks.tobytes() \
      == pruned.layers[0].blocks.tobytes()
  with pytest.raises(ValueError, match="density"):
    testing.prune_blocks(qmodel, 0)


def test_write_case(tmp_path):
  qmodel = export_testing.random_qmodel(export_testing.example_specs("chain"),
                                        seed=0)
  x = export_testing.random_input(qmodel, seed=0, batch=2)
  model_bin, vectors, expected = testing.write_case(qmodel, x, str(tmp_path))
  v = model_format.read_vectors(vectors)
  np.testing.assert_array_equal(v.expected, expected)
  np.testing.assert_array_equal(
      expected, reference.run(qmodel, x).output.reshape(2, -1))
  assert model_format.read_bin(model_bin).name == qmodel.name
