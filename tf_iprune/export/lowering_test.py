"""Tests of the ONNX lowering to the runtime's layers."""
import numpy as np
import onnx
from onnx import helper
from onnx import numpy_helper
import onnxruntime
import pytest

import mlperf_tiny_models
from tf_iprune.export import keras_to_onnx
from tf_iprune.export import keras_to_onnx_test
from tf_iprune.export import lowering
from tf_iprune.hardware import layer_spec
from tf_iprune.legacy_keras import keras

layers = keras.layers


def _lower(model):
  proto, stripped = keras_to_onnx.convert(model)
  return lowering.lower(proto, keras_to_onnx.keras_layers(stripped),
                        model.name), stripped


def _logits_model(model):
  """The model without its final softmax (the runtime drops it)."""
  last = model.layers[-1]
  if isinstance(last, layers.Softmax):
    return keras.Model(model.input, last.input)
  if getattr(last, "activation", None) is keras.activations.softmax:
    last.activation = keras.activations.linear
  return model


def _check_float_matches_keras(model, float_model, seed=0):
  x = np.random.default_rng(seed).normal(
      size=(3,) + model.input_shape[1:]).astype(np.float32)
  want = _logits_model(model).predict(x, verbose=0).reshape(3, -1)
  got = float_model.run(x).tensors[float_model.layers[-1].name]
  np.testing.assert_allclose(got.reshape(3, -1), want, rtol=1e-4,
                             atol=1e-4 * np.abs(want).max())


@pytest.mark.parametrize("name", mlperf_tiny_models.list_models())
def test_zoo_model_lowers_to_the_specs_of_its_keras_model(name):
  model = keras_to_onnx_test.randomize(mlperf_tiny_models.get_model(name))
  float_model, _ = _lower(model)
  assert float_model.specs == layer_spec.specs_from_keras(model)
  assert float_model.name == name
  _check_float_matches_keras(model, float_model)


def _every_rule_model():
  x = inputs = keras.Input((9, 8, 3))
  x = layers.ZeroPadding2D(((1, 0), (2, 1)), name="zp")(x)
  x = layers.Conv2D(6, 3, strides=2, name="conv")(x)
  x = layers.BatchNormalization(name="bn")(x)
  x = layers.Activation("relu", name="act")(x)
  a = layers.AveragePooling2D(3, 1, padding="same", name="avg")(x)
  m = layers.MaxPooling2D(3, 1, padding="same", name="max")(x)
  c = layers.Conv2D(6, 1, name="c1")(x)
  x = layers.Add(name="add3")([a, m, c])
  d = layers.DepthwiseConv2D(2, padding="same", use_bias=False, name="dw")(x)
  x = layers.Concatenate(name="cat")([x, d])
  x = layers.ReLU(name="cat_relu")(x)
  x = layers.Flatten(name="flat")(x)
  x = layers.Dense(7, name="fc1")(x)
  x = layers.BatchNormalization(name="fc1_bn")(x)
  x = layers.ReLU(name="fc1_relu")(x)
  x = layers.Dropout(0.5, name="drop")(x)
  x = layers.Dense(4, activation="softmax", name="fc2")(x)
  return keras_to_onnx_test.randomize(keras.Model(inputs, x, name="rules"))


def test_every_rule_matches_keras_specs_and_numbers():
  model = _every_rule_model()
  float_model, _ = _lower(model)
  specs = {s.name: s for s in float_model.specs}
  assert float_model.specs == layer_spec.specs_from_keras(model)
  assert specs["conv"].pads == (1, 2, 0, 1)  # ZeroPadding2D absorbed.
  assert specs["conv"].activation == "relu"  # BN folded, ReLU fused.
  assert specs["add3"].inputs == ("avg", "max", "c1")  # One 3-input add.
  assert specs["cat_relu"].kind == "relu"  # A concat cannot fuse it.
  assert specs["fc1"].activation == "relu"  # Dense + BN (Mul/Add) + ReLU.
  _check_float_matches_keras(model, float_model)


def _refusal(build, match):
  with pytest.raises(ValueError, match=match) as info:
    _lower(build())
  assert "Supported ONNX operators: Add, AveragePool" in str(info.value)


def test_unsupported_activation_names_node_op_and_layer():
  def build():
    inputs = keras.Input((4,))
    x = layers.Dense(3, activation="tanh", name="fc_tanh")(inputs)
    return keras.Model(inputs, x, name="tanh_model")
  _refusal(build, r"ONNX node 'tanh_model/fc_tanh/Tanh' \(op Tanh, from "
           r"Keras layer 'fc_tanh'\) of model 'tanh_model': operator Tanh is "
           r"not supported")


def test_unsupported_layer_leaky_relu():
  def build():
    inputs = keras.Input((4, 4, 2))
    x = layers.Conv2D(3, 3, name="conv")(inputs)
    x = layers.LeakyReLU(name="leaky")(x)
    return keras.Model(inputs, x, name="leaky_model")
  _refusal(build, r"op LeakyRelu, from Keras layer 'leaky'")


