"""Leaky integrate-and-fire neuron with instantaneous (delta) synapses.

    tau_m dv/dt = (v_rest - v) + tau_m / cm * i_offset,   v += w for each arriving weight w

PyNN's `IF_curr_delta` (NEST's `iaf_psc_delta`): weights are voltage jumps in mV, signed.
Over a tick the leak and offset current are integrated exactly, then the weights that arrived
for the tick are added; the neuron fires if v >= v_thresh, is reset and stays refractory
for the tau_refrac_ms / h ticks after (rounded up). Input that arrives while the neuron is
refractory is discarded. The order and its Brian2 and NEST equivalents: docs/conventions.md.
"""

from dataclasses import dataclass
from typing import ClassVar, Sequence

import numpy as np
from numba import njit

from ..errors import check
from ..timing import off_grid_duration, ticks_up
from .base import (Members, ModelGroup, NeuronModel, compact, initial_values,
                   parameter_table)


@dataclass(frozen=True)
class LIF(NeuronModel):
    tau_m_ms: float = 20.0
    cm_nf: float = 1.0
    v_rest_mv: float = -65.0
    v_reset_mv: float = -65.0
    v_thresh_mv: float = -50.0
    tau_refrac_ms: float = 0.1
    i_offset_na: float = 0.0

    name: ClassVar[str] = "lif"
    receptors: ClassVar[tuple[str, ...]] = ("excitatory", "inhibitory")
    state_variables: ClassVar[tuple[str, ...]] = ("v",)

    def __post_init__(self) -> None:
        check(self.tau_m_ms > 0, "lif.tau_m_ms", "be > 0", self.tau_m_ms)
        check(self.cm_nf > 0, "lif.cm_nf", "be > 0", self.cm_nf)
        check(self.tau_refrac_ms >= 0, "lif.tau_refrac_ms", "be >= 0", self.tau_refrac_ms)
        check(self.v_reset_mv < self.v_thresh_mv, "lif.v_reset_mv",
              f"be below v_thresh_mv ({self.v_thresh_mv})", self.v_reset_mv)

    def off_grid(self, timestep_ms: float) -> list[str]:
        return off_grid_duration(f"{self.name}.tau_refrac_ms", self.tau_refrac_ms,
                                 timestep_ms)

    def propagators(self, timestep_ms: float) -> np.ndarray:
        """Constants of the exact one-tick update, in the order the kernel reads them."""
        h, tau_m = timestep_ms, self.tau_m_ms
        return np.array([
            self.v_rest_mv,
            np.exp(-h / tau_m),
            -np.expm1(-h / tau_m) * tau_m / self.cm_nf * self.i_offset_na,
            self.v_reset_mv,
            self.v_thresh_mv,
            float(ticks_up(self.tau_refrac_ms, h)),
        ])

    @classmethod
    def group(cls, members: Sequence[Members], timestep_ms: float, seed: int) -> ModelGroup:
        return LIFGroup(members, timestep_ms, seed)


class LIFGroup(ModelGroup):
    def __init__(self, members: Sequence[Members], timestep_ms: float, seed: int) -> None:
        self.runs = parameter_table(members, lambda model: model.propagators(timestep_ms))
        self.size = int(self.runs.bounds[-1])
        self.v = initial_values(members, "v", lambda model: model.v_rest_mv, seed)
        self.refractory = np.zeros(self.size, dtype=np.int32)
        self.fired = np.zeros(self.size, dtype=np.bool_)

    @property
    def kernel(self):
        return lif_kernel

    def kernel_state(self) -> tuple:
        runs = self.runs
        return self.v, self.refractory, runs.bounds, runs.rows, runs.table, self.fired

    def state(self, name: str) -> np.ndarray:
        return {"v": self.v}[name]


@njit(cache=True, inline="always")
def lif_kernel(state, tick, synaptic_input, spiked, payload):
    """`lif_step` called as the engine calls a model (`ModelGroup.kernel`)."""
    v, refractory, bounds, rows, table, fired = state
    return lif_step(v, refractory, bounds, rows, table, synaptic_input, fired, spiked)


@njit(cache=True)
def lif_step(v, refractory, bounds, rows, table, synaptic_input, fired, spiked):
    """One exact tick of `LIF` for every neuron, run by run of shared constants; returns the
    number that fired."""
    for k in range(rows.size):
        lo, hi = bounds[k], bounds[k + 1]
        _sweep(v[lo:hi], refractory[lo:hi], table[rows[k]], synaptic_input[0, lo:hi],
               synaptic_input[1, lo:hi], fired[lo:hi])
    return compact(fired, spiked)


@njit(cache=True)
def _sweep(v, refractory, p, input_exc, input_inh, fired):
    """Neurons with the same constants `p`, without branches so that it vectorises. Input
    that arrives while a neuron is refractory is discarded."""
    v_rest, p22, p20, v_reset = p[0], p[1], p[2], p[3]
    v_thresh, refractory_ticks = p[4], np.int32(p[5])
    for j in range(v.size):
        r = refractory[j]
        integrated = v_rest + (v[j] - v_rest) * p22 + p20 + input_exc[j] + input_inh[j]
        v_j = integrated if r == 0 else v[j]
        up = v_j >= v_thresh
        v[j] = v_reset if up else v_j
        refractory[j] = refractory_ticks if up else max(r - 1, 0)
        fired[j] = up
