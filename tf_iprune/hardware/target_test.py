"""Tests for target: the MSP430FR5994 description and its serialisation."""
import dataclasses

import pytest

from tf_iprune.hardware import target as target_lib


def test_energy_buffer_holds_104_microjoules():
  t = target_lib.Target.msp430fr5994()
  # 0.5 * 100e-6 * (2.8^2 - 2.4^2) = 104 uJ.
  assert t.buffer.cycle_energy_j == pytest.approx(104e-6)


def test_cost_table_is_the_published_one():
  t = target_lib.Target.msp430fr5994()
  assert t.nvm_write.cycles(1, 10) == pytest.approx(422.23 + 640.008)
  assert t.nvm_read.joules(2, 5) == pytest.approx(2 * 2.0e-7 + 5 * 2.7e-8)
  assert t.lea.cycles(1, 100) == pytest.approx(616 + 150)
  assert t.seconds(16e6) == pytest.approx(1.0)


def test_json_round_trip_and_override(tmp_path):
  t = dataclasses.replace(target_lib.Target.msp430fr5994(),
                          lea_buffer_words=1000, name="smaller LEA")
  path = tmp_path / "t.json"
  t.save(str(path))
  assert target_lib.Target.load(str(path)) == t


def test_from_dict_rejects_unknown_and_missing_fields():
  d = target_lib.Target.msp430fr5994().to_dict()
  d["warp_drive"] = 1
  del d["cpu_hz"]
  with pytest.raises(ValueError, match="warp_drive.*cpu_hz"):
    target_lib.Target.from_dict(d)


def test_power_strengths():
  t = target_lib.Target.msp430fr5994()
  assert t.power_w("4mW") == 4e-3
  assert t.power_w(0.5) == 0.5
  with pytest.raises(ValueError, match="Unknown power strength"):
    t.power_w("2mW")
  with pytest.raises(ValueError, match="positive"):
    t.power_w(-1.0)


def test_lea_words_pads_each_dimension_to_even():
  assert target_lib.lea_words(3, 5) == 4 * 6
  assert target_lib.lea_words(2, 4) == 8
