"""Synthetic keyword-spotting data: spoken words from espeak-ng.

THIS IS SYNTHETIC SPEECH, NOT Google Speech Commands. It is the embedded
default for `kws` so that the KWS models can be trained and evaluated with
no download; numbers measured on it say nothing about accuracy on real
speech. The 12 classes are MLPerf Tiny's (`speech_commands.CLASS_NAMES`):
the ten keywords, silence (generated noise only) and unknown (the other 25
words of Speech Commands v0.02).

Each clip is one word spoken by espeak-ng with a random English accent
(`ACCENTS`), voice variant, speed, pitch and amplitude (the loudest settings
clip like an overdriven microphone; the level itself is normalised away by
the front end), resampled to 16 kHz, trimmed, placed at a random offset in a
1 s clip and mixed with generated white, pink or brown noise at a random
SNR. The voice variants of
the train, val and test splits are disjoint (`VARIANTS`), so val and test
speak with voices training never heard. Features are the MLPerf Tiny MFCCs
(`mfcc`), the same front end as for the real data. Everything is
deterministic given `Config.seed`: each clip draws from its own random
generator, whatever order the parallel espeak-ng calls finish in. The
default `Config` makes 12,000 clips (800 per class for train, 100 for val
and test), about a minute on 2 cores, cached afterwards.
"""
import concurrent.futures
import os
import shutil
import subprocess
from typing import Dict, NamedTuple, Tuple

import numpy as np
from scipy import signal

from mlperf_tiny_models.datasets import cache
from mlperf_tiny_models.datasets import mfcc
from mlperf_tiny_models.datasets import speech_commands

DESCRIPTION = (
    "synthetic speech (espeak-ng), NOT Speech Commands: MLPerf Tiny's 10 "
    "keywords + silence + unknown, split by voice, MLPerf Tiny 49x10 MFCC")

UNKNOWN_WORDS = (
    "backward", "bed", "bird", "cat", "dog", "eight", "five", "follow",
    "forward", "four", "happy", "house", "learn", "marvin", "nine", "one",
    "seven", "sheila", "six", "three", "tree", "two", "visual", "wow", "zero")
ACCENTS = ("en", "en-us", "en-us-nyc", "en-gb-scotland", "en-gb-x-gbclan",
           "en-gb-x-rp", "en-gb-x-gbcwmd", "en-029")
VARIANTS = {
    "train": ("m1", "m2", "m4", "m5", "m7", "m8", "f1", "f3", "f5", "klatt",
              "klatt3", "adam", "Alicia", "Andy", "Annie", "belinda",
              "benjamin", "boris", "david", "ed", "grandma", "iven", "john",
              "linda", "max", "norbert", "paul", "quincy", "robert", "steph",
              "victor", "zac", "Mike", "Hugo", "Jacky", "whisper"),
    "val": ("m3", "f2", "klatt2", "Alex", "aunty", "edward", "michel", "rob",
            "shelby"),
    "test": ("m6", "f4", "klatt4", "Lee", "grandpa", "travis", "Michael",
             "iven2", "Gene"),
}
_SPEED_WPM = (130, 230)
_PITCH = (15, 85)
_AMPLITUDE = (60, 200)  # espeak-ng -a; its default is 100.
_SNR_DB = (5.0, 40.0)
_NOISE_EXPONENTS = (0.0, 1.0, 2.0)  # White, pink, brown: power ~ 1/f^e.
_ESPEAK_RATE = 22050
_SILENT_FRACTION = 0.02  # Samples below this share of the peak are trimmed.
_CACHE_VERSION = 1


class Config(NamedTuple):
  """Size and seed of a synthetic build (clips per class and split)."""
  train_per_class: int = 800
  val_per_class: int = 100
  test_per_class: int = 100
  seed: int = 0

  def per_class(self, split: str) -> int:
    return getattr(self, split + "_per_class")


def load(split: str, config: Config = Config()) -> Tuple[np.ndarray,
                                                        np.ndarray]:
  """Returns one split (x (N, 49, 10, 1) float32, y (N,) int64), cached."""
  name = "kws_synth_v%d_%d-%d-%d_seed%d" % ((_CACHE_VERSION,) + config)
  arrays = cache.cached_arrays(name, lambda: build(config))
  return arrays["x_" + split], arrays["y_" + split]


