"""Tests for prune_low_intermittency: fit, strip, save and load."""
import numpy as np
import pytest
import tensorflow_model_optimization as tfmot

from tf_iprune import hardware
from tf_iprune.legacy_keras import keras
from tf_iprune.pruning import block_mask
from tf_iprune.pruning import prune
from tf_iprune.pruning import pruning_policy
from tf_iprune.pruning import pruning_schedule
from tf_iprune.pruning import pruning_wrapper
from tf_iprune.pruning import prune_registry
from tf_iprune.pruning import testing

SPARSITIES = {"conv1": 0.3, "dw": 0.5, "conv2": 0.6, "fc": 0.4}


@pytest.fixture(scope="module")
def trained():
  return testing.trained_tiny_cnn(epochs=5)


def _wrap(model, schedule=None):
  return prune.prune_low_intermittency(
      model, SPARSITIES if schedule is None else schedule,
      tile_overrides=testing.tiles(model))


def _fit(model, epochs=2, seed=1):
  model.compile(keras.optimizers.Adam(1e-2), "sparse_categorical_crossentropy")
  model.fit(*testing.data(256, seed), epochs=epochs, batch_size=32, verbose=0,
            callbacks=[tfmot.sparsity.keras.UpdatePruningStep()])


def _grids(model):
  policy = pruning_policy.IntermittentPolicy(
      tile_overrides=testing.tiles(model))
  return {n: hardware.BlockGrid(s, t)
          for n, (s, t) in policy.layer_plans(model).items()}


def _kernel(model, name):
  return prune_registry.prunable_weight(model.get_layer(name)).numpy()


def test_fit_zeroes_exactly_the_chosen_blocks(trained):
  grids = _grids(trained)
  expected = {n: block_mask.select_blocks(g, _kernel(trained, n),
                                          g.dense_mask(), SPARSITIES[n])[0]
              for n, g in grids.items()}
  pruned = _wrap(trained)
  _fit(pruned)
  plain = prune.strip_pruning(pruned)
  for name, grid in grids.items():
    kernel = _kernel(plain, name)
    assert np.array_equal(grid.nonzero_blocks(kernel), expected[name]), name
    # Whole blocks only: the kept blocks have no zero weight.
    assert np.all(kernel[grid.weight_mask(expected[name]) == 1] != 0), name
    assert np.all(kernel[grid.weight_mask(expected[name]) == 0] == 0), name
    real = grid.real_weights_per_block
    target = block_mask.sparsity_to_weights(SPARSITIES[name], kernel.size)
    assert real[~expected[name]].sum() >= target
  # Training kept the original model untouched (no shared layers).
  assert np.count_nonzero(_kernel(trained, "conv2")) == _kernel(
      trained, "conv2").size


def test_masks_are_cumulative_and_zeros_stay_zero(trained):
  first = _wrap(trained, {"conv2": 0.5})
  _fit(first)
  once = prune.strip_pruning(first)
  grids = _grids(once)
  kept = grids["conv2"].nonzero_blocks(_kernel(once, "conv2"))
  assert (~kept).sum() == 12  # 0.5 of 24 equal blocks.
  for name in ("conv1", "dw", "fc"):
    assert grids[name].nonzero_blocks(_kernel(once, name)).all()
  # A second round to a lower target keeps every pruned block pruned.
  second = _wrap(once, {"conv2": 0.25, "fc": 0.5})
  _fit(second, epochs=3, seed=2)
  twice = prune.strip_pruning(second)
  assert np.array_equal(grids["conv2"].nonzero_blocks(_kernel(twice, "conv2")),
                        kept)
  assert (~grids["fc"].nonzero_blocks(_kernel(twice, "fc"))).sum() == 12


def test_default_prunes_half_of_every_layer():
  model = testing.trained_tiny_cnn(epochs=1)
  pruned = prune.prune_low_intermittency(model,
                                         tile_overrides=testing.tiles(model))
  _fit(pruned, epochs=1)
  plain = prune.strip_pruning(pruned)
  for name, grid in _grids(plain).items():
    kernel = _kernel(plain, name)
    pruned_weights = grid.real_weights_per_block[
        ~grid.nonzero_blocks(kernel)].sum()
    assert pruned_weights >= 0.5 * kernel.size
    assert pruned_weights < 0.5 * kernel.size + grid.weights_per_block


def test_depthwise_kernel_is_pruned(trained):
  pruned = _wrap(trained)
  wrapper = pruned.get_layer("prune_low_intermittency_dw")
  assert isinstance(wrapper, pruning_wrapper.PruneLowIntermittency)
  assert wrapper.pruning_vars[0][0] is wrapper.layer.depthwise_kernel
  assert isinstance(wrapper.pruning_obj, pruning_wrapper.BlockPruning)


