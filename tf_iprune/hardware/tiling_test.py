"""Tests for tiling: reference and automatic tile plans."""
import dataclasses

import pytest

import mlperf_tiny_models
from tf_iprune.hardware import layer_spec
from tf_iprune.hardware import target as target_lib
from tf_iprune.hardware import tiling

TARGET = target_lib.Target.msp430fr5994()


def _specs(name):
  return layer_spec.specs_from_keras(mlperf_tiny_models.get_model(name))


def _tm_tn(specs, plans):
  return [(plans[s.name].tile_m, plans[s.name].tile_n)
          for s in specs if s.prunable]


@pytest.mark.parametrize("name, expected", [
    ("har_cnn", [(6, 9), (6, 18), (6, 36), (2, 16)]),
    ("cks_cnn", [(4, 1), (4, 28), (4, 64), (4, 16), (4, 32)]),
    ("sqn", [(4, 3)] + [(2, 16)] * 8 + [(4, 16), (2, 16)]),
])
def test_reference_plans_reproduce_the_reference_implementation(name,
                                                                 expected):
  specs = _specs(name)
  plans = tiling.plan_model(specs, TARGET, "reference", name)
  got = _tm_tn(specs, plans)
  if name == "sqn":
    # fire3's expand 3x3 is the 3x3 conv reading 32 channels, wherever
    # the zoo puts it among the fire module's layers.
    fire3_e3 = [i for i, s in enumerate(s for s in specs if s.prunable)
                if s.kernel == (3, 3) and s.in_channels == 32]
    assert fire3_e3 == [9]
  assert got == expected


@pytest.mark.parametrize("name", mlperf_tiny_models.list_models())
def test_auto_plans_fit_and_are_deterministic(name):
  specs = _specs(name)
  plans = tiling.plan_model(specs, TARGET, "auto")
  assert plans == tiling.plan_model(specs, TARGET, "auto")
  for spec in specs:
    plan = plans[spec.name]
    assert tiling.fits(spec, plan, TARGET), spec.name
    if spec.prunable:
      assert 1 <= plan.tile_m <= min(spec.out_channels, TARGET.max_tile_m)
      assert 1 <= plan.tile_p <= spec.out_pixels
      # tile_p is as large as fits: one more position would not.
      if plan.tile_p < spec.out_pixels:
        bigger = dataclasses.replace(plan, tile_p=plan.tile_p + 1)
        assert not tiling.fits(spec, bigger, TARGET)


def test_overrides_and_their_errors():
  specs = _specs("har_cnn")
  conv = specs[0].name
  plans = tiling.plan_model(specs, TARGET, "auto", overrides={conv: (3, 9)})
  assert (plans[conv].tile_m, plans[conv].tile_n) == (3, 9)
  with pytest.raises(ValueError, match="unknown layers"):
    tiling.plan_model(specs, TARGET, overrides={"nope": (1, 1)})
  with pytest.raises(ValueError, match="tile_m <= 18"):
    tiling.plan_model(specs, TARGET, overrides={conv: (19, 9)})
  with pytest.raises(ValueError, match="'reference' tile plan exists for"):
    tiling.plan_model(specs, TARGET, "reference", "kws_dscnn")
  with pytest.raises(ValueError, match="Unknown tile plan"):
    tiling.plan_model(specs, TARGET, "greedy")


def test_a_layer_that_cannot_fit_is_named():
  tiny = dataclasses.replace(TARGET, lea_buffer_words=100)
  specs = _specs("har_cnn")
  with pytest.raises(ValueError, match="Layer 'conv.*fits the LEA buffer of "
                     "100 words"):
    tiling.plan_model(specs, tiny, "reference", "har_cnn")


def test_smaller_lea_buffer_gives_smaller_tiles():
  specs = _specs("har_cnn")
  small = dataclasses.replace(TARGET, lea_buffer_words=600)
  big = tiling.plan_model(specs, TARGET, "reference", "har_cnn")
  little = tiling.plan_model(specs, small, "reference", "har_cnn")
  assert all(little[s.name].tile_p <= big[s.name].tile_p for s in specs)
  assert any(little[s.name].tile_p < big[s.name].tile_p for s in specs)