def build(config: Config) -> Dict[str, np.ndarray]:
  """Synthesises all splits.

  Args:
    config: How many clips per class and split, and the seed.

  Returns:
    For each split s: x_s (N, 49, 10, 1) float32 MFCCs, y_s (N,) int64
    labels and voice_s (N,) the espeak-ng voice of each clip ("" for
    silence).

  Raises:
    RuntimeError: If espeak-ng is not installed (says how to install it).
  """
  if shutil.which("espeak-ng") is None:
    raise RuntimeError(
        "The embedded KWS data is synthesised with espeak-ng, which is not "
        "installed: sudo apt-get install -y espeak-ng (or pass data_dir= a "
        "local copy of Speech Commands v0.02).")
  arrays = {}
  workers = os.cpu_count() or 1
  with concurrent.futures.ThreadPoolExecutor(workers) as pool:
    for split_index, split in enumerate(VARIANTS):
      jobs = [(config.seed, split_index, label, i)
              for label in range(len(speech_commands.CLASS_NAMES))
              for i in range(config.per_class(split))]
      clips = list(pool.map(lambda job: _clip(job, VARIANTS[split]), jobs))
      audio = np.stack([c[0] for c in clips])
      arrays["x_" + split] = mfcc.mfcc(audio)
      arrays["y_" + split] = np.array([job[2] for job in jobs], np.int64)
      arrays["voice_" + split] = np.array([c[1] for c in clips])
  return arrays


def _clip(job: Tuple[int, int, int, int], variants) -> Tuple[np.ndarray, str]:
  """Makes one 1 s clip at 16 kHz; returns it with its voice name."""
  rng = np.random.default_rng(job)
  label = job[2]
  noise = _noise(rng)
  if label == speech_commands.SILENCE:
    return noise, ""
  word = (speech_commands.CLASS_NAMES[label] if label != speech_commands.UNKNOWN
          else rng.choice(UNKNOWN_WORDS))
  voice = "%s+%s" % (rng.choice(ACCENTS), rng.choice(variants))
  speech = _speak(word, voice, [
      "-s", rng.integers(*_SPEED_WPM, endpoint=True),
      "-p", rng.integers(*_PITCH, endpoint=True),
      "-a", rng.integers(*_AMPLITUDE, endpoint=True)])
  if len(speech) > mfcc.CLIP_SAMPLES:
    start = rng.integers(0, len(speech) - mfcc.CLIP_SAMPLES, endpoint=True)
    speech = speech[start:start + mfcc.CLIP_SAMPLES]
  offset = rng.integers(0, mfcc.CLIP_SAMPLES - len(speech), endpoint=True)
  clip = np.zeros(mfcc.CLIP_SAMPLES, np.float32)
  clip[offset:offset + len(speech)] = speech
  rms = np.sqrt(np.mean(np.square(speech)))
  snr = 10.0 ** (rng.uniform(*_SNR_DB) / 20.0)
  return clip + noise * (rms / snr), voice


def _speak(word: str, voice: str, options) -> np.ndarray:
  """Runs espeak-ng; returns the trimmed word at 16 kHz, peak 1."""
  wav = subprocess.run(
      ["espeak-ng", "-v", voice] + [str(o) for o in options] +
      ["--stdout", word], capture_output=True, check=True).stdout
  # espeak-ng streams its wav: the header's sizes are placeholders, so the
  # samples are simply everything after the "data" chunk header.
  samples = np.frombuffer(wav[wav.index(b"data") + 8:], "<i2")
  speech = signal.resample_poly(samples.astype(np.float32), mfcc.SAMPLE_RATE,
                                _ESPEAK_RATE)
  magnitude = np.abs(speech)
  loud = np.flatnonzero(magnitude > _SILENT_FRACTION * magnitude.max())
  speech = speech[loud[0]:loud[-1] + 1]
  return speech / magnitude.max()


def _noise(rng: np.random.Generator) -> np.ndarray:
  """Returns 1 s of unit-RMS white, pink or brown noise."""
  exponent = rng.choice(_NOISE_EXPONENTS)
  spectrum = np.fft.rfft(rng.standard_normal(mfcc.CLIP_SAMPLES))
  frequency = np.maximum(np.arange(len(spectrum)), 1.0)
  noise = np.fft.irfft(spectrum / frequency ** (exponent / 2.0),
                       mfcc.CLIP_SAMPLES)
  return (noise / np.sqrt(np.mean(np.square(noise)))).astype(np.float32)
