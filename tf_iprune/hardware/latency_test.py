"""Tests for latency: the analytic intermittent-latency model."""
import dataclasses

import pytest

import mlperf_tiny_models
from tf_iprune.hardware import latency
from tf_iprune.hardware import profile
from tf_iprune.hardware import target as target_lib

TARGET = target_lib.Target.msp430fr5994()
NO_COST = latency.RecoveryCost(0.0, 0.0)


def test_continuous_power_has_no_power_cycles():
  est = latency.estimate(2.0, 0.02, NO_COST, NO_COST, TARGET, "continuous")
  assert est.power_cycles == 0 and est.latency_s == 2.0
  assert est.charge_time_s == 0.0


def test_work_within_one_buffer_needs_no_recharge():
  # 50 uJ of work fits in the 104 uJ buffer even with no harvest to speak of.
  est = latency.estimate(0.01, 50e-6, NO_COST, NO_COST, TARGET, 1e-9)
  assert est.power_cycles == 0


def test_power_cycles_by_hand():
  t = dataclasses.replace(TARGET, reboot_s=0.0, reboot_j=0.0)
  # 10 mW load for 1 s, 4 mW * 0.75 = 3 mW harvested: 7 mJ deficit; the
  # first buffer covers 104 uJ, every later one 104 uJ.
  est = latency.estimate(1.0, 0.010, NO_COST, NO_COST, t, "4mW")
  n = -(-(7e-3 - 104e-6) // 104e-6)
  assert est.power_cycles == n
  assert est.charge_time_s == pytest.approx(n * 104e-6 / 3e-3)
  assert est.latency_s == pytest.approx(1.0 + est.charge_time_s)


def test_back_to_back_power_cycles_by_hand():
  t = dataclasses.replace(TARGET, reboot_s=0.0, reboot_j=0.0)
  # As above, but no inference gets a free first buffer: on average the
  # 7 mJ deficit takes 7 mJ / 104 uJ cycles, a fraction.
  est = latency.estimate(1.0, 0.010, NO_COST, NO_COST, t, "4mW",
                         back_to_back=True)
  assert est.power_cycles == pytest.approx(7e-3 / 104e-6)
  assert est.latency_s == pytest.approx(1.0 + 7e-3 / 3e-3)
  # Work within one buffer still fails now and then when run back to back.
  small = latency.estimate(0.01, 50e-6, NO_COST, NO_COST, t, 1e-9,
                           back_to_back=True)
  assert small.power_cycles == pytest.approx(50e-6 / 104e-6, rel=1e-6)


@pytest.mark.parametrize("name", ["har_cnn", "cks_cnn"])
def test_weaker_power_is_never_faster(name):
  model = mlperf_tiny_models.get_model(name)
  latencies = [profile.profile_keras(model, power=p)["total"]["latency_s"]
               for p in (1.65, 8e-3, 4e-3, 2e-3, 1e-3)]
  assert latencies == sorted(latencies)
  assert latencies[-1] > latencies[0]


def test_hopeless_power_is_an_error():
  recovery = latency.RecoveryCost(0.001, 200e-6)  # More than one buffer.
  with pytest.raises(ValueError, match="cannot finish"):
    latency.estimate(1.0, 0.01, recovery, NO_COST, TARGET, "4mW")