def test_strip_gives_the_plain_model(trained):
  pruned = _wrap(trained)
  _fit(pruned, epochs=1)
  plain = prune.strip_pruning(pruned)
  assert [type(l).__name__ for l in plain.layers] == [
      type(l).__name__ for l in trained.layers]
  x = testing.data(64, 3)[0]
  np.testing.assert_allclose(plain.predict(x, verbose=0),
                             pruned.predict(x, verbose=0), atol=1e-6)
  hardware.specs_from_keras(plain)  # No layer is shared with `pruned`.


@pytest.mark.parametrize("suffix", [".keras", ".h5"])
def test_save_and_load_in_the_prune_scope(trained, tmp_path, suffix):
  pruned = _wrap(trained)
  _fit(pruned, epochs=1)
  path = str(tmp_path / ("pruned" + suffix))
  pruned.save(path)
  with prune.prune_scope():
    loaded = keras.models.load_model(path)
  x = testing.data(64, 4)[0]
  np.testing.assert_allclose(loaded.predict(x, verbose=0),
                             pruned.predict(x, verbose=0), atol=1e-6)
  for a, b in zip(pruned.layers, loaded.layers):
    if isinstance(a, pruning_wrapper.PruneLowIntermittency):
      assert isinstance(b, pruning_wrapper.PruneLowIntermittency)
      np.testing.assert_array_equal(a.pruning_vars[0][1].numpy(),
                                    b.pruning_vars[0][1].numpy())
      assert b.spec == a.spec and b.tile == a.tile
      assert b.pruning_schedule.get_config() == a.pruning_schedule.get_config()
  # Training the loaded model keeps its zeros.
  zeros = {n: _kernel(prune.strip_pruning(loaded), n) == 0 for n in SPARSITIES}
  _fit(loaded, epochs=1, seed=5)
  plain = prune.strip_pruning(loaded)
  for name, zero in zeros.items():
    assert np.all(_kernel(plain, name)[zero] == 0)


def test_wrapper_config_round_trip(trained):
  wrapper = _wrap(trained).get_layer("prune_low_intermittency_conv2")
  config = wrapper.get_config()
  again = pruning_wrapper.PruneLowIntermittency.from_config(config).get_config()
  # The copy is not built yet, so its layer config lacks the build config.
  assert again.pop("layer")["config"] == config.pop("layer")["config"]
  assert again == config


def test_sequential_models():
  model = keras.Sequential([
      keras.Input((6,)), keras.layers.Dense(8, activation="relu", name="d1"),
      keras.layers.Dense(2, name="d2")], name="seq")
  pruned = prune.prune_low_intermittency(
      model, 0.5, tile_overrides={"d1": (2, 2), "d2": (2, 2)})
  assert isinstance(pruned, keras.Sequential)
  pruned.compile("adam", "sparse_categorical_crossentropy")
  x = np.random.default_rng(0).normal(size=(32, 6)).astype(np.float32)
  pruned.fit(x, np.zeros(32), verbose=0,
             callbacks=[tfmot.sparsity.keras.UpdatePruningStep()])
  plain = prune.strip_pruning(pruned)
  assert np.mean(plain.get_layer("d1").kernel.numpy() == 0) == 0.5


def test_errors(trained):
  with pytest.raises(ValueError, match="whole models"):
    prune.prune_low_intermittency(keras.layers.Dense(2))
  with pytest.raises(ValueError, match=r"\['nope'\]"):
    _wrap(trained, {"nope": 0.5})
  with pytest.raises(ValueError, match="BlockSparsity or a sparsity"):
    _wrap(trained, tfmot.sparsity.keras.ConstantSparsity(0.5, 0))
  with pytest.raises(ValueError, match="already wrapped"):
    _wrap(_wrap(trained))
  with pytest.raises(ValueError, match="either pruning_policy"):
    prune.prune_low_intermittency(
        trained, pruning_policy=pruning_policy.IntermittentPolicy(),
        plan="auto")
  with pytest.raises(ValueError, match="target_sparsity"):
    _wrap(trained, {"fc": 1.0})


def test_schedule_object_per_layer(trained):
  pruned = _wrap(trained, {"fc": pruning_schedule.BlockSparsity(0.5, 2)})
  wrapper = pruned.get_layer("prune_low_intermittency_fc")
  assert wrapper.pruning_schedule.begin_step == 2
  other = pruned.get_layer("prune_low_intermittency_conv1")
  assert other.pruning_schedule.target_sparsity == 0.0
