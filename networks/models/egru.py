"""Event-based gated recurrent unit (EGRU; Subramoney et al., ICLR 2023).

    z = sigmoid(u_z + b_z)                      update gate     (receptor "update")
    r = sigmoid(u_r + b_r)                      reset gate      (receptor "reset")
    g = tanh(u_gx + b_gx + r * (u_gr + b_gr))   candidate       ("candidate_input",
                                                                 "candidate_recurrent")
    c = z * c + (1 - z) * g                     cell state
    o = H(c - threshold), H(0) = 0              event
    y = o * c                                   graded output: the packet payload
    c = c - o * threshold                       reset by subtraction

Each receptor sums weight x payload of the events that arrived for the tick: the input part
x W and the recurrent part y_{t-1} R of each gate. The two parts of the candidate arrive on
separate receptors because the reset gate multiplies only the recurrent one. Thresholds and
biases are per unit (a number for all units, or one value per unit).
"""

from dataclasses import dataclass
from typing import ClassVar, Sequence

import numpy as np
from numba import njit

from ..errors import check
from .base import Members, ModelGroup, NeuronModel, initial_values

PER_UNIT = ("threshold", "b_update", "b_reset", "b_candidate_input", "b_candidate_recurrent")


@dataclass(frozen=True)
class EGRU(NeuronModel):
    threshold: float | tuple[float, ...] = 0.1
    b_update: float | tuple[float, ...] = 0.0
    b_reset: float | tuple[float, ...] = 0.0
    b_candidate_input: float | tuple[float, ...] = 0.0
    b_candidate_recurrent: float | tuple[float, ...] = 0.0

    name: ClassVar[str] = "egru"
    receptors: ClassVar[tuple[str, ...]] = ("update", "reset", "candidate_input",
                                            "candidate_recurrent")
    state_variables: ClassVar[tuple[str, ...]] = ("c", "y")
    graded: ClassVar[bool] = True

    def __post_init__(self) -> None:
        for field in PER_UNIT:
            value = getattr(self, field)
            if not isinstance(value, (int, float)):
                value = tuple(float(v) for v in np.asarray(value, dtype=np.float64).ravel())
                object.__setattr__(self, field, value)
            values = np.atleast_1d(np.asarray(value, dtype=np.float64))
            check(bool(np.all(np.isfinite(values))), f"egru.{field}", "be finite", value)
        thresholds = np.atleast_1d(np.asarray(self.threshold, dtype=np.float64))
        check(bool(np.all(thresholds > 0)), "egru.threshold", "be > 0 for every unit",
              float(thresholds.min()))

    def check_size(self, size: int) -> None:
        for field in PER_UNIT:
            value = getattr(self, field)
            if isinstance(value, tuple):
                check(len(value) == size, f"egru.{field}",
                      f"have one value per unit ({size}) or be a single number", len(value))

    def per_unit(self, field: str, start: int, stop: int) -> np.ndarray:
        """`field` for units `start .. stop - 1`."""
        value = getattr(self, field)
        if isinstance(value, tuple):
            return np.asarray(value[start:stop], dtype=np.float64)
        return np.full(stop - start, float(value))

    @classmethod
    def group(cls, members: Sequence[Members], timestep_ms: float, seed: int) -> ModelGroup:
        return EGRUGroup(members, seed)


class EGRUGroup(ModelGroup):
    def __init__(self, members: Sequence[Members], seed: int) -> None:
        self.size = sum(m.size for m in members)
        # [5, size]: threshold and the four biases of every unit, in PER_UNIT order
        self.constants = np.zeros((len(PER_UNIT), self.size))
        at = 0
        for m in members:
            for k, field in enumerate(PER_UNIT):
                self.constants[k, at:at + m.size] = m.model.per_unit(field, m.start, m.stop)
            at += m.size
        self.c = initial_values(members, "c", lambda model: 0.0, seed)
        self.y = np.zeros(self.size)
        self.fired = np.zeros(self.size, dtype=np.bool_)

    @property
    def kernel(self):
        return egru_kernel

    def kernel_state(self) -> tuple:
        return self.c, self.y, self.constants

    def state(self, name: str) -> np.ndarray:
        return {"c": self.c, "y": self.y}[name]

@njit(cache=True, inline="always")
def egru_kernel(state, tick, synaptic_input, spiked, payload):
    """`egru_step` called as the engine calls a model (`ModelGroup.kernel`)."""
    c, y, constants = state
    return egru_step(c, y, constants, synaptic_input, spiked, payload)


@njit(cache=True)
def egru_step(c, y, constants, synaptic_input, spiked, payload):
    """One EGRU tick for every unit; the units that fire go to `spiked` with their output
    y = c (before the reset) in `payload`. Returns how many fired."""
    n = 0
    for j in range(c.size):
        z = 1.0 / (1.0 + np.exp(-(synaptic_input[0, j] + constants[1, j])))
        r = 1.0 / (1.0 + np.exp(-(synaptic_input[1, j] + constants[2, j])))
        g = np.tanh(synaptic_input[2, j] + constants[3, j]
                    + r * (synaptic_input[3, j] + constants[4, j]))
        cell = z * c[j] + (1.0 - z) * g
        threshold = constants[0, j]
        if cell > threshold:
            y[j] = cell
            c[j] = cell - threshold
            spiked[n] = j
            payload[n] = cell
            n += 1
        else:
            y[j] = 0.0
            c[j] = cell
    return n
