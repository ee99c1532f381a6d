"""Intermittent-aware pruning (iPrune) for tf_keras models with tfmot."""
