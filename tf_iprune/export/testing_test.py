"""Tests of the test-model helpers: geometry as Keras sees it, determinism."""
import numpy as np

from tf_iprune.export import reference
from tf_iprune.export import testing
from tf_iprune.hardware import layer_spec
from tf_iprune.legacy_keras import keras

layers = keras.layers


def _keras_depthwise():
  x = inputs = keras.Input((7, 7, 4))
  x = layers.Conv2D(6, 3, strides=2, padding="same", activation="relu",
                    name="conv1")(x)
  x = layers.DepthwiseConv2D(3, padding="same", activation="relu",
                             name="dw1")(x)
  x = layers.AveragePooling2D(3, 2, padding="same", name="avg1")(x)
  x = layers.GlobalAveragePooling2D(name="gap")(x)
  x = layers.Dense(4, name="fc")(x)
  return keras.Model(inputs, x)


def _keras_fire():
  x = inputs = keras.Input((6, 6, 5))
  s = layers.Conv2D(4, 1, activation="relu", name="squeeze")(x)
  e1 = layers.Conv2D(6, 1, name="expand1")(s)
  e3 = layers.Conv2D(6, 3, padding="same", name="expand3")(s)
  x = layers.Concatenate(name="concat")([e1, e3])
  x = layers.ReLU(name="relu")(x)
  x = layers.MaxPooling2D(3, 2, padding="same", name="pool")(x)
  x = layers.Flatten()(x)
  x = layers.Dense(3, name="fc")(x)
  return keras.Model(inputs, x)


def _keras_residual():
  x = inputs = keras.Input((5, 5, 3))
  x = layers.Conv2D(8, 3, padding="same", activation="relu", name="conv1")(x)
  y = layers.Conv2D(8, 3, padding="same", activation="relu", name="conv2")(x)
  y = layers.Conv2D(8, 3, padding="same", name="conv3")(y)
  x = layers.Add(name="add1")([x, y])
  x = layers.ReLU()(x)
  x = layers.GlobalAveragePooling2D(name="gap")(x)
  x = layers.Dense(3, name="fc")(x)
  return keras.Model(inputs, x)


def test_examples_have_the_geometry_keras_models_give():
  for name, build in (("depthwise", _keras_depthwise), ("fire", _keras_fire),
                      ("residual", _keras_residual)):
    assert testing.example_specs(name) == layer_spec.specs_from_keras(
        build()), name


def test_random_qmodel_is_deterministic_and_sparse():
  specs = testing.example_specs("all")
  a = testing.random_qmodel(specs, seed=7, density=0.5)
  b = testing.random_qmodel(specs, seed=7, density=0.5)
  c = testing.random_qmodel(specs, seed=8, density=0.5)
  for la, lb, lc in zip(a.layers, b.layers, c.layers):
    if la.spec.prunable:
      np.testing.assert_array_equal(la.blocks, lb.blocks)
      assert not np.array_equal(la.blocks, lc.blocks)
      assert la.nonzero.any()
  assert any(l.is_bsr for l in a.layers if l.spec.prunable)
  assert not any(l.is_bsr for l in testing.random_qmodel(specs, density=1.0)
                 .layers if l.spec.prunable)


def test_random_input_shapes_and_range():
  qmodel = testing.random_qmodel(testing.example_specs("chain"))
  x = testing.random_input(qmodel, batch=5, bits=15)
  assert x.shape == (5, 6, 6, 3) and x.dtype == np.int16
  assert testing.random_input(qmodel, bits=4).max() < 16
  assert reference.run(qmodel, x).argmax.shape == (5,)
