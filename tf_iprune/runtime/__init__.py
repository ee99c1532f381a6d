"""Runs exported models (model.bin) on the host simulator of msp430_runtime:
outputs, operation counters, latency and power cycles under harvested
power, failure injection, and accuracy / latency over data splits."""
from tf_iprune.runtime.evaluation import evaluate
from tf_iprune.runtime.evaluation import evaluate_split
from tf_iprune.runtime.evaluation import predict
from tf_iprune.runtime.simulator import build
from tf_iprune.runtime.simulator import run
from tf_iprune.runtime.simulator import run_vectors
from tf_iprune.runtime.simulator import SimulatorError
