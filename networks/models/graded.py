"""Graded-event source: a population that plays a table of values, one row per tick.

Neuron i sends an event carrying `values[t mod rows, i]` at tick t whenever that value is not
zero, so a token stream embedded as vectors (one token per tick) enters a network as graded
packets, and zeros cost nothing. With `repeat = False` the table plays once and the source is
silent after its last row.
"""

from dataclasses import dataclass, field
from typing import ClassVar, Sequence

import numpy as np
from numba import njit

from ..errors import check
from .base import Members, ModelGroup, NeuronModel
from .poisson_driven import PoissonCounts, poisson_count


@dataclass(frozen=True, eq=False)
class GradedSequenceSource(NeuronModel):
    """`values` is [rows, size]: row t mod rows (row t, once, without `repeat`) is what the
    population sends at tick t."""

    values: np.ndarray = field(default_factory=lambda: np.zeros((1, 1)))
    repeat: bool = True

    name: ClassVar[str] = "graded_sequence"
    graded: ClassVar[bool] = True

    def __post_init__(self) -> None:
        values = np.array(self.values, dtype=np.float64, copy=True)
        check(values.ndim == 2 and values.shape[0] >= 1, "graded_sequence.values",
              "be a 2-D table [ticks, neurons] with at least one row", values.shape)
        check(bool(np.all(np.isfinite(values))), "graded_sequence.values", "be finite",
              "a non-finite value")
        values.setflags(write=False)
        object.__setattr__(self, "values", values)

    def check_size(self, size: int) -> None:
        check(self.values.shape[1] == size, "graded_sequence.values",
              f"have one column per neuron ({size})", self.values.shape[1])

    @classmethod
    def group(cls, members: Sequence[Members], timestep_ms: float, seed: int) -> ModelGroup:
        return GradedSequenceGroup(members)


class GradedSequenceGroup(ModelGroup):
    def __init__(self, members: Sequence[Members]) -> None:
        self.size = sum(m.size for m in members)
        self.tables = [np.ascontiguousarray(m.model.values[:, m.start:m.stop])
                       for m in members]
        self.repeat = [m.model.repeat for m in members]
        self.first = np.cumsum([0] + [m.size for m in members])

    def step(self, tick: int, synaptic_input: np.ndarray, spiked: np.ndarray,
             payload: np.ndarray) -> int:
        n = 0
        for table, first, repeat in zip(self.tables, self.first, self.repeat):
            if repeat or tick < table.shape[0]:
                n = graded_row_step(table[tick % table.shape[0]], first, spiked, payload, n)
        return n

    def warm_up(self) -> None:
        graded_row_step(np.zeros(0), 0, np.empty(0, dtype=np.int32), np.empty(0), 0)


@njit(cache=True)
def graded_row_step(row, first, spiked, payload, n):
    """Append the non-zero entries of `row` (neurons `first ..`) as events after the `n`
    already written; return the new count."""
    for j in range(row.size):
        if row[j] != 0.0:
            spiked[n] = first + j
            payload[n] = row[j]
            n += 1
    return n


@dataclass(frozen=True)
class PoissonCountSource(NeuronModel):
    """Poisson input as one graded event a tick: neuron i sends the number of spikes that
    `rate_hz` Poisson trains would have fired in the tick (k ~ Poisson(rate x timestep)),
    whenever k > 0. Projected one to one with weight J, it is Brian2's PoissonInput or NEST's
    poisson_generator: the total drive of many independent inputs, at any rate, in one packet.
    """

    rate_hz: float = 1000.0

    name: ClassVar[str] = "poisson_count"
    graded: ClassVar[bool] = True

    def __post_init__(self) -> None:
        check(self.rate_hz >= 0, "poisson_count.rate_hz", "be >= 0", self.rate_hz)

    @classmethod
    def group(cls, members: Sequence[Members], timestep_ms: float, seed: int) -> ModelGroup:
        return PoissonCountGroup(members, timestep_ms, seed)


class PoissonCountGroup(PoissonCounts, ModelGroup):
    def __init__(self, members: Sequence[Members], timestep_ms: float, seed: int) -> None:
        super().__init__(members, timestep_ms, seed, "rate_hz")
        self.size = len(self.neuron_id)

    def step(self, tick: int, synaptic_input: np.ndarray, spiked: np.ndarray,
             payload: np.ndarray) -> int:
        return poisson_count_step(self.seed, self.stream, self.neuron_id, self.exp_minus_mean,
                                  tick, spiked, payload)

    def warm_up(self) -> None:
        poisson_count_step(self.seed, self.stream[:0], self.neuron_id[:0],
                           self.exp_minus_mean[:0], 0, np.empty(0, dtype=np.int32),
                           np.empty(0))


@njit(cache=True)
def poisson_count_step(seed, stream, neuron_id, exp_minus_mean, tick, spiked, payload):
    """Draw each neuron's count for the tick; send the non-zero ones."""
    n = 0
    for j in range(neuron_id.size):
        k = poisson_count(seed, stream[j], neuron_id[j], tick, exp_minus_mean[j])
        if k > 0:
            spiked[n] = j
            payload[n] = k
            n += 1
    return n
