"""What every neuron model offers the simulator.

A model is a frozen dataclass of parameters (units in the names) with a Numba kernel beside
it. The simulator gathers all neurons of one model class on an MPI rank into a `ModelGroup`
and calls its `step` once per tick, so a tick costs one kernel call per model, not one call
per core or per neuron.
"""

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import ClassVar, Sequence

import numpy as np


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
    """State of all neurons of one model on one rank, laid out in member order."""

    size: int

    @abstractmethod
    def step(self, tick: int, synaptic_input: np.ndarray, spiked: np.ndarray,
             payload: np.ndarray) -> int:
        """Advance every neuron over tick `tick`.

        `synaptic_input` is [size, receptors]: the weighted events that arrived for this tick.
        Indices (within the group) of the neurons that fire go to `spiked`; returns their count.
        A graded model also writes the value each event carries to `payload` (in the same
        positions as `spiked`); the others leave it alone.
        """

    def state(self, name: str) -> np.ndarray:
        """The named state variable of every neuron, for recording."""
        raise KeyError(name)

    def warm_up(self) -> None:
        """Compile (or load from cache) the kernel by running it on no neurons, so that JIT
        time counts as build time, not run time."""


class NeuronModel(ABC):
    """Base of every neuron model and spike source."""

    name: ClassVar[str]
    receptors: ClassVar[tuple[str, ...]] = ()
    state_variables: ClassVar[tuple[str, ...]] = ()
    graded: ClassVar[bool] = False  # events carry a value (the packet payload)

    def check_size(self, size: int) -> None:
        """Raise if this model cannot describe a population of `size` neurons."""

    @classmethod
    @abstractmethod
    def group(cls, members: Sequence[Members], timestep_ms: float, seed: int) -> ModelGroup:
        """Build the state of `members` (all instances of this class) for simulation."""


def parameter_table(members: Sequence[Members], row) -> tuple[np.ndarray, np.ndarray]:
    """One row of constants per distinct model instance, and each neuron's row index.

    `row(model)` gives the constants of one instance; identical instances share a row.
    """
    rows: dict = {}
    table = []
    index = np.empty(sum(m.size for m in members), dtype=np.int32)
    at = 0
    for m in members:
        if m.model not in rows:
            rows[m.model] = len(table)
            table.append(row(m.model))
        index[at:at + m.size] = rows[m.model]
        at += m.size
    return np.array(table, dtype=np.float64).reshape(len(table), -1), index


def initial_values(members: Sequence[Members], variable: str, default, seed: int) -> np.ndarray:
    """Initial value of `variable` for every neuron of the group, in member order.

    A member's `initial[variable]` (a constant or a distribution) wins over `default(model)`;
    random draws are keyed by population and neuron, so they do not depend on the split.
    """
    from .. import rng
    from ..distributions import draw

    parts = []
    for m in members:
        value = m.initial.get(variable, default(m.model))
        detail = type(m.model).state_variables.index(variable)
        parts.append(draw(value, seed, rng.stream(rng.INITIAL_VALUE, m.population, detail),
                          m.neuron_ids))
    return np.concatenate(parts) if parts else np.empty(0)
