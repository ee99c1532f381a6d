"""One module per zoo model; each defines `INFO` and a `build()` function.

`build()` takes only keyword arguments and returns a new, uncompiled
`tf_keras` Functional model whose layers all have stable names. Classifiers
end in a layer producing logits followed by a `keras.layers.Softmax` layer
named `model_info.SOFTMAX_LAYER_NAME`. ReLU and BatchNormalization are always
separate layers.
"""
