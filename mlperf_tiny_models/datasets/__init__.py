"""Data sets of the MLPerf Tiny models, as numpy arrays in the models' layout.

`load(name, split, data_dir=None)` returns (x, y): x float32 NHWC in the
model's input shape, y int64 class indices. Every data set has three
disjoint splits, "train", "val" and "test"; model selection must only look
at "val".

With `data_dir`, the real data set is read from a local copy in its usual
format. Without it, an embedded default is built once and cached (see
`cache`); only HAR's is real data, the others are stand-ins:

| name     | input       | classes | data_dir format         | embedded       |
|----------|-------------|---------|-------------------------|----------------|
| har      | (1, 128, 9) | 6       | UCI HAR Dataset         | UCI HAPT, real |
| har_val7 | (1, 128, 9) | 6       | UCI HAR Dataset         | UCI HAPT, real |
| kws      | (49, 10, 1) | 12      | Speech Commands v0.02   | espeak-ng      |
| cifar10  | (32, 32, 3) | 10      | CIFAR-10 python batches | Fashion-MNIST  |
| vww      | (96, 96, 3) | 2       | person/non_person dirs  | Fashion-MNIST  |

"har" and "har_val7" are the same recordings and test subjects; they
differ in the training subjects held out for validation (4 or 7 of 21;
`har.every_nth_training_subject`). A model trains on its own data set
(`ModelInfo.dataset`) unless told to use another with the same inputs and
classes (`compatible`).

Every reported number must name its data: `describe(name, data_dir)` says
which source `load` reads, and `fingerprint` whether two installs built the
same arrays (an embedded set is built on each machine, from its packages).
"""
import hashlib
from typing import Callable, Dict, NamedTuple, Optional, Tuple

import numpy as np

from mlperf_tiny_models.datasets import cifar10
from mlperf_tiny_models.datasets import fashion_mnist
from mlperf_tiny_models.datasets import har
from mlperf_tiny_models.datasets import kws_synth
from mlperf_tiny_models.datasets import mfcc
from mlperf_tiny_models.datasets import speech_commands
from mlperf_tiny_models.datasets import vww

SPLITS = ("train", "val", "test")


class DatasetInfo(NamedTuple):
  """What a data set feeds a model.

  Attributes:
    input_shape: Shape of one example (without the batch dimension).
    num_classes: Number of classes; labels are 0..num_classes-1.
  """
  input_shape: Tuple[int, ...]
  num_classes: int


class _Source(NamedTuple):
  info: DatasetInfo
  load_local: Callable[[str, str], Tuple[np.ndarray, np.ndarray]]
  describe_local: str  # A str.format template with {data_dir}.
  load_embedded: Callable[[str], Tuple[np.ndarray, np.ndarray]]
  describe_embedded: str


def _har_source(val_subjects):
  def load_xy(data_dir, split):
    return har.load_windows(split, val_subjects, data_dir)[:2]
  return _Source(
      DatasetInfo(har.INPUT_SHAPE, len(har.CLASS_NAMES)),
      load_xy, har.uci_har_description(val_subjects),
      lambda split: load_xy(None, split), har.hapt_description(val_subjects))


_SOURCES = {
    **{name: _har_source(val_subjects)
       for name, val_subjects in har.VAL_SUBJECTS_OF.items()},
    "kws": _Source(DatasetInfo(mfcc.FEATURE_SHAPE,
                               len(speech_commands.CLASS_NAMES)),
                   speech_commands.load, speech_commands.DESCRIPTION,
                   kws_synth.load, kws_synth.DESCRIPTION),
    "cifar10": _Source(DatasetInfo((32, 32, 3), 10),
                       cifar10.load, cifar10.DESCRIPTION,
                       fashion_mnist.load_cifar10_standin,
                       fashion_mnist.CIFAR10_DESCRIPTION),
    "vww": _Source(DatasetInfo((vww.SIZE, vww.SIZE, 3), len(vww.CLASS_NAMES)),
                   vww.load, vww.DESCRIPTION,
                   fashion_mnist.load_vww_standin,
                   fashion_mnist.VWW_DESCRIPTION),
}
NAMES = tuple(_SOURCES)


def info(name: str) -> DatasetInfo:
  """Returns the input shape and number of classes of data set `name`."""
  return _source(name).info


def load(name: str, split: str,
         data_dir: Optional[str] = None) -> Tuple[np.ndarray, np.ndarray]:
  """Loads one split of a data set.

  Args:
    name: One of `NAMES`.
    split: One of `SPLITS`.
    data_dir: A local copy of the real data set (format per the table in
      the module docstring); None for the embedded default.

  Returns:
    x (N,) + info(name).input_shape float32 and y (N,) int64.

  Raises:
    ValueError: For an unknown name or split, or a data_dir that does not
      hold the expected format (naming the missing file or folder).
    RuntimeError: If a Debian package or download the embedded default
      needs is missing (the message says how to get it).
  """
  source = _source(name)
  if split not in SPLITS:
    raise ValueError("Unknown split %r; supported: %s."
                     % (split, ", ".join(SPLITS)))
  if data_dir is None:
    return source.load_embedded(split)
  return source.load_local(data_dir, split)


def compatible(default: str, name: str) -> str:
  """Checks that data set `name` can stand in for a model's `default` one.

  Returns:
    `name`.

  Raises:
    ValueError: If `name` is unknown or differs in input shape or classes.
  """
  if info(name) != info(default):
    raise ValueError(
        "Data set %r has inputs %s and %d classes; a model made for %r "
        "needs %s and %d: use one of %s." % (
            name, info(name).input_shape, info(name).num_classes, default,
            info(default).input_shape, info(default).num_classes,
            ", ".join(n for n in NAMES if info(n) == info(default))))
  return name


def fingerprint(splits: Dict[str, Tuple[np.ndarray, np.ndarray]]) -> str:
  """SHA-256 (16 hex digits) of loaded splits: their names, shapes, dtypes
  and bytes, in split order.

  Args:
    splits: {split: (x, y)} as `load` returns them.
  """
  digest = hashlib.sha256()
  for split in sorted(splits, key=SPLITS.index):
    for array in splits[split]:
      array = np.ascontiguousarray(array)
      digest.update(("%s %s %s;" % (split, array.shape, array.dtype))
                    .encode("ascii"))
      digest.update(array.tobytes())
  return digest.hexdigest()[:16]


def describe(name: str, data_dir: Optional[str] = None) -> str:
  """Says in one line which data `load(name, split, data_dir)` reads."""
  source = _source(name)
  if data_dir is None:
    return source.describe_embedded
  return source.describe_local.format(data_dir=data_dir)


def _source(name: str) -> _Source:
  if name not in _SOURCES:
    raise ValueError("Unknown data set %r; supported: %s."
                     % (name, ", ".join(NAMES)))
  return _SOURCES[name]
