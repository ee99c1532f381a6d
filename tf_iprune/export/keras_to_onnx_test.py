"""Tests of the Keras -> ONNX conversion."""
import numpy as np
import onnxruntime
import pytest
import tensorflow_model_optimization as tfmot

import mlperf_tiny_models
from tf_iprune.export import keras_to_onnx
from tf_iprune.legacy_keras import keras

layers = keras.layers


def randomize(model, seed=0):
  """Random weights (BatchNorm variances positive) so nothing is trivial."""
  rng = np.random.default_rng(seed)
  for weight in model.weights:
    shape = tuple(weight.shape)
    if "variance" in weight.name:
      weight.assign(rng.uniform(0.5, 2.0, shape).astype(np.float32))
    else:
      weight.assign(rng.normal(0, 0.3, shape).astype(np.float32))
  return model


def small_model():
  x = inputs = keras.Input((8, 8, 3))
  x = layers.Conv2D(6, 3, padding="same", name="conv")(x)
  x = layers.BatchNormalization(name="bn")(x)
  x = layers.ReLU(name="relu")(x)
  y = layers.DepthwiseConv2D(3, padding="same", name="dw")(x)
  x = layers.Add(name="add")([x, y])
  x = layers.MaxPooling2D(name="pool")(x)
  a = layers.Conv2D(4, 1, name="a")(x)
  b = layers.Conv2D(4, 3, padding="same", name="b")(x)
  x = layers.Concatenate(name="cat")([a, b])
  x = layers.GlobalAveragePooling2D(name="gap")(x)
  x = layers.Dense(5, activation="softmax", name="fc")(x)
  return randomize(keras.Model(inputs, x, name="small"))


def _onnx_predict(proto, x):
  session = onnxruntime.InferenceSession(proto.SerializeToString(),
                                         providers=["CPUExecutionProvider"])
  return session.run(None, {session.get_inputs()[0].name: x})[0]


@pytest.mark.parametrize("build", [small_model, lambda: randomize(
    mlperf_tiny_models.get_model("har_cnn"))])
def test_onnxruntime_matches_keras(build):
  model = build()
  proto, stripped = keras_to_onnx.convert(model)
  keras_to_onnx.check(proto, model.name)
  x = np.random.default_rng(1).normal(
      size=(4,) + model.input_shape[1:]).astype(np.float32)
  np.testing.assert_allclose(_onnx_predict(proto, x),
                             stripped.predict(x, verbose=0),
                             rtol=1e-4, atol=1e-5)


def test_conversion_is_byte_identical():
  model = small_model()
  a, _ = keras_to_onnx.convert(model)
  b, _ = keras_to_onnx.convert(model)
  assert (a.SerializeToString(deterministic=True) ==
          b.SerializeToString(deterministic=True))


def test_pruning_wrappers_are_stripped():
  model = small_model()
  pruned = tfmot.sparsity.keras.prune_low_magnitude(
      model, pruning_schedule=tfmot.sparsity.keras.ConstantSparsity(0.5, 0))
  proto, stripped = keras_to_onnx.convert(pruned)
  assert not any(isinstance(l, keras.layers.Wrapper) for l in stripped.layers)
  assert stripped.name == "small"
  info = keras_to_onnx.keras_layers(stripped)  # No layer shared with pruned.
  assert info["bn"].inbound == ("conv",)
  x = np.random.default_rng(2).normal(size=(2, 8, 8, 3)).astype(np.float32)
  np.testing.assert_allclose(_onnx_predict(proto, x),
                             stripped.predict(x, verbose=0),
                             rtol=1e-4, atol=1e-5)


def test_unknown_wrapper_is_refused():
  inputs = keras.Input((4,))
  x = layers.TimeDistributed(layers.Dense(2), name="wrapped")(
      layers.Reshape((2, 2))(inputs))
  with pytest.raises(ValueError, match=r"\['wrapped'\] are still wrapped"):
    keras_to_onnx.convert(keras.Model(inputs, x, name="w"))


def test_keras_layers_record_types_and_inputs():
  info = keras_to_onnx.keras_layers(small_model())
  assert info["bn"].class_name == "BatchNormalization"
  assert info["bn"].inbound == ("conv",)
  assert info["cat"].inbound == ("a", "b")
  assert info["conv"].index < info["bn"].index < info["fc"].index


def test_refuses_model_without_fixed_input_shape():
  inputs = keras.Input((None, None, 3))
  x = layers.Conv2D(2, 3)(inputs)
  model = keras.Model(inputs, layers.GlobalAveragePooling2D()(x),
                      name="free")
  with pytest.raises(ValueError, match="'free' has no fixed input shape"):
    keras_to_onnx.convert(model)


def test_refuses_unbuilt_model():
  model = keras.Sequential([layers.Dense(3)], name="unbuilt")
  with pytest.raises(ValueError, match="'unbuilt' has no input shape"):
    keras_to_onnx.convert(model)


def test_refuses_nan_weights():
  model = small_model()
  kernel = model.get_layer("b").kernel
  kernel.assign(np.where(np.arange(kernel.shape[-1]) == 2, np.nan,
                         kernel.numpy()).astype(np.float32))
  with pytest.raises(ValueError, match="weight 'b/kernel.*NaN or Inf"):
    keras_to_onnx.convert(model)


def test_check_turns_checker_failures_into_value_errors():
  proto, _ = keras_to_onnx.convert(small_model())
  proto.graph.node[1].op_type = "NoSuchOp"
  with pytest.raises(ValueError, match="'small' fails onnx.checker"):
    keras_to_onnx.check(proto, "small")


def test_refuses_shared_layers():
  dense = layers.Dense(4, name="shared")
  inputs = keras.Input((4,))
  model = keras.Model(inputs, dense(dense(inputs)), name="twice")
  with pytest.raises(ValueError, match="'shared' is used 2 times"):
    keras_to_onnx.keras_layers(model)


def test_refuses_two_inputs():
  a, b = keras.Input((4,)), keras.Input((4,))
  model = keras.Model([a, b], layers.Add()([a, b]), name="two")
  with pytest.raises(ValueError, match="2 inputs and 1 outputs"):
    keras_to_onnx.convert(model)
