"""LIF and IF_curr_exp neurons with a built-in Poisson background.

Each tick a neuron adds `drive_weight` x k to its excitatory input, k ~ Poisson(drive_rate_hz x
timestep): the summed spikes of many independent Poisson inputs (Brian2's PoissonInput, a
NEST poisson_generator onto one neuron), drawn on the core that simulates the neuron, so the
background costs no packets and no recorded spikes. Draws are keyed by (seed, population,
neuron, tick), as every random number here, so they do not depend on the split.
"""

from dataclasses import dataclass
from typing import ClassVar, Sequence

import numpy as np
from numba import njit

from .. import rng
from ..errors import check
from ..rng import hash_prefixes, uniform_after
from .base import Members, ModelGroup
from .if_curr_exp import IFCurrExp, IFCurrExpGroup, if_curr_exp_kernel
from .lif import LIF, LIFGroup, lif_kernel

MAX_MEAN_COUNT = 500.0  # exp(-mean) must stay a normal double
DRIVE_STREAM = 1        # detail bits of the Poisson stream, apart from a source's own


def _check_drive(model) -> None:
    check(model.drive_rate_hz >= 0, f"{model.name}.drive_rate_hz", "be >= 0",
          model.drive_rate_hz)


class PoissonCounts:
    """What a group needs to draw a Poisson count per neuron and tick: the seed, each
    neuron's stream and id (and the hash prefix of the three), and exp(-mean count) from the
    rate field `rate` of its model."""

    def __init__(self, members: Sequence[Members], timestep_ms: float, seed: int, rate: str,
                 detail: int = 0) -> None:
        self.seed = np.uint64(seed)
        self.neuron_id = np.concatenate([m.neuron_ids for m in members])
        self.stream = np.concatenate([
            np.full(m.size, rng.stream(rng.POISSON, m.population, detail), dtype=np.uint64)
            for m in members])
        mean = np.concatenate([np.full(m.size, getattr(m.model, rate) * timestep_ms * 1e-3)
                               for m in members])
        check(mean.max(initial=0.0) <= MAX_MEAN_COUNT, f"{members[0].model.name}.{rate}",
              f"be at most {MAX_MEAN_COUNT:g} spikes a timestep "
              f"({MAX_MEAN_COUNT * 1e3 / timestep_ms:g} Hz)", mean.max() * 1e3 / timestep_ms)
        self.exp_minus_mean = np.exp(-mean)
        self.prefix = hash_prefixes(self.seed, self.stream, self.neuron_id)


class PoissonDrive(PoissonCounts):
    """The drive of a group's neurons, in member order."""

    def __init__(self, members: Sequence[Members], timestep_ms: float, seed: int) -> None:
        super().__init__(members, timestep_ms, seed, "drive_rate_hz", DRIVE_STREAM)
        self.weight = np.concatenate([np.full(m.size, float(m.model.drive_weight))
                                      for m in members])

    def kernel_state(self) -> tuple:
        return self.prefix, self.exp_minus_mean, self.weight

    def add(self, tick: int, row: np.ndarray) -> None:
        """Add the drive of `tick` to `row`, the group's excitatory inputs."""
        add_poisson_drive(self.prefix, self.exp_minus_mean, self.weight, tick, row)


@njit(cache=True)
def poisson_count(prefix, tick, exp_minus_mean):
    """k ~ Poisson(mean) by Knuth's product of uniforms, from the hash of (seed, stream,
    neuron, tick, draw), given the hash prefix of (seed, stream, neuron)."""
    product = 1.0 - uniform_after(prefix, tick * 1024)
    k = 0
    while product > exp_minus_mean and k < 1023:
        k += 1
        product *= 1.0 - uniform_after(prefix, tick * 1024 + k)
    return k


@njit(cache=True)
def add_poisson_drive(prefix, exp_minus_mean, weight, tick, row):
    """Add weight x (this tick's Poisson count) to every neuron's input in `row`."""
    for j in range(row.size):
        if exp_minus_mean[j] < 1.0:
            row[j] += weight[j] * poisson_count(prefix[j], tick, exp_minus_mean[j])


@dataclass(frozen=True)
class LIFPoisson(LIF):
    """`LIF` plus a Poisson background of `drive_rate_hz` spikes of `drive_weight` mV."""

    drive_rate_hz: float = 0.0
    drive_weight: float = 0.0

    name: ClassVar[str] = "lif_poisson"

    def __post_init__(self) -> None:
        super().__post_init__()
        _check_drive(self)

    @classmethod
    def group(cls, members: Sequence[Members], timestep_ms: float, seed: int) -> ModelGroup:
        return LIFPoissonGroup(members, timestep_ms, seed)


class PoissonDriven:
    """Mixin for a model group: its on-core Poisson drive is added to receptor 0's input
    before the model's own step."""

    def __init__(self, members: Sequence[Members], timestep_ms: float, seed: int) -> None:
        super().__init__(members, timestep_ms, seed)
        self.drive = PoissonDrive(members, timestep_ms, seed)

    def kernel_state(self) -> tuple:
        return self.drive.kernel_state(), super().kernel_state()


@dataclass(frozen=True)
class IFCurrExpPoisson(IFCurrExp):
    """`IFCurrExp` plus a Poisson background of `drive_rate_hz` spikes of `drive_weight` nA
    onto the excitatory current."""

    drive_rate_hz: float = 0.0
    drive_weight: float = 0.0

    name: ClassVar[str] = "if_curr_exp_poisson"

    def __post_init__(self) -> None:
        super().__post_init__()
        _check_drive(self)

    @classmethod
    def group(cls, members: Sequence[Members], timestep_ms: float, seed: int) -> ModelGroup:
        return IFCurrExpPoissonGroup(members, timestep_ms, seed)


class LIFPoissonGroup(PoissonDriven, LIFGroup):
    @property
    def kernel(self):
        return lif_poisson_kernel


class IFCurrExpPoissonGroup(PoissonDriven, IFCurrExpGroup):
    @property
    def kernel(self):
        return if_curr_exp_poisson_kernel


@njit(cache=True, inline="always")
def drive_inputs(drive, tick, row):
    """Add the tick's Poisson drive (`PoissonDrive.kernel_state()`) to `row`."""
    prefix, exp_minus_mean, weight = drive
    add_poisson_drive(prefix, exp_minus_mean, weight, tick, row)


@njit(cache=True, inline="always")
def lif_poisson_kernel(state, tick, synaptic_input, spiked, payload):
    """The drive onto the excitatory input, then `lif_kernel`."""
    drive, neurons = state
    drive_inputs(drive, tick, synaptic_input[0])
    return lif_kernel(neurons, tick, synaptic_input, spiked, payload)


@njit(cache=True, inline="always")
def if_curr_exp_poisson_kernel(state, tick, synaptic_input, spiked, payload):
    """The drive onto the excitatory current, then `if_curr_exp_kernel`."""
    drive, neurons = state
    drive_inputs(drive, tick, synaptic_input[0])
    return if_curr_exp_kernel(neurons, tick, synaptic_input, spiked, payload)
