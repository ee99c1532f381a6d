"""Description of the deployment target: MCU, accelerator, NVM, energy buffer.

The default, `Target.msp430fr5994()`, is the TI MSP430FR5994 LaunchPad setup of
the iPrune paper (Lin et al., Table I): a 16 MHz MSP430FR5994 with 8 KB SRAM
(VM), of which 4 KB is shared with the Low Energy Accelerator (LEA) that works
on Q15 vectors, an external 512 KB Cypress CY15B104Q SPI FRAM as NVM reached by
DMA, and a TI BQ25504 energy buffer with a 100 uF capacitor that switches the
device on at 2.8 V and off at 2.4 V.

Operation costs are the measured microbenchmarks published with iNAS (Mendis,
Kang, Hsiu, "Intermittent-Aware Neural Architecture Search", ACM TECS 2021,
iNAS-PMod) and reused by the iPrune reference implementation; n is the number
of Q15 elements, cycles are at 16 MHz:

  NVM read  (FRAM -> SRAM, DMA): 64 n + 424 cycles,        2.7e-8 n + 2.0e-7 J
  NVM write (SRAM -> FRAM, DMA): 64.0008 n + 422.23 cycles, 2.6815e-8 n + 1.9336e-7 J
  LEA vector MAC / matrix op:    1.5 n + 616 cycles,        5.273e-10 n + 2.044e-7 J
  CPU add / mul / div / max:     12 / 44 / 160 / 14 cycles,
                                 3.94e-9 / 1.925e-8 / 4.37e-8 / 4.23e-9 J
  reboot after a power failure:  70 ms, 7.788e-5 J

Every field can be overridden (`dataclasses.replace`, `Target.from_dict`,
`Target.load(path)`) to describe another MCU, NVM or energy buffer without
code changes.
"""
import dataclasses
import json
import math
from typing import Dict, Tuple

from tf_iprune import io_utils


@dataclasses.dataclass(frozen=True)
class LinearCost:
  """Cost of an operation on n elements: cycles = c0 + c1 n, J = e0 + e1 n."""
  cycles_per_element: float
  cycles_fixed: float
  joules_per_element: float
  joules_fixed: float

  def cycles(self, calls, elements):
    return self.cycles_fixed * calls + self.cycles_per_element * elements

  def joules(self, calls, elements):
    return self.joules_fixed * calls + self.joules_per_element * elements


@dataclasses.dataclass(frozen=True)
class UnitCost:
  """Cost of one scalar CPU operation."""
  cycles: float
  joules: float


@dataclasses.dataclass(frozen=True)
class EnergyBuffer:
  """A capacitor between a harvester and the device.

  The device switches on when the capacitor reaches `v_on` and off when it
  falls to `v_off`, so one power cycle has 0.5 C (v_on^2 - v_off^2) joules.
  While off, the harvester refills it with `harvest_efficiency` times the
  harvested power. `harvest_efficiency` models the boost converter (TI
  BQ25504) between the 1 V supply of the paper's experiments and the
  capacitor; 0.75 is an assumption (a typical boost efficiency at that input),
  not a measurement: override it for your converter.
  """
  capacitance_f: float
  v_on: float
  v_off: float
  harvest_efficiency: float

  @property
  def cycle_energy_j(self):
    return 0.5 * self.capacitance_f * (self.v_on**2 - self.v_off**2)


