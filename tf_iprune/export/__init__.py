"""Export of Keras models to the msp430_runtime (ONNX -> Q15 -> BSR -> C).

`export_model` is the pipeline (scripts/export_msp430.py is its command
line, docs/export.md its description); `reference.run` is the bit-exact
Python oracle of the runtime's Q15 arithmetic; `testing` builds small
quantised models for tests.
"""
from tf_iprune.export import ir
from tf_iprune.export import reference
from tf_iprune.export.exporter import export_model
from tf_iprune.export.ir import QLayer
from tf_iprune.export.ir import QModel
from tf_iprune.export.ir import QTensor
from tf_iprune.export.lowering import lower
