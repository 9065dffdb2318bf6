"""A spike source given as two arrays (no Python object per neuron): what a NIR Input node
fires, from an input spike file."""

from dataclasses import dataclass
from typing import ClassVar, Sequence

import numpy as np

from ..errors import check
from ..timing import off_grid_times, tick_of
from .base import Members, ModelGroup, NeuronModel
from .sources import SpikeArrayGroup


@dataclass(frozen=True, eq=False)
class SpikeSourceEvents(NeuronModel):
    """`size` neurons; neuron `indices[k]` fires at `times_ms[k]`. A time falls in the tick
    that contains it; a (time, neuron) pair listed twice fires twice."""

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

    def off_grid(self, timestep_ms: float) -> list[str]:
        return off_grid_times(f"{self.name}.times_ms", self.times_ms, timestep_ms)

    def check_size(self, size: int) -> None:
        check(size == self.size, "spike_events.size", f"match the population ({size})",
              self.size)

    @classmethod
    def group(cls, members: Sequence[Members], timestep_ms: float, seed: int) -> ModelGroup:
        return SpikeEventsGroup(members, timestep_ms)


class SpikeEventsGroup(SpikeArrayGroup):
    def __init__(self, members: Sequence[Members], timestep_ms: float) -> None:
        ticks, neurons = [], []
        at = 0
        for m in members:
            mine = (m.model.indices >= m.start) & (m.model.indices < m.stop)
            ticks.append(tick_of(m.model.times_ms[mine], timestep_ms))
            neurons.append(m.model.indices[mine] - m.start + at)
            at += m.size
        self.size = at
        self.set_events(ticks, neurons)
