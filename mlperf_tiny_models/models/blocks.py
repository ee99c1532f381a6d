"""Layer groups shared by several zoo models."""
from tf_iprune.legacy_keras import keras


def bn_relu(x, name, **bn_kwargs):
  """Applies BatchNormalization then ReLU, as two named layers.

  Args:
    x: Input tensor, usually the output of the layer called `name`.
    name: Prefix of the new layers, which are named `name + '_bn'` and
      `name + '_relu'`.
    **bn_kwargs: Passed to `keras.layers.BatchNormalization`.

  Returns:
    The ReLU's output tensor.
  """
  x = keras.layers.BatchNormalization(name=name + "_bn", **bn_kwargs)(x)
  return keras.layers.ReLU(name=name + "_relu")(x)
