"""A spike source given as two arrays (no Python object per neuron): what a NIR Input node
fires, from an input spike file."""

from dataclasses import dataclass
from typing import ClassVar, Sequence

import numpy as np

from ..errors import check
from .base import Members, ModelGroup, NeuronModel
from .sources import spike_array_step


@dataclass(frozen=True, eq=False)
class SpikeSourceEvents(NeuronModel):
    """`size` neurons; neuron `indices[k]` fires at `times_ms[k]`. A time falls in the tick
    nearest to it; a neuron fires at most once a tick."""

    size: int
    times_ms: np.ndarray
    indices: np.ndarray

    name: ClassVar[str] = "spike_events"

    def __post_init__(self) -> None:
        times = np.asarray(self.times_ms, dtype=np.float64).ravel()
        indices = np.asarray(self.indices).ravel()
        check(times.size == indices.size, "spike_events.indices",
              f"have one entry per time ({times.size})", indices.size)
        check(bool(np.all(np.isfinite(times) & (times >= 0))), "spike_events.times_ms",
              "hold finite times >= 0", times[~(np.isfinite(times) & (times >= 0))][:3].tolist())
        check(np.issubdtype(indices.dtype, np.integer) or indices.size == 0,
              "spike_events.indices", "be integers", indices.dtype)
        bad = (indices < 0) | (indices >= self.size)
        check(not bad.any(), "spike_events.indices", f"index neurons in [0, {self.size})",
              indices[bad][:3].tolist())
        for name, value in (("times_ms", times), ("indices", indices.astype(np.int64))):
            value.setflags(write=False)
            object.__setattr__(self, name, value)

    def check_size(self, size: int) -> None:
        check(size == self.size, "spike_events.size", f"match the population ({size})",
              self.size)

    @classmethod
    def group(cls, members: Sequence[Members], timestep_ms: float, seed: int) -> ModelGroup:
        return SpikeEventsGroup(members, timestep_ms)


class SpikeEventsGroup(ModelGroup):
    def __init__(self, members: Sequence[Members], timestep_ms: float) -> None:
        ticks, neurons = [], []
        at = 0
        for m in members:
            mine = (m.model.indices >= m.start) & (m.model.indices < m.stop)
            ticks.append(np.rint(m.model.times_ms[mine] / timestep_ms).astype(np.int64))
            neurons.append(m.model.indices[mine] - m.start + at)
            at += m.size
        self.size = at
        events = np.unique(np.stack([np.concatenate(ticks or [np.empty(0, np.int64)]),
                                     np.concatenate(neurons or [np.empty(0, np.int64)])],
                                    axis=1), axis=0)
        self.event_tick = np.ascontiguousarray(events[:, 0])
        self.event_neuron = np.ascontiguousarray(events[:, 1]).astype(np.int32)
        self.cursor = np.zeros(1, dtype=np.int64)

    def step(self, tick: int, synaptic_input: np.ndarray, spiked: np.ndarray,
             payload: np.ndarray) -> int:
        return spike_array_step(self.event_tick, self.event_neuron, self.cursor, tick, spiked)

    def warm_up(self) -> None:
        spike_array_step(self.event_tick[:0], self.event_neuron[:0], np.zeros(1, np.int64), 0,
                         np.empty(0, dtype=np.int32))
