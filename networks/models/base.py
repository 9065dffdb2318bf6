"""What every neuron model offers the simulator.

A model is a frozen dataclass of parameters (units in the names) with a Numba kernel beside
it. The simulator gathers all neurons of one model class on an MPI rank into a `ModelGroup`
and calls its kernel once per tick, so a tick costs one kernel call per model, not one call
per core or per neuron.
"""

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import ClassVar, NamedTuple, Sequence

import numpy as np
from numba import njit


@dataclass(frozen=True)
class Members:
    """Neurons of one population that join a group: indices `start .. stop - 1` of it."""

    model: "NeuronModel"
    population: int
    start: int
    stop: int
    initial: dict

    @property
    def size(self) -> int:
        return self.stop - self.start

    @property
    def neuron_ids(self) -> np.ndarray:
        return np.arange(self.start, self.stop, dtype=np.int64)


class ModelGroup(ABC):
    """State of all neurons of one model on one rank, laid out in member order.

    A compiled model names its tick kernel in `kernel`: a module-level `@njit` function
    called as `kernel(state, tick, synaptic_input, spiked, payload)` with `state =
    kernel_state()`, which the engine calls from one compiled loop per batch of ticks. A
    model without one (`kernel = None`) overrides `step` instead, and the engine calls it
    from Python, one tick at a time. That loop is compiled without Numba's reference counts,
    so a kernel must not allocate (keep its scratch arrays in `kernel_state`); one that does
    says so in `kernel_allocates`, and its loop keeps them (slower: a tenth of a tick).
    """

    size: int
    kernel = None
    kernel_allocates = False

    def kernel_state(self) -> tuple:
        """The arrays and numbers `kernel` reads and updates (the same objects every tick)."""
        return ()

    def step(self, tick: int, synaptic_input: np.ndarray, spiked: np.ndarray,
             payload: np.ndarray) -> int:
        """Advance every neuron over tick `tick`.

        `synaptic_input` is [receptors, size]: the weighted events that arrived for this tick,
        one contiguous row per receptor.
        Indices (within the group) of the neurons that fire go to `spiked`; returns their count.
        A graded model also writes the value each event carries to `payload` (in the same
        positions as `spiked`); the others leave it alone.
        """
        return self.kernel(self.kernel_state(), tick, synaptic_input, spiked, payload)

    def state(self, name: str) -> np.ndarray:
        """The named state variable of every neuron, for recording."""
        raise KeyError(name)

    @property
    def max_events_per_tick(self) -> int:
        """The most events the group emits in one tick (one per neuron unless a source
        repeats a neuron within a tick)."""
        return self.size


class NeuronModel(ABC):
    """Base of every neuron model and spike source."""

    name: ClassVar[str]
    receptors: ClassVar[tuple[str, ...]] = ()
    state_variables: ClassVar[tuple[str, ...]] = ()
    graded: ClassVar[bool] = False  # events carry a value (the packet payload)

    def check_size(self, size: int) -> None:
        """Raise if this model cannot describe a population of `size` neurons."""

    def off_grid(self, timestep_ms: float) -> list[str]:
        """A sentence for each of its times that `timestep_ms` moves onto the tick grid."""
        return []

    @classmethod
    @abstractmethod
    def group(cls, members: Sequence[Members], timestep_ms: float, seed: int) -> ModelGroup:
        """Build the state of `members` (all instances of this class) for simulation."""


class ParameterRuns(NamedTuple):
    """Constants of a group: one row per distinct model instance, and the runs of
    neighbouring neurons that share a row (run k is neurons `bounds[k] .. bounds[k + 1] - 1`
    with row `rows[k]`). Kernels load a run's constants once and sweep its neurons, which
    lets the compiler vectorise the sweep."""

    table: np.ndarray   # float64 [distinct instances, constants]
    bounds: np.ndarray  # int64 [runs + 1]
    rows: np.ndarray    # int64 [runs]


def parameter_table(members: Sequence[Members], row) -> ParameterRuns:
    """Constants per distinct model instance (`row(model)`), identical instances sharing a
    row, and the runs of neurons that use each."""
    index: dict = {}
    table, bounds, rows = [], [0], []
    for m in members:
        if m.model not in index:
            index[m.model] = len(table)
            table.append(row(m.model))
        if rows and rows[-1] == index[m.model]:
            bounds[-1] += m.size
        else:
            rows.append(index[m.model])
            bounds.append(bounds[-1] + m.size)
    return ParameterRuns(np.array(table, dtype=np.float64).reshape(len(table), -1),
                         np.array(bounds, dtype=np.int64), np.array(rows, dtype=np.int64))


@njit(cache=True)
def compact(fired, spiked):
    """Write the indices of the neurons that fired to `spiked`, ascending; return how many.
    Eight flags are tested at once (as one 64-bit word): few neurons fire in a tick, and a
    flag at a time cost as much as the neuron update itself."""
    n = 0
    whole = fired.size // 8 * 8
    words = fired[:whole].view(np.uint64)
    for w in range(words.size):
        if words[w] != 0:
            for j in range(8 * w, 8 * w + 8):
                if fired[j]:
                    spiked[n] = j
                    n += 1
    for j in range(whole, fired.size):
        if fired[j]:
            spiked[n] = j
            n += 1
    return n


def initial_values(members: Sequence[Members], variable: str, default, seed: int) -> np.ndarray:
    """Initial value of `variable` for every neuron of the group, in member order.

    A member's `initial[variable]` (a constant, a distribution or an array of one value per
    neuron of the population) wins over `default(model)`; random draws are keyed by
    population and neuron, so they do not depend on the split.
    """
    from .. import rng
    from ..distributions import draw

    parts = []
    for m in members:
        value = m.initial.get(variable, default(m.model))
        if isinstance(value, np.ndarray):
            parts.append(value[m.start:m.stop])
            continue
        detail = type(m.model).state_variables.index(variable)
        parts.append(draw(value, seed, rng.stream(rng.INITIAL_VALUE, m.population, detail),
                          m.neuron_ids))
    return np.concatenate(parts) if parts else np.empty(0)
