"""The hardware model: one source of truth for what a model costs on an
intermittently powered MSP430FR5994 + LEA (target, tile plan, blocks,
accelerator-output criterion, operation counts, energy and latency)."""
from tf_iprune.hardware.blocks import BlockGrid
from tf_iprune.hardware.criterion import accelerator_outputs
from tf_iprune.hardware.criterion import CRITERIA
from tf_iprune.hardware.latency import estimate as estimate_latency
from tf_iprune.hardware.layer_spec import LayerSpec
from tf_iprune.hardware.layer_spec import specs_from_keras
from tf_iprune.hardware.profile import keras_kernels
from tf_iprune.hardware.profile import profile_model
from tf_iprune.hardware.profile import profile_keras
from tf_iprune.hardware.schedule import check_free_reads
from tf_iprune.hardware.schedule import conventional_counts
from tf_iprune.hardware.schedule import intermittent_counts
from tf_iprune.hardware.schedule import OpCounts
from tf_iprune.hardware.schedule import READ_OPERANDS
from tf_iprune.hardware.target import Target
from tf_iprune.hardware.tiling import plan_model
from tf_iprune.hardware.tiling import PLANS
from tf_iprune.hardware.tiling import TilePlan
