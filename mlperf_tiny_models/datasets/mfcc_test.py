"""Tests for the MLPerf Tiny KWS front end."""
import numpy as np
import pytest

from mlperf_tiny_models.datasets import mfcc


def _tone(hz, seconds=1.0):
  t = np.arange(int(seconds * mfcc.SAMPLE_RATE)) / mfcc.SAMPLE_RATE
  return np.sin(2 * np.pi * hz * t).astype(np.float32)


def test_shape_is_49_by_10():
  features = mfcc.mfcc(np.stack([_tone(440), _tone(1000)]))
  assert mfcc.NUM_FRAMES == 49
  assert features.shape == (2, 49, 10, 1)
  assert features.dtype == np.float32


def test_clips_are_peak_normalised():
  clip = _tone(700) * np.linspace(0.2, 1.0, mfcc.SAMPLE_RATE)
  loud, quiet = mfcc.mfcc(np.stack([clip, 0.01 * clip]))
  np.testing.assert_allclose(loud, quiet, atol=0.02)  # float32 rounding.


def test_features_depend_on_frequency():
  low, high = mfcc.mfcc(np.stack([_tone(300), _tone(3000)]))
  assert np.abs(low - high).mean() > 1.0


def test_batches_match_single_clips():
  clips = np.random.default_rng(0).normal(size=(3, mfcc.SAMPLE_RATE))
  together = mfcc.mfcc(clips)
  for clip, features in zip(clips, together):
    np.testing.assert_allclose(mfcc.mfcc(clip[None]), features[None],
                               atol=1e-4)


def test_silent_clip_stays_finite():
  assert np.isfinite(mfcc.mfcc(np.zeros((1, mfcc.SAMPLE_RATE)))).all()


def test_empty_batch():
  assert mfcc.mfcc(np.zeros((0, mfcc.SAMPLE_RATE))).shape == (0, 49, 10, 1)


def test_wrong_length_is_refused():
  with pytest.raises(ValueError, match=r"\(N, 16000\)"):
    mfcc.mfcc(np.zeros((1, 8000)))
