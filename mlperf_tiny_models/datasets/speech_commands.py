"""Reads a local copy of Google Speech Commands v0.02 for keyword spotting.

The 12 classes and their order are MLPerf Tiny's (`CLASS_NAMES`): the ten
keywords, "silence" (1 s slices of the `_background_noise_` recordings) and
"unknown" (every other word folder). Splits follow the data set's own
`validation_list.txt` and `testing_list.txt`; the noise slices of each
recording go 80/10/10% to train/val/test by position, so no slice is shared.
Features are the MLPerf Tiny MFCCs (`mfcc`), no augmentation.
"""
import os
import wave
from typing import List, Tuple

import numpy as np

from mlperf_tiny_models.datasets import local_copy
from mlperf_tiny_models.datasets import mfcc

KEYWORDS = ("down", "go", "left", "no", "off", "on", "right", "stop", "up",
            "yes")
CLASS_NAMES = KEYWORDS + ("silence", "unknown")
SILENCE = CLASS_NAMES.index("silence")
UNKNOWN = CLASS_NAMES.index("unknown")
DESCRIPTION = ("Google Speech Commands v0.02 (real) from {data_dir}, 10 "
               "keywords + silence + unknown, MLPerf Tiny 49x10 MFCC")

_NOISE_DIR = "_background_noise_"
_LISTS = {"val": "validation_list.txt", "test": "testing_list.txt"}
_NOISE_SHARES = {"train": (0.0, 0.8), "val": (0.8, 0.9), "test": (0.9, 1.0)}
_CHUNK = 4096


def load(data_dir: str, split: str) -> Tuple[np.ndarray, np.ndarray]:
  """Reads one split as MFCCs.

  Args:
    data_dir: The unpacked speech_commands_v0.02 folder (or its parent).
    split: "train", "val" or "test".

  Returns:
    x (N, 49, 10, 1) float32 and y (N,) int64 in `CLASS_NAMES` order.

  Raises:
    ValueError: Naming the first missing file or folder, or a wav file that
      is not 16-bit mono at 16 kHz.
  """
  root = local_copy.find_root(
      data_dir, list(_LISTS.values()) + [_NOISE_DIR] + list(KEYWORDS),
      "speech_commands_v0.02", "Speech Commands v0.02 data set")
  held_out = {name: _read_list(os.path.join(root, f))
              for name, f in _LISTS.items()}
  files, labels = [], []
  for word in sorted(os.listdir(root)):
    folder = os.path.join(root, word)
    if word == _NOISE_DIR or not os.path.isdir(folder):
      continue
    label = CLASS_NAMES.index(word) if word in KEYWORDS else UNKNOWN
    for name in sorted(os.listdir(folder)):
      if name.endswith(".wav") and _split_of(word + "/" + name,
                                             held_out) == split:
        files.append(os.path.join(folder, name))
        labels.append(label)
  # MFCCs chunk by chunk: the raw audio of the train split would take GBs.
  features = [mfcc.mfcc(np.stack([_fit(read_wav(f)) for f in chunk]))
              for chunk in _chunks(files)]
  noise = _noise_slices(os.path.join(root, _NOISE_DIR), split)
  x = np.concatenate(features + [mfcc.mfcc(noise)])
  return x, np.array(labels + [SILENCE] * len(noise), np.int64)


def read_wav(filename: str) -> np.ndarray:
  """Reads a 16-bit mono 16 kHz wav file into float32 samples in [-1, 1)."""
  with wave.open(filename, "rb") as w:
    if (w.getsampwidth(), w.getnchannels(), w.getframerate()) != (
        2, 1, mfcc.SAMPLE_RATE):
      raise ValueError(
          "%s is %d-bit, %d channel(s) at %d Hz; Speech Commands files are "
          "16-bit mono at %d Hz." % (filename, 8 * w.getsampwidth(),
                                     w.getnchannels(), w.getframerate(),
                                     mfcc.SAMPLE_RATE))
    frames = w.readframes(w.getnframes())
  return np.frombuffer(frames, "<i2").astype(np.float32) / 32768.0


def _read_list(filename: str) -> set:
  with open(filename) as f:
    return {line.strip() for line in f if line.strip()}


def _split_of(rel: str, held_out: dict) -> str:
  for split, names in held_out.items():
    if rel in names:
      return split
  return "train"


def _chunks(items: list):
  return [items[i:i + _CHUNK] for i in range(0, len(items), _CHUNK)]


def _fit(clip: np.ndarray) -> np.ndarray:
  """Zero-pads (at the end, like MLPerf Tiny) or cuts a clip to 1 s."""
  return np.pad(clip, (0, max(0, mfcc.CLIP_SAMPLES - len(clip))))[
      :mfcc.CLIP_SAMPLES]


def _noise_slices(folder: str, split: str) -> np.ndarray:
  """Cuts each background recording into 1 s slices; keeps `split`'s share."""
  begin, end = _NOISE_SHARES[split]
  slices: List[np.ndarray] = []
  for name in sorted(os.listdir(folder)):
    if not name.endswith(".wav"):
      continue
    recording = read_wav(os.path.join(folder, name))
    count = len(recording) // mfcc.CLIP_SAMPLES
    slices += [recording[i * mfcc.CLIP_SAMPLES:(i + 1) * mfcc.CLIP_SAMPLES]
               for i in range(int(begin * count), int(end * count))]
  return np.reshape(slices, (-1, mfcc.CLIP_SAMPLES)).astype(np.float32)
