"""Cases for tests of the runtime: zoo models exported, dense and pruned.

`zoo_case(name, directory, pruned)` exports a zoo model (untrained weights,
seeded random calibration: the runtime's arithmetic does not care about
accuracy) with `tf_iprune.export.export_model`, optionally prunes its
quantised weight blocks (`prune_blocks`), and writes model.bin plus a
test-vector file whose expected outputs come from the bit-exact reference
executor. Cases are cached on disk (a lock serialises concurrent workers).
"""
import dataclasses
import fcntl
import json
import os

import numpy as np

from tf_iprune.export import model_format
from tf_iprune.export import reference

# Zoo models whose exported cases the runtime tests run.
ZOO_MODELS = ("har_cnn", "cks_cnn", "sqn", "kws_dscnn", "ic_resnet8",
              "vww_mobilenet", "ad_autoencoder")
BIN_FILE = "model.bin"
VECTORS_FILE = "vectors.bin"
INFO_FILE = "case.json"


def prune_blocks(qmodel, density=0.5, seed=0):
  """A copy of `qmodel` with random weight blocks set to zero.

  Every accelerator layer keeps its last block, so no layer is all zero;
  the first layer with several filter groups loses its whole first group,
  so bias-only groups are exercised.

  Args:
    qmodel: The QModel.
    density: Probability that a block is kept.
    seed: Random seed.
  """
  if not 0 < density <= 1:
    raise ValueError("density must be in (0, 1], got %r." % (density,))
  rng = np.random.default_rng(seed)
  layers, emptied = [], False
  for layer in qmodel.layers:
    if layer.spec.prunable:
      keep = rng.random(layer.grid.shape) < density
      if not emptied and keep.shape[0] > 1:
        keep[0] = False
        emptied = True
      keep[-1, -1] = True
      blocks = np.where(keep[:, :, None, None], layer.blocks, 0).astype(
          np.int16)
      layer = dataclasses.replace(layer, blocks=blocks)
    layers.append(layer)
  return dataclasses.replace(qmodel, layers=layers,
                             name=qmodel.name + "_pruned")


def write_case(qmodel, inputs, directory):
  """Writes model.bin and test vectors (expected outputs: the reference).

  Returns:
    (model.bin path, vectors path, expected outputs (N, words)).
  """
  os.makedirs(directory, exist_ok=True)
  x = np.asarray(inputs, np.int16)
  expected = reference.run(qmodel, x).output.reshape(len(x), -1)
  model_bin = os.path.join(directory, BIN_FILE)
  vectors = os.path.join(directory, VECTORS_FILE)
  model_format.write_bin(qmodel, model_bin)
  model_format.write_vectors(vectors, x, expected, None,
                             qmodel.input.exponent, qmodel.output.exponent)
  return model_bin, vectors, expected


@dataclasses.dataclass
class Case:
  """An exported model with inputs and reference outputs on disk."""
  name: str
  qmodel: object
  model_bin: str
  vectors: str
  inputs: np.ndarray
  expected: np.ndarray


def zoo_case(name, directory, pruned=False, num_vectors=2, seed=0):
  """The cached case of zoo model `name` (dense or pruned) in `directory`."""
  # pylint: disable=g-import-not-at-top
  import mlperf_tiny_models
  from tf_iprune.export import exporter
  case_dir = os.path.join(directory, "%s_%s" % (name, "pruned" if pruned
                                                 else "dense"))
  os.makedirs(directory, exist_ok=True)
  with open(os.path.join(directory, ".lock"), "w") as lock:
    fcntl.flock(lock, fcntl.LOCK_EX)
    if not os.path.exists(os.path.join(case_dir, INFO_FILE)):
      export_dir = os.path.join(directory, name + "_export")
      if not os.path.exists(os.path.join(export_dir, exporter.BIN_FILE)):
        exporter.export_model(mlperf_tiny_models.get_model(name), export_dir,
                              dataset=exporter.RANDOM_DATASET,
                              calibration_samples=16, seed=seed,
                              num_vectors=num_vectors)
      qmodel = model_format.read_bin(os.path.join(export_dir,
                                                  exporter.BIN_FILE))
      vectors = model_format.read_vectors(
          os.path.join(export_dir, exporter.VECTORS_FILE))
      if pruned:
        qmodel = prune_blocks(qmodel, 0.5, seed)
      inputs = vectors.inputs.reshape((-1,) + tuple(qmodel.input.shape))
      write_case(qmodel, inputs, case_dir)
      with open(os.path.join(case_dir, INFO_FILE), "w") as f:
        json.dump({"model": name, "pruned": pruned}, f)
  qmodel = model_format.read_bin(os.path.join(case_dir, BIN_FILE))
  vectors = model_format.read_vectors(os.path.join(case_dir, VECTORS_FILE))
  return Case(name=qmodel.name, qmodel=qmodel,
              model_bin=os.path.join(case_dir, BIN_FILE),
              vectors=os.path.join(case_dir, VECTORS_FILE),
              inputs=vectors.inputs.reshape((-1,) +
                                            tuple(qmodel.input.shape)),
              expected=vectors.expected)


def shared_dir(tmp_path_factory):
  """A case directory shared by the tests of one session, across
  pytest-xdist workers too (zoo_case locks it)."""
  base = tmp_path_factory.getbasetemp()
  if os.environ.get("PYTEST_XDIST_WORKER"):
    base = base.parent
  return os.path.join(str(base), "runtime_cases")
