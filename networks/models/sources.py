"""Spike sources: populations that emit spikes and receive none."""

from dataclasses import dataclass
from typing import ClassVar, Sequence

import numpy as np
from numba import njit

from .. import rng
from ..errors import check
from ..rng import hash_prefixes, uniform_after
from ..timing import off_grid_times, tick_of
from .base import Members, ModelGroup, NeuronModel


@dataclass(frozen=True)
class SpikeSourcePoisson(NeuronModel):
    """Independent Poisson spike trains at `rate_hz`: each tick a neuron fires with
    probability rate x timestep (Brian2's PoissonGroup), so rate x timestep must be <= 1."""

    rate_hz: float = 10.0

    name: ClassVar[str] = "poisson"

    def __post_init__(self) -> None:
        check(self.rate_hz >= 0, "poisson.rate_hz", "be >= 0", self.rate_hz)

    @classmethod
    def group(cls, members: Sequence[Members], timestep_ms: float, seed: int) -> ModelGroup:
        return PoissonGroup(members, timestep_ms, seed)


class PoissonGroup(ModelGroup):
    def __init__(self, members: Sequence[Members], timestep_ms: float, seed: int) -> None:
        self.seed = np.uint64(seed)
        self.size = sum(m.size for m in members)
        self.neuron_id = np.concatenate([m.neuron_ids for m in members]) if members else \
            np.empty(0, dtype=np.int64)
        self.stream = np.concatenate([
            np.full(m.size, rng.stream(rng.POISSON, m.population), dtype=np.uint64)
            for m in members]) if members else np.empty(0, dtype=np.uint64)
        self.probability = np.concatenate([
            np.full(m.size, m.model.rate_hz * timestep_ms * 1e-3) for m in members]) \
            if members else np.empty(0)
        self.prefix = hash_prefixes(self.seed, self.stream, self.neuron_id)
        too_fast = self.probability > 1.0
        check(not too_fast.any(), "poisson.rate_hz",
              f"be at most 1 / timestep ({1e3 / timestep_ms:g} Hz)",
              float(self.probability.max(initial=0.0) * 1e3 / timestep_ms))

    @property
    def kernel(self):
        return poisson_kernel

    def kernel_state(self) -> tuple:
        return self.prefix, self.probability


@njit(cache=True, inline="always")
def poisson_kernel(state, tick, synaptic_input, spiked, payload):
    """`poisson_step` called as the engine calls a model (`ModelGroup.kernel`)."""
    prefix, probability = state
    return poisson_step(prefix, probability, tick, spiked)


@njit(cache=True)
def poisson_step(prefix, probability, tick, spiked):
    """Fire each neuron with its probability, from the hash of (seed, population, neuron,
    tick), given each neuron's hash prefix of the first three."""
    n_spikes = 0
    for j in range(prefix.size):
        if uniform_after(prefix[j], tick) < probability[j]:
            spiked[n_spikes] = j
            n_spikes += 1
    return n_spikes


@dataclass(frozen=True)
class SpikeSourceArray(NeuronModel):
    """Given spike times: `spike_times_ms[i]` lists the times of neuron i. A time falls in the
    tick that contains it (tick k holds [k, k + 1) timesteps, as Brian2's
    SpikeGeneratorGroup); a time listed twice fires twice (two events in its tick)."""

    spike_times_ms: tuple[tuple[float, ...], ...] = ()

    name: ClassVar[str] = "spike_array"

    def __post_init__(self) -> None:
        times = tuple(tuple(float(t) for t in row) for row in self.spike_times_ms)
        object.__setattr__(self, "spike_times_ms", times)
        for i, row in enumerate(times):
            check(all(t >= 0 for t in row), f"spike_array.spike_times_ms[{i}]",
                  "hold times >= 0", row)

    def off_grid(self, timestep_ms: float) -> list[str]:
        times = np.fromiter((t for row in self.spike_times_ms for t in row), dtype=np.float64)
        return off_grid_times(f"{self.name}.spike_times_ms", times, timestep_ms)

    def check_size(self, size: int) -> None:
        check(len(self.spike_times_ms) == size, "spike_array.spike_times_ms",
              f"have one list of times per neuron ({size})", len(self.spike_times_ms))

    @classmethod
    def group(cls, members: Sequence[Members], timestep_ms: float, seed: int) -> ModelGroup:
        return SpikeArrayGroup(members, timestep_ms)


class SpikeArrayGroup(ModelGroup):
    def __init__(self, members: Sequence[Members], timestep_ms: float) -> None:
        ticks, neurons = [], []
        at = 0
        for m in members:
            for i in range(m.start, m.stop):
                row = tick_of(np.asarray(m.model.spike_times_ms[i], dtype=np.float64),
                              timestep_ms)
                ticks.append(row)
                neurons.append(np.full(len(row), at + i - m.start, dtype=np.int32))
            at += m.size
        self.size = at
        self.set_events(ticks, neurons)

    def set_events(self, ticks: list[np.ndarray], neurons: list[np.ndarray]) -> None:
        """Keep the (tick, neuron) events sorted by tick then neuron; an event listed twice
        stays twice."""
        tick = np.concatenate(ticks) if ticks else np.empty(0, dtype=np.int64)
        neuron = (np.concatenate(neurons) if neurons else np.empty(0)).astype(np.int64)
        order = np.lexsort((neuron, tick))
        self.event_tick = np.ascontiguousarray(tick[order])
        self.event_neuron = np.ascontiguousarray(neuron[order]).astype(np.int32)
        self.cursor = np.zeros(1, dtype=np.int64)
        _, per_tick = np.unique(self.event_tick, return_counts=True)
        self.most_per_tick = int(per_tick.max(initial=0))

    @property
    def max_events_per_tick(self) -> int:
        return max(self.size, self.most_per_tick)

    @property
    def kernel(self):
        return spike_array_kernel

    def kernel_state(self) -> tuple:
        return self.event_tick, self.event_neuron, self.cursor


@njit(cache=True, inline="always")
def spike_array_kernel(state, tick, synaptic_input, spiked, payload):
    """`spike_array_step` called as the engine calls a model (`ModelGroup.kernel`)."""
    event_tick, event_neuron, cursor = state
    return spike_array_step(event_tick, event_neuron, cursor, tick, spiked)


@njit(cache=True)
def spike_array_step(event_tick, event_neuron, cursor, tick, spiked):
    """Emit the events of `tick` from the (tick, neuron)-sorted list, moving the cursor on."""
    k = cursor[0]
    while k < event_tick.size and event_tick[k] < tick:
        k += 1
    n_spikes = 0
    while k < event_tick.size and event_tick[k] == tick:
        spiked[n_spikes] = event_neuron[k]
        n_spikes += 1
        k += 1
    cursor[0] = k
    return n_spikes
