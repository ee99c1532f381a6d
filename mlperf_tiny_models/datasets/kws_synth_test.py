"""Tests for the synthetic (espeak-ng) keyword-spotting data."""
import re
import shutil
import subprocess

import numpy as np
import pytest

from mlperf_tiny_models.datasets import cache
from mlperf_tiny_models.datasets import kws_synth
from mlperf_tiny_models.datasets import speech_commands

needs_espeak = pytest.mark.skipif(
    shutil.which("espeak-ng") is None,
    reason="needs Debian's espeak-ng: sudo apt-get install -y espeak-ng")
_TINY = kws_synth.Config(train_per_class=2, val_per_class=1, test_per_class=1,
                         seed=0)


@pytest.fixture(name="tiny", scope="module")
def _tiny():
  return kws_synth.build(_TINY)


@needs_espeak
def test_tiny_build_has_every_class_in_every_split(tiny):
  for split in ("train", "val", "test"):
    x, y = tiny["x_" + split], tiny["y_" + split]
    per_class = _TINY.per_class(split)
    assert x.shape == (12 * per_class, 49, 10, 1)
    assert x.dtype == np.float32 and np.isfinite(x).all()
    np.testing.assert_array_equal(np.bincount(y), [per_class] * 12)


@needs_espeak
def test_splits_use_their_own_voices(tiny):
  for split in ("train", "val", "test"):
    voices = tiny["voice_" + split]
    speech = tiny["y_" + split] != speech_commands.SILENCE
    assert all(v == "" for v in voices[~speech])
    for voice in voices[speech]:
      accent, variant = voice.split("+")
      assert accent in kws_synth.ACCENTS
      assert variant in kws_synth.VARIANTS[split]


def test_voice_variants_of_splits_are_disjoint():
  train, val, test = (set(kws_synth.VARIANTS[s])
                      for s in ("train", "val", "test"))
  assert not (train & val or train & test or val & test)


@needs_espeak
def test_voices_exist():
  # espeak-ng silently ignores an unknown variant, so check the list.
  listing = subprocess.run(["espeak-ng", "--voices=variant"], check=True,
                           capture_output=True, text=True).stdout
  variants = set(re.findall(r"!v/(\S+)", listing))
  for split_variants in kws_synth.VARIANTS.values():
    assert set(split_variants) <= variants
  for accent in kws_synth.ACCENTS:
    subprocess.run(["espeak-ng", "-v", accent, "-q", "yes"], check=True)


@needs_espeak
def test_build_is_deterministic(tiny):
  again = kws_synth.build(_TINY)
  for key, value in tiny.items():
    np.testing.assert_array_equal(again[key], value, err_msg=key)
  other = kws_synth.build(_TINY._replace(seed=1))
  assert not np.array_equal(other["x_train"], tiny["x_train"])


def test_load_builds_once_into_the_cache(tmp_path, monkeypatch):
  monkeypatch.setenv(cache.ENV_VAR, str(tmp_path))
  calls = []

  def fake_build(config):
    calls.append(config)
    return {"%s_%s" % (k, s): np.zeros(1) for k in ("x", "y", "voice")
            for s in ("train", "val", "test")}

  monkeypatch.setattr(kws_synth, "build", fake_build)
  kws_synth.load("train", _TINY)
  kws_synth.load("test", _TINY)
  assert calls == [_TINY]


def test_missing_espeak_says_how_to_install(monkeypatch):
  monkeypatch.setattr(shutil, "which", lambda name: None)
  with pytest.raises(RuntimeError, match="apt-get install -y espeak-ng"):
    kws_synth.build(_TINY)


def test_description_says_synthetic():
  assert "synthetic" in kws_synth.DESCRIPTION
  assert "NOT Speech Commands" in kws_synth.DESCRIPTION
