"""Tests for layer_spec: runtime layers extracted from Keras models."""
import pytest

import mlperf_tiny_models
from tf_iprune.hardware import layer_spec
from tf_iprune.legacy_keras import keras

L = keras.layers


def _kinds(specs):
  return [(s.kind, s.activation) for s in specs]


def test_har_cnn_specs():
  specs = layer_spec.specs_from_keras(mlperf_tiny_models.get_model("har_cnn"))
  assert _kinds(specs) == [("conv", "relu"), ("maxpool", "none")] * 3 + [
      ("dense", "none")]
  conv1 = specs[0]
  assert conv1.input_shapes == ((1, 128, 9),)
  assert conv1.output_shape == (1, 128, 18)
  # 'same' with an even kernel pads after: TensorFlow's convention.
  assert conv1.pads == (0, 0, 0, 1)
  assert specs[-1].in_channels == 1152
  assert specs[-1].inputs == (specs[-2].name,)


@pytest.mark.parametrize("name, macs, params", [
    ("har_cnn", 297_216, 13_848),
    ("cks_cnn", 2_352_896, 64_948),  # 65,316 trainable minus BN's gamma/beta.
    ("sqn", 3_876_032, 73_546),
    ("kws_dscnn", None, 22_604),
    ("ic_resnet8", None, 77_706),
    ("vww_mobilenet", None, 210_850),
    ("ad_autoencoder", None, 265_864),
])
def test_macs_and_params_of_zoo_models(name, macs, params):
  specs = layer_spec.specs_from_keras(mlperf_tiny_models.get_model(name))
  assert sum(s.num_weights + s.num_biases for s in specs) == params
  if macs is not None:
    assert sum(s.macs for s in specs) == macs


def test_batchnorm_folded_and_relu_fused():
  specs = layer_spec.specs_from_keras(mlperf_tiny_models.get_model("cks_cnn"))
  assert _kinds(specs) == [("conv", "relu"), ("conv", "relu"),
                           ("dense", "none"), ("dense", "relu"),
                           ("dense", "none")]
  assert specs[1].strides == (2, 1)
  assert specs[1].output_shape == (16, 4, 28)


def test_concat_add_and_depthwise():
  sqn = layer_spec.specs_from_keras(mlperf_tiny_models.get_model("sqn"))
  concat = [s for s in sqn if s.kind == "concat"]
  assert len(concat) == 3 and len(concat[0].inputs) == 2
  assert concat[0].output_shape == (7, 7, 128)
  ic = layer_spec.specs_from_keras(mlperf_tiny_models.get_model("ic_resnet8"))
  adds = [s for s in ic if s.kind == "add"]
  assert len(adds) == 3 and all(a.activation == "relu" for a in adds)
  kws = layer_spec.specs_from_keras(mlperf_tiny_models.get_model("kws_dscnn"))
  dw = [s for s in kws if s.kind == "depthwise"]
  assert len(dw) == 4
  assert dw[0].kernel_shape == (3, 3, 64, 1) and dw[0].macs == 25 * 5 * 64 * 9


def test_zero_padding_is_folded_into_the_conv():
  inputs = L.Input((8, 8, 2))
  x = L.ZeroPadding2D(((1, 2), (0, 1)))(inputs)
  x = L.Conv2D(4, 3, name="conv")(x)
  spec, = layer_spec.specs_from_keras(keras.Model(inputs, x))
  assert spec.input_shapes == ((8, 8, 2),)
  assert spec.pads == (1, 0, 2, 1)
  assert spec.output_shape == (9, 7, 4)


def test_relu_with_two_consumers_stays_a_layer():
  inputs = L.Input((4, 4, 2))
  x = L.Conv2D(2, 1, name="conv")(inputs)
  a = L.ReLU(name="relu")(x)
  y = L.Add(name="add")([x, a])
  specs = layer_spec.specs_from_keras(keras.Model(inputs, y))
  assert [s.kind for s in specs] == ["conv", "relu", "add"]
  assert specs[2].inputs == ("conv", "relu")


@pytest.mark.parametrize("build, message", [
    (lambda x: L.Conv2D(2, 3, dilation_rate=2, name="dil")(x), "'dil'.*dilated"),
    (lambda x: L.LayerNormalization(name="ln")(x), "'ln'.*LayerNormalization"),
    (lambda x: L.BatchNormalization(name="bn")(x), "'bn'.*BatchNormalization"),
    (lambda x: L.Conv2D(2, 1, activation="tanh", name="t")(x), "'t'.*tanh"),
    (lambda x: L.DepthwiseConv2D(3, depth_multiplier=2, name="d")(x),
     "'d'.*depth_multiplier"),
    (lambda x: L.Conv2DTranspose(2, 3, name="up")(x),
     "'up'.*Conv2DTranspose"),
])
def test_unsupported_layers_are_named(build, message):
  inputs = L.Input((6, 6, 2))
  with pytest.raises(ValueError, match=message):
    layer_spec.specs_from_keras(keras.Model(inputs, build(inputs)))


def test_undefined_input_shape_is_an_error():
  inputs = L.Input((None, None, 2))
  model = keras.Model(inputs, L.Conv2D(2, 1, name="c")(inputs))
  with pytest.raises(ValueError, match="not fully defined"):
    layer_spec.specs_from_keras(model)


def test_pruning_wrappers_are_looked_through():
  import tensorflow_model_optimization as tfmot  # pylint: disable=g-import-not-at-top
  model = mlperf_tiny_models.get_model("har_cnn")
  pruned = tfmot.sparsity.keras.prune_low_magnitude(model)
  assert (layer_spec.specs_from_keras(pruned) ==
          layer_spec.specs_from_keras(model))


def test_layers_shared_with_a_stripped_model():
  """tfmot's strip_pruning leaves layers in two models; each extracts."""
  import tensorflow_model_optimization as tfmot  # pylint: disable=g-import-not-at-top
  model = mlperf_tiny_models.get_model("har_cnn")
  pruned = tfmot.sparsity.keras.prune_low_magnitude(model)
  stripped = tfmot.sparsity.keras.strip_pruning(pruned)
  assert (layer_spec.specs_from_keras(stripped) ==
          layer_spec.specs_from_keras(pruned))
