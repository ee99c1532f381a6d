"""Export of Keras models to the msp430_runtime (ONNX -> Q15 -> BSR -> C)."""