@dataclasses.dataclass(frozen=True)
class Target:
  """An MCU + accelerator + NVM + energy buffer, with its cost table.

  Attributes:
    name: Human-readable name.
    cpu_hz: CPU clock.
    vm_bytes: Volatile SRAM.
    lea_buffer_words: Q15 words of accelerator RAM available to one
      accelerator operation's operands (inputs, weights, outputs). The LEA
      RAM is 4 KB (2,048 words); the iPrune reference runtime used 1,884.
    vm_scratch_words: Q15 words of the rest of the VM that hold an operation's
      partial sums while the CPU adds them.
    nvm_bytes: Non-volatile memory size.
    max_tile_m: Largest number of output channels in one accelerator
      operation that the automatic tile planner considers. It bounds the
      pruning granularity (a block holds tile_m filters).
    footprint_words: Q15 words written to NVM by one progress-indicator
      (footprint) commit: a 32-bit job counter, a version and a check word.
    max_job_energy_fraction: The planner keeps the energy of every job
      (one accelerator operation or CPU job, without harvesting) below this
      fraction of one power cycle's energy, so that a job interrupted by a
      power failure can complete in the next power cycle after the reboot
      and recovery.
    nvm_read, nvm_write, lea: Linear costs of DMA transfers and LEA ops.
    cpu_add, cpu_mul, cpu_div, cpu_max: Scalar CPU operation costs.
    reboot_s, reboot_j: Cost of booting after a power failure.
    buffer: The energy buffer.
    power_strengths_w: Named harvested power strengths.
  """
  name: str
  cpu_hz: float
  vm_bytes: int
  lea_buffer_words: int
  vm_scratch_words: int
  nvm_bytes: int
  max_tile_m: int
  footprint_words: int
  max_job_energy_fraction: float
  nvm_read: LinearCost
  nvm_write: LinearCost
  lea: LinearCost
  cpu_add: UnitCost
  cpu_mul: UnitCost
  cpu_div: UnitCost
  cpu_max: UnitCost
  reboot_s: float
  reboot_j: float
  buffer: EnergyBuffer
  power_strengths_w: Dict[str, float]

  @classmethod
  def msp430fr5994(cls):
    """The iPrune paper's MSP430FR5994 + LEA + CY15B104Q + BQ25504 setup."""
    return cls(
        name="MSP430FR5994 + LEA, CY15B104Q SPI FRAM, 100 uF BQ25504",
        cpu_hz=16e6,
        vm_bytes=8 * 1024,
        lea_buffer_words=1884,
        vm_scratch_words=1024,
        nvm_bytes=512 * 1024,
        max_tile_m=8,
        footprint_words=4,
        max_job_energy_fraction=0.5,
        nvm_read=LinearCost(64.0, 424.0, 2.7e-8, 2.0e-7),
        nvm_write=LinearCost(64.0008, 422.23, 2.6815e-8, 1.9336e-7),
        lea=LinearCost(1.5, 616.0, 5.273e-10, 2.044e-7),
        cpu_add=UnitCost(12, 3.94e-9),
        cpu_mul=UnitCost(44, 1.925e-8),
        cpu_div=UnitCost(160, 4.37e-8),
        cpu_max=UnitCost(14, 4.23e-9),
        reboot_s=0.070,
        reboot_j=7.788e-5,
        buffer=EnergyBuffer(
            capacitance_f=100e-6, v_on=2.8, v_off=2.4,
            harvest_efficiency=0.75),
        power_strengths_w={"continuous": 1.65, "8mW": 8e-3, "4mW": 4e-3},
    )

  def power_w(self, power):
    """Harvested power in watts for a name ('4mW') or a number of watts."""
    if isinstance(power, (int, float)):
      if power <= 0 or not math.isfinite(power):
        raise ValueError("Harvested power must be a positive number of "
                         "watts, got %r." % (power,))
      return float(power)
    if power in self.power_strengths_w:
      return self.power_strengths_w[power]
    raise ValueError(
        "Unknown power strength %r: use one of %s or a number of watts." %
        (power, sorted(self.power_strengths_w)))

  def seconds(self, cycles):
    return cycles / self.cpu_hz

  @property
  def max_job_joules(self):
    """Energy one job may need (see max_job_energy_fraction)."""
    return self.max_job_energy_fraction * self.buffer.cycle_energy_j

  def to_dict(self):
    return dataclasses.asdict(self)

  @classmethod
  def from_dict(cls, d):
    """Builds a Target from `to_dict()` output; unknown keys are errors."""
    d = dict(d)
    fields = {f.name for f in dataclasses.fields(cls)}
    unknown = set(d) - fields
    missing = fields - set(d)
    if unknown or missing:
      raise ValueError("Target description: unknown fields %s, missing "
                       "fields %s." % (sorted(unknown), sorted(missing)))
    for key in ("nvm_read", "nvm_write", "lea"):
      d[key] = LinearCost(**d[key])
    for key in ("cpu_add", "cpu_mul", "cpu_div", "cpu_max"):
      d[key] = UnitCost(**d[key])
    d["buffer"] = EnergyBuffer(**d["buffer"])
    d["power_strengths_w"] = dict(d["power_strengths_w"])
    return cls(**d)

  def to_json(self):
    return json.dumps(self.to_dict(), indent=2, sort_keys=True)

  def save(self, path):
    """Writes the target as JSON atomically."""
    io_utils.write_text(path, self.to_json())

  @classmethod
  def load(cls, path):
    with open(path) as f:
      return cls.from_dict(json.load(f))


def lea_words(*shape: Tuple[int, ...]):
  """Q15 words a LEA operand of `shape` occupies: dimensions padded to even.

  The LEA works on even-length vectors aligned to 4 bytes, so every
  dimension of an operand is rounded up to an even count.
  """
  words = 1
  for dim in shape:
    words *= dim + (dim & 1)
  return words