def test_dilated_and_grouped_convolutions_are_refused():
  def dilated():
    inputs = keras.Input((8, 8, 2))
    return keras.Model(inputs, layers.Conv2D(
        2, 3, dilation_rate=2, name="dil")(inputs), name="dilated")
  _refusal(dilated, r"dilated convolutions")

  def grouped():
    inputs = keras.Input((8, 8, 4))
    return keras.Model(inputs, layers.Conv2D(
        4, 3, groups=2, name="grp")(inputs), name="grouped")
  with pytest.raises(ValueError, match=r"'grp'|grouped"):
    _lower(grouped())


def test_softmax_in_the_middle_is_refused():
  def build():
    inputs = keras.Input((4,))
    x = layers.Dense(3, name="fc1")(inputs)
    x = layers.Softmax(name="mid_softmax")(x)
    x = layers.Dense(2, name="fc2")(x)
    return keras.Model(inputs, x, name="mid")
  _refusal(build, r"Keras layer 'mid_softmax'.*Softmax is only supported as "
           r"the last operation")


def _nchw_flatten_graph():
  """NHWC input -> NCHW conv -> Flatten in NCHW order -> MatMul.

  tf2onnx transposes back to NHWC before a Flatten; graphs from elsewhere
  may not. The lowering must permute the weight rows to (H, W, C) order.
  """
  rng = np.random.default_rng(0)
  conv_w = rng.normal(size=(3, 2, 3, 3)).astype(np.float32)
  fc_w = rng.normal(size=(48, 5)).astype(np.float32)
  nodes = [
      helper.make_node("Transpose", ["x"], ["x_nchw"], perm=[0, 3, 1, 2],
                       name="to_nchw"),
      helper.make_node("Conv", ["x_nchw", "conv_w"], ["y"], pads=[1, 1, 1, 1],
                       name="conv"),
      helper.make_node("Flatten", ["y"], ["flat"], name="flatten"),
      helper.make_node("MatMul", ["flat", "fc_w"], ["logits"], name="fc"),
  ]
  graph = helper.make_graph(
      nodes, "nchw_flatten",
      [helper.make_tensor_value_info("x", onnx.TensorProto.FLOAT,
                                     ["N", 4, 4, 2])],
      [helper.make_tensor_value_info("logits", onnx.TensorProto.FLOAT,
                                     ["N", 5])],
      [numpy_helper.from_array(conv_w, "conv_w"),
       numpy_helper.from_array(fc_w, "fc_w")])
  model = helper.make_model(graph, opset_imports=[helper.make_opsetid("",
                                                                      13)],
                            ir_version=8)  # What onnxruntime reads.
  onnx.checker.check_model(model)
  return model


def test_flatten_in_nchw_order_permutes_dense_rows():
  proto = _nchw_flatten_graph()
  float_model = lowering.lower(proto)
  assert [s.name for s in float_model.specs] == ["conv", "fc"]  # ONNX names.
  assert float_model.specs[1].input_shapes == ((1, 1, 48),)
  x = np.random.default_rng(1).normal(size=(2, 4, 4, 2)).astype(np.float32)
  session = onnxruntime.InferenceSession(proto.SerializeToString(),
                                         providers=["CPUExecutionProvider"])
  want = session.run(None, {"x": x})[0]
  got = float_model.run(x).tensors["fc"].reshape(2, 5)
  np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)


def test_nodes_without_a_keras_path_are_named_from_the_keras_graph():
  proto = _nchw_flatten_graph()
  proto.graph.node[1].name = "Conv__7"
  proto.graph.node[3].name = "MatMul__8"
  layer = keras_to_onnx.KerasLayer
  keras_layers = {
      "x": layer("x", "InputLayer", (), 0),
      "c": layer("c", "Conv2D", ("x",), 1),
      "c_relu": layer("c_relu", "ReLU", ("c",), 2),
      "flat": layer("flat", "Flatten", ("c_relu",), 3),
      "fc": layer("fc", "Dense", ("flat",), 4),
  }
  float_model = lowering.lower(proto, keras_layers, "m")
  assert [s.name for s in float_model.specs] == ["c", "fc"]
  assert float_model.specs[1].inputs == ("c",)


def test_unsupported_op_in_plain_onnx_graph():
  proto = _nchw_flatten_graph()
  proto.graph.node[3].op_type = "Sigmoid"
  with pytest.raises(ValueError, match=r"ONNX node 'fc' \(op Sigmoid, from "
                     r"Keras layer None\) of model 'nchw_flatten'"):
    lowering.lower(proto)


def test_input_without_fixed_shape_is_refused():
  proto = _nchw_flatten_graph()
  proto.graph.input[0].type.tensor_type.shape.dim[1].dim_param = "H"
  with pytest.raises(ValueError, match="input 'x' has no fixed shape"):
    lowering.lower(proto)
