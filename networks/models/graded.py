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
    """The members' tables side by side in one array: member m's row r is
    `values[offset[m] + r * width[m] : ... + width[m]]`, sent by neurons `first[m] ..`
    (every tick, or until its last row without `repeat[m]`)."""

    def __init__(self, members: Sequence[Members]) -> None:
        self.size = sum(m.size for m in members)
        tables = [np.ascontiguousarray(m.model.values[:, m.start:m.stop]) for m in members]
        self.values = np.concatenate([t.ravel() for t in tables]) if tables else np.zeros(0)
        self.offset = np.cumsum([0] + [t.size for t in tables])[:-1].astype(np.int64)
        self.rows = np.array([t.shape[0] for t in tables], dtype=np.int64)
        self.width = np.array([t.shape[1] for t in tables], dtype=np.int64)
        self.first = np.cumsum([0] + [m.size for m in members])[:-1].astype(np.int64)
        self.repeat = np.array([m.model.repeat for m in members], dtype=np.bool_)

    @property
    def kernel(self):
        return graded_sequence_kernel

    def kernel_state(self) -> tuple:
        return self.values, self.offset, self.rows, self.width, self.first, self.repeat


@njit(cache=True, inline="always")
def graded_sequence_kernel(state, tick, synaptic_input, spiked, payload):
    """Each member's row for `tick` (`GradedSequenceGroup`), its non-zero entries as events;
    a member that does not repeat is silent after its last row."""
    values, offset, rows, width, first, repeat = state
    n = 0
    for m in range(offset.size):
        if not repeat[m] and tick >= rows[m]:
            continue
        at = offset[m] + (tick % rows[m]) * width[m]
        n = graded_row_step(values[at:at + width[m]], first[m], spiked, payload, n)
    return n


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

    @property
    def kernel(self):
        return poisson_count_kernel

    def kernel_state(self) -> tuple:
        return self.prefix, self.exp_minus_mean


@njit(cache=True, inline="always")
def poisson_count_kernel(state, tick, synaptic_input, spiked, payload):
    """`poisson_count_step` called as the engine calls a model (`ModelGroup.kernel`)."""
    prefix, exp_minus_mean = state
    return poisson_count_step(prefix, exp_minus_mean, tick, spiked, payload)


@njit(cache=True)
def poisson_count_step(prefix, exp_minus_mean, tick, spiked, payload):
    """Draw each neuron's count for the tick (`prefix`: its hash prefix); send the non-zero
    ones."""
    n = 0
    for j in range(prefix.size):
        k = poisson_count(prefix[j], tick, exp_minus_mean[j])
        if k > 0:
            spiked[n] = j
            payload[n] = k
            n += 1
    return n
