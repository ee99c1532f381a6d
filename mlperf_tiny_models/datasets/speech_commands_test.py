"""Tests for the Speech Commands v0.02 reader, on a tiny fake copy."""
import shutil
import wave

import numpy as np
import pytest

from mlperf_tiny_models.datasets import mfcc
from mlperf_tiny_models.datasets import speech_commands as sc


def _pcm(samples):
  return (np.asarray(samples) * 32767).astype("<i2")


def _write_wav(path, samples, rate=mfcc.SAMPLE_RATE):
  path.parent.mkdir(parents=True, exist_ok=True)
  with wave.open(str(path), "wb") as w:
    w.setnchannels(1)
    w.setsampwidth(2)
    w.setframerate(rate)
    w.writeframes(_pcm(samples).tobytes())


def _tone(hz, samples):
  return 0.5 * np.sin(2 * np.pi * hz * np.arange(samples) / mfcc.SAMPLE_RATE)


def _write_speech_commands(root):
  """Per word: a_nohash_0 (train, 0.5 s), b_nohash_0 (val), c_nohash_0 (test);
  "cat" is an unknown word; 10 s of background noise give 10 slices."""
  for i, word in enumerate(sc.KEYWORDS + ("cat",)):
    for name in ("a", "b", "c"):
      length = mfcc.SAMPLE_RATE // 2 if name == "a" else mfcc.SAMPLE_RATE
      _write_wav(root / word / ("%s_nohash_0.wav" % name),
                 _tone(200 + 100 * i, length))
  noise = np.random.default_rng(0).uniform(-0.5, 0.5, 10 * mfcc.SAMPLE_RATE)
  _write_wav(root / "_background_noise_" / "white_noise.wav", noise)
  (root / "_background_noise_" / "README.md").write_text("not audio")
  words = sc.KEYWORDS + ("cat",)
  (root / "validation_list.txt").write_text(
      "".join("%s/b_nohash_0.wav\n" % w for w in words))
  (root / "testing_list.txt").write_text(
      "".join("%s/c_nohash_0.wav\n" % w for w in words))
  (root / "LICENSE").write_text("CC BY 4.0")
  return root


@pytest.fixture(name="data_dir")
def _data_dir(tmp_path):
  return _write_speech_commands(tmp_path / "speech_commands_v0.02")


@pytest.mark.parametrize("split,silence", [("train", 8), ("val", 1),
                                           ("test", 1)])
def test_splits_and_labels(data_dir, split, silence):
  x, y = sc.load(str(data_dir), split)
  keyword_labels = [sc.CLASS_NAMES.index(w) for w in sc.KEYWORDS]
  expected = sorted(keyword_labels + [sc.UNKNOWN] + [sc.SILENCE] * silence)
  assert sorted(y.tolist()) == expected
  assert x.shape == (len(y), 49, 10, 1)
  assert x.dtype == np.float32 and y.dtype == np.int64


def test_short_clips_are_zero_padded(data_dir):
  x, y = sc.load(str(data_dir.parent), "train")  # The parent works too.
  first = list(y).index(sc.CLASS_NAMES.index("down"))
  stored = _pcm(_tone(200, mfcc.SAMPLE_RATE // 2)) / 32768.0
  padded = np.concatenate([stored, np.zeros(mfcc.SAMPLE_RATE // 2)])
  np.testing.assert_allclose(x[first], mfcc.mfcc(padded[None])[0], atol=1e-3)


def test_class_order_is_mlperf_tiny():
  assert sc.CLASS_NAMES == ("down", "go", "left", "no", "off", "on", "right",
                            "stop", "up", "yes", "silence", "unknown")


def test_missing_keyword_folder_is_named(data_dir):
  shutil.rmtree(data_dir / "stop")
  with pytest.raises(ValueError, match="'stop' is missing"):
    sc.load(str(data_dir), "train")


def test_missing_list_is_named(data_dir):
  (data_dir / "testing_list.txt").unlink()
  with pytest.raises(ValueError, match="'testing_list.txt' is missing"):
    sc.load(str(data_dir), "val")


def test_wrong_sample_rate_is_named(data_dir):
  _write_wav(data_dir / "yes" / "a_nohash_0.wav", np.zeros(8000), rate=8000)
  with pytest.raises(ValueError, match=r"yes/a_nohash_0.wav is 16-bit, 1 "
                     r"channel\(s\) at 8000 Hz"):
    sc.load(str(data_dir), "train")
