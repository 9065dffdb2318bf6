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
from ..rng import uniform
from .base import Members, ModelGroup
from .if_curr_exp import IFCurrExp, IFCurrExpGroup
from .lif import LIF, LIFGroup

MAX_MEAN_COUNT = 500.0  # exp(-mean) must stay a normal double
DRIVE_STREAM = 1        # detail bits of the Poisson stream, apart from a source's own


def _check_drive(model) -> None:
    check(model.drive_rate_hz >= 0, f"{model.name}.drive_rate_hz", "be >= 0",
          model.drive_rate_hz)


class PoissonCounts:
    """What a group needs to draw a Poisson count per neuron and tick: the seed, each
    neuron's stream and id, and exp(-mean count) from the rate field `rate` of its model."""

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


class PoissonDrive(PoissonCounts):
    """The drive of a group's neurons, in member order."""

    def __init__(self, members: Sequence[Members], timestep_ms: float, seed: int) -> None:
        super().__init__(members, timestep_ms, seed, "drive_rate_hz", DRIVE_STREAM)
        self.weight = np.concatenate([np.full(m.size, float(m.model.drive_weight))
                                      for m in members])

    def add(self, tick: int, row: np.ndarray) -> None:
        add_poisson_drive(self.seed, self.stream, self.neuron_id, self.exp_minus_mean,
                          self.weight, tick, row)

    def warm_up(self) -> None:
        add_poisson_drive(self.seed, self.stream[:0], self.neuron_id[:0],
                          self.exp_minus_mean[:0], self.weight[:0], 0, np.zeros(0))


@njit(cache=True)
def poisson_count(seed, stream, neuron, tick, exp_minus_mean):
    """k ~ Poisson(mean) by Knuth's product of uniforms, from the hash of (seed, stream,
    neuron, tick, draw)."""
    product = 1.0 - uniform(seed, stream, neuron, tick * 1024)
    k = 0
    while product > exp_minus_mean and k < 1023:
        k += 1
        product *= 1.0 - uniform(seed, stream, neuron, tick * 1024 + k)
    return k


@njit(cache=True)
def add_poisson_drive(seed, stream, neuron_id, exp_minus_mean, weight, tick, row):
    """Add weight x (this tick's Poisson count) to every neuron's input in `row`."""
    for j in range(row.size):
        if exp_minus_mean[j] < 1.0:
            row[j] += weight[j] * poisson_count(seed, stream[j], neuron_id[j], tick,
                                                exp_minus_mean[j])


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

    def step(self, tick, synaptic_input, spiked, payload) -> int:
        self.drive.add(tick, synaptic_input[0])
        return super().step(tick, synaptic_input, spiked, payload)

    def warm_up(self) -> None:
        super().warm_up()
        self.drive.warm_up()


class LIFPoissonGroup(PoissonDriven, LIFGroup):
    pass


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


class IFCurrExpPoissonGroup(PoissonDriven, IFCurrExpGroup):
    pass
