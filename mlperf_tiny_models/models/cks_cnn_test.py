"""Tests for cks_cnn."""
import numpy as np

from mlperf_tiny_models.models import cks_cnn
from tf_iprune.legacy_keras import keras


def test_parameter_counts_match_paper():
  model = cks_cnn.build()
  batch_norm = sum(l.count_params() for l in model.layers
                   if isinstance(l, keras.layers.BatchNormalization))
  trainable = sum(int(np.prod(w.shape)) for w in model.trainable_weights)

  # The paper's count is the trainable one: BN's gamma and beta included.
  assert trainable == 65_316
  assert model.count_params() - batch_norm == 64_948
  assert model.count_params() == 65_684


def test_structure():
  model = cks_cnn.build()

  assert model.get_layer("conv1").output_shape == (None, 40, 7, 28)
  assert model.get_layer("conv2").output_shape == (None, 16, 4, 28)
  assert model.get_layer("flatten").output_shape == (None, 1792)
  assert [model.get_layer(n).units for n in ("fc1", "fc2", "fc3")] == [
      16, 128, 12]
  # fc1 is a linear bottleneck: fc2 follows it directly.
  assert model.get_layer("fc2").input is model.get_layer("fc1").output


def test_batch_norm_uses_pytorch_defaults():
  model = cks_cnn.build()
  batch_norms = [l for l in model.layers
                 if isinstance(l, keras.layers.BatchNormalization)]

  assert [l.name for l in batch_norms] == ["conv1_bn", "conv2_bn", "fc2_bn"]
  for layer in batch_norms:
    assert layer.epsilon == 1e-5
    assert layer.momentum == 0.9
