"""Intermittent-aware pruning (iPrune) for tf_keras models with tfmot.

Low level (a sibling of `tfmot.sparsity.keras.prune_low_magnitude`):
`prune_low_intermittency`, `BlockSparsity`, `IntermittentPolicy`,
`PruneLowIntermittency`, `strip_pruning`, `prune_scope`. High level: the
iterative three-step strategy, `iprune` / `IterativePruner`. See
docs/pruning.md.
"""
from tf_iprune.pruning.criteria import CRITERIA
from tf_iprune.pruning.criteria import get_criterion
from tf_iprune.pruning.iterative import IterativePruner
from tf_iprune.pruning.iterative import iprune
from tf_iprune.pruning.iterative import METHODS
from tf_iprune.pruning.iterative import PruningConfig
from tf_iprune.pruning.iterative import PruningResult
from tf_iprune.pruning.prune import prune_low_intermittency
from tf_iprune.pruning.prune import prune_scope
from tf_iprune.pruning.prune import strip_pruning
from tf_iprune.pruning.pruning_policy import IntermittentPolicy
from tf_iprune.pruning.pruning_schedule import BlockSparsity
from tf_iprune.pruning.pruning_wrapper import PruneLowIntermittency
