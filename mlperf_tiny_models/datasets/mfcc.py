"""The MLPerf Tiny keyword-spotting front end: 1 s of audio -> 49x10 MFCC.

As in mlcommons/tiny benchmark/training/keyword_spotting/get_dataset.py:
16 kHz audio of 1 s, each clip divided by its maximum sample, Hann-windowed
STFT with 30 ms windows and a 20 ms stride (512-point FFT), magnitudes onto
40 mel bins from 20 Hz to 4 kHz, log(mel + 1e-6), and the first 10 MFCCs.
Real and synthetic speech both go through `mfcc`.
"""
import numpy as np
import tensorflow as tf

SAMPLE_RATE = 16000
CLIP_SAMPLES = SAMPLE_RATE  # 1 s
_WINDOW_SAMPLES = 480  # 30 ms
_STRIDE_SAMPLES = 320  # 20 ms
_FFT_LENGTH = 512  # What tf.signal.stft picks for a 480-sample window.
_NUM_MEL_BINS = 40
_LOWER_HZ, _UPPER_HZ = 20.0, 4000.0
_NUM_MFCC = 10
NUM_FRAMES = 1 + (CLIP_SAMPLES - _WINDOW_SAMPLES) // _STRIDE_SAMPLES  # 49
FEATURE_SHAPE = (NUM_FRAMES, _NUM_MFCC, 1)
_BATCH = 1024


def mfcc(audio: np.ndarray) -> np.ndarray:
  """Computes MLPerf Tiny KWS features.

  Args:
    audio: (N, 16000) samples at 16 kHz, any scale (each clip is divided by
      its maximum, as MLPerf Tiny does; an all-zero or all-negative clip is
      left unscaled).

  Returns:
    (N, 49, 10, 1) float32 MFCCs.

  Raises:
    ValueError: If `audio` is not (N, 16000).
  """
  audio = np.asarray(audio, np.float32)
  if audio.ndim != 2 or audio.shape[1] != CLIP_SAMPLES:
    raise ValueError("mfcc() needs audio of shape (N, %d), got %s."
                     % (CLIP_SAMPLES, audio.shape))
  out = [np.zeros((0,) + FEATURE_SHAPE, np.float32)]
  for start in range(0, len(audio), _BATCH):
    out.append(_mfcc_batch(audio[start:start + _BATCH]).numpy())
  return np.concatenate(out)


@tf.function(reduce_retracing=True)
def _mfcc_batch(audio):
  peak = tf.reduce_max(audio, axis=1, keepdims=True)
  audio = audio / tf.where(peak > 0, peak, tf.ones_like(peak))
  spectrogram = tf.abs(tf.signal.stft(
      audio, frame_length=_WINDOW_SAMPLES, frame_step=_STRIDE_SAMPLES,
      fft_length=_FFT_LENGTH, window_fn=tf.signal.hann_window))
  mel_matrix = tf.signal.linear_to_mel_weight_matrix(
      _NUM_MEL_BINS, _FFT_LENGTH // 2 + 1, SAMPLE_RATE, _LOWER_HZ, _UPPER_HZ)
  log_mel = tf.math.log(tf.tensordot(spectrogram, mel_matrix, 1) + 1e-6)
  coefficients = tf.signal.mfccs_from_log_mel_spectrograms(log_mel)
  return coefficients[..., :_NUM_MFCC, tf.newaxis]
