"""Analytic intermittent-latency model (in the spirit of iNAS-PMod).

Under harvested power P the energy buffer fills to `cycle_energy_j` and the
device runs until it is empty; the converter delivers eta * P also while the
device runs. One inference of the intermittent engine costs E joules over
T seconds of work (its `OpCounts`), drawing E / T on average. If eta * P
covers that draw (after the first full buffer), no power fails. Otherwise
every power cycle after the first starts with a reboot and a recovery
(reading the footprints and re-fetching the interrupted operation's
operands) and loses, on average, half an operation that must be re-executed;
between cycles the buffer recharges for cycle_energy_j / (eta * P) seconds:

  latency = T + n (t_reboot + t_recover + t_lost) + n t_charge

where n, the number of power failures, is the smallest count whose cycles
supply the energy of the work plus the recoveries. Inferences run back to
back (`back_to_back=True`, the paper's "average time to complete one
inference") get no free first buffer: each starts with what the one before
left, so on average n is the deficit over the usable energy of a cycle, a
fraction. The host simulator of msp430_runtime is held against this model.
"""
import dataclasses
import math


@dataclasses.dataclass(frozen=True)
class Latency:
  """End-to-end intermittent latency estimate."""
  latency_s: float
  on_time_s: float
  charge_time_s: float
  power_cycles: float  # An integer unless back to back (a mean).
  work_s: float
  energy_j: float

  def to_dict(self):
    return dataclasses.asdict(self)


@dataclasses.dataclass(frozen=True)
class RecoveryCost:
  """Seconds and joules of one recovery besides the reboot itself."""
  seconds: float
  joules: float


def estimate(work_s, work_j, recovery, lost, target, power,
             back_to_back=False):
  """Latency of work (seconds, joules) under a harvested power strength.

  Args:
    work_s: Seconds of work of one uninterrupted inference.
    work_j: Its energy in joules.
    recovery: RecoveryCost of the footprint reads and operand re-fetch.
    lost: RecoveryCost of the work re-executed after a failure (on average
      half of an interrupted operation).
    target: The Target (energy buffer, reboot cost).
    power: Power strength name or watts.
    back_to_back: The mean of inferences run back to back (each starts with
      the energy the one before left) instead of one inference that starts
      with a full buffer.

  Returns:
    A Latency.

  Raises:
    ValueError: if the harvested power cannot finish the inference (every
      power cycle is spent on recovery).
  """
  p_in = target.power_w(power) * target.buffer.harvest_efficiency
  buffer_j = target.buffer.cycle_energy_j
  load_w = work_j / work_s if work_s > 0 else 0.0
  deficit_w = load_w - p_in
  first_j = 0.0 if back_to_back else buffer_j  # Energy in hand at the start.
  if deficit_w <= 0 or (not back_to_back and
                        work_j - p_in * work_s <= first_j):
    return Latency(work_s, work_s, 0.0, 0, work_s, work_j)
  # Energy each later cycle spends before it can work, net of harvesting.
  reboot_net = max(target.reboot_j - p_in * target.reboot_s, 0.0)
  overhead_j = reboot_net + max(recovery.joules - p_in * recovery.seconds, 0)
  usable_j = buffer_j - overhead_j
  lost_deficit = max(lost.joules - p_in * lost.seconds, 0.0)
  if usable_j <= lost_deficit:
    raise ValueError(
        "Power %r cannot finish an inference: every power cycle's %.3g J is "
        "spent on reboot and recovery." % (power, buffer_j))
  # Deficit energy of the work beyond the energy in hand; each failure adds
  # the lost work to re-execute.
  n = (deficit_w * work_s - first_j) / (usable_j - lost_deficit)
  if not back_to_back:
    n = max(1, math.ceil(n))
  on_time = (work_s + n * (target.reboot_s + recovery.seconds +
                           lost.seconds))
  charge = n * buffer_j / p_in
  energy = (work_j + n * (target.reboot_j + recovery.joules + lost.joules))
  return Latency(on_time + charge, on_time, charge, n, work_s, energy)
