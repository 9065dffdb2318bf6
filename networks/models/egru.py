"""Event-based gated recurrent unit (EGRU; Subramoney et al., ICLR 2023).

    z = sigmoid(u_z + b_z)                      update gate     (receptor "update")
    r = sigmoid(u_r + b_r)                      reset gate      (receptor "reset")
    g = tanh(u_gx + b_gx + r * (u_gr + b_gr))   candidate       ("candidate_input",
                                                                 "candidate_recurrent")
    c = z * c + (1 - z) * g                     cell state
    o = H(c - threshold), H(0) = 0              event
    y = o * c                                   graded output: the packet payload
    c = c - o * threshold                       reset by subtraction

With `zoneout` p (EvNN's eval-mode zoneout) the new cell is blended with the old one before
the event, c = p * c_old + (1 - p) * c_new. A unit does nothing before `start_tick` (its
input is discarded, so a layer of a stack starts with its first input, as EvNN's forward pass
does, instead of running bias-only ticks); at `start_tick - 1` it sends `initial_output`
(EvNN's initial state y0, which the recurrent weights see at the first step) as events.

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

PER_UNIT = ("threshold", "b_update", "b_reset", "b_candidate_input", "b_candidate_recurrent",
            "zoneout", "initial_output")
# Rows of EGRUGroup.constants: PER_UNIT in order, then the start tick.
THRESHOLD, B_UPDATE, B_RESET, B_CAND_IN, B_CAND_REC, ZONEOUT, INITIAL_OUTPUT, START = range(8)


@dataclass(frozen=True)
class EGRU(NeuronModel):
    threshold: float | tuple[float, ...] = 0.1
    b_update: float | tuple[float, ...] = 0.0
    b_reset: float | tuple[float, ...] = 0.0
    b_candidate_input: float | tuple[float, ...] = 0.0
    b_candidate_recurrent: float | tuple[float, ...] = 0.0
    zoneout: float | tuple[float, ...] = 0.0
    initial_output: float | tuple[float, ...] = 0.0
    start_tick: int = 0

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
        check(bool(np.all(thresholds >= 0)), "egru.threshold", "be >= 0 for every unit",
              float(thresholds.min()))
        zoneout = np.atleast_1d(np.asarray(self.zoneout, dtype=np.float64))
        check(bool(np.all((zoneout >= 0) & (zoneout <= 1))), "egru.zoneout",
              "be in [0, 1] for every unit", float(zoneout.min()))
        check(isinstance(self.start_tick, (int, np.integer)) and self.start_tick >= 0,
              "egru.start_tick", "be a whole number of ticks >= 0", self.start_tick)
        check(self.start_tick >= 1 or not np.any(np.asarray(self.initial_output)),
              "egru.initial_output", "be 0 when start_tick is 0 (it is sent at start_tick - 1)",
              "a non-zero value")

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
        # [PER_UNIT + 1, size]: every per-unit constant in PER_UNIT order, then the start tick
        self.constants = np.zeros((len(PER_UNIT) + 1, self.size))
        at = 0
        for m in members:
            for k, field in enumerate(PER_UNIT):
                self.constants[k, at:at + m.size] = m.model.per_unit(field, m.start, m.stop)
            self.constants[START, at:at + m.size] = m.model.start_tick
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
    return egru_step(tick, c, y, constants, synaptic_input, spiked, payload)


@njit(cache=True)
def egru_step(tick, c, y, constants, synaptic_input, spiked, payload):
    """One EGRU tick for every unit; the units that fire go to `spiked` with their output
    y = c (before the reset) in `payload`. Returns how many fired."""
    n = 0
    for j in range(c.size):
        start = constants[START, j]
        if tick < start:
            y[j] = 0.0
            if tick == start - 1 and constants[INITIAL_OUTPUT, j] != 0.0:
                y[j] = constants[INITIAL_OUTPUT, j]
                spiked[n] = j
                payload[n] = y[j]
                n += 1
            continue
        z = 1.0 / (1.0 + np.exp(-(synaptic_input[0, j] + constants[B_UPDATE, j])))
        r = 1.0 / (1.0 + np.exp(-(synaptic_input[1, j] + constants[B_RESET, j])))
        g = np.tanh(synaptic_input[2, j] + constants[B_CAND_IN, j]
                    + r * (synaptic_input[3, j] + constants[B_CAND_REC, j]))
        cell = z * c[j] + (1.0 - z) * g
        if constants[ZONEOUT, j] != 0.0:
            cell = constants[ZONEOUT, j] * c[j] + (1.0 - constants[ZONEOUT, j]) * cell
        threshold = constants[THRESHOLD, j]
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
