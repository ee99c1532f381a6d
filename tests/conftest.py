"""Fixtures shared by the integration tests of the runtime."""
import pytest

from tf_iprune.runtime import simulator
from tf_iprune.runtime import testing

# Every zoo model, dense and pruned (see tf_iprune.runtime.testing).
ZOO_CASES = [(name, pruned) for name in testing.ZOO_MODELS
             for pruned in (False, True)]


@pytest.fixture(scope="module")
def binary():
  """The host simulator, built once per module."""
  return simulator.build()


@pytest.fixture(scope="module", params=ZOO_CASES,
                ids=["%s-%s" % (n, "pruned" if p else "dense")
                     for n, p in ZOO_CASES])
def case(request, tmp_path_factory):
  """An exported zoo case (model.bin, test vectors, expected outputs)."""
  name, pruned = request.param
  return testing.zoo_case(name, testing.shared_dir(tmp_path_factory),
                          pruned)
