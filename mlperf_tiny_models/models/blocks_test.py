"""Tests for blocks."""
import numpy as np

from mlperf_tiny_models.models import blocks
from tf_iprune.legacy_keras import keras


def test_bn_relu_names_layers_and_forwards_bn_kwargs():
  inputs = keras.Input(shape=(3,))
  outputs = blocks.bn_relu(inputs, "fc", epsilon=1e-5, momentum=0.9)
  model = keras.Model(inputs, outputs)

  bn = model.get_layer("fc_bn")
  assert isinstance(bn, keras.layers.BatchNormalization)
  assert bn.epsilon == 1e-5
  assert bn.momentum == 0.9
  assert isinstance(model.get_layer("fc_relu"), keras.layers.ReLU)
  assert model.layers[-1].name == "fc_relu"


def test_bn_relu_output_is_non_negative():
  inputs = keras.Input(shape=(4,))
  model = keras.Model(inputs, blocks.bn_relu(inputs, "x"))
  out = model(np.array([[-1.0, 2.0, -3.0, 4.0]], np.float32), training=False)
  assert np.all(out.numpy() >= 0)
