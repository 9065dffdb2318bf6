"""Leaky integrate-and-fire neuron with exponentially decaying synaptic currents.

    cm dv/dt = cm (v_rest - v) / tau_m + i_exc + i_inh + i_offset
    di_exc/dt = -i_exc / tau_syn_e,   di_inh/dt = -i_inh / tau_syn_i

PyNN's `IF_curr_exp` (NEST's `iaf_psc_exp`), integrated exactly over each tick (Rotter and
Diesmann 1999). Weights are currents in nA, signed as they act on the membrane; a weight that
arrives for tick t is added to its current at the end of tick t, so it moves v from tick t + 1.
While refractory (tau_refrac_ms / h ticks after the spike tick, rounded up), v stays at
v_reset and the currents go on decaying and summing input (docs/conventions.md).
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
class IFCurrExp(NeuronModel):
    tau_m_ms: float = 20.0
    cm_nf: float = 1.0
    v_rest_mv: float = -65.0
    v_reset_mv: float = -65.0
    v_thresh_mv: float = -50.0
    tau_refrac_ms: float = 0.1
    tau_syn_e_ms: float = 5.0
    tau_syn_i_ms: float = 5.0
    i_offset_na: float = 0.0

    name: ClassVar[str] = "if_curr_exp"
    receptors: ClassVar[tuple[str, ...]] = ("excitatory", "inhibitory")
    state_variables: ClassVar[tuple[str, ...]] = ("v", "i_exc", "i_inh")

    def __post_init__(self) -> None:
        for field in ("tau_m_ms", "cm_nf", "tau_syn_e_ms", "tau_syn_i_ms"):
            check(getattr(self, field) > 0, f"if_curr_exp.{field}", "be > 0", getattr(self, field))
        check(self.tau_refrac_ms >= 0, "if_curr_exp.tau_refrac_ms", "be >= 0", self.tau_refrac_ms)
        check(self.v_reset_mv < self.v_thresh_mv, "if_curr_exp.v_reset_mv",
              f"be below v_thresh_mv ({self.v_thresh_mv})", self.v_reset_mv)

    def off_grid(self, timestep_ms: float) -> list[str]:
        return off_grid_duration(f"{self.name}.tau_refrac_ms", self.tau_refrac_ms,
                                 timestep_ms)

    def propagators(self, timestep_ms: float) -> np.ndarray:
        """Constants of the exact one-tick update, in the order the kernel reads them."""
        h, tau_m, cm = timestep_ms, self.tau_m_ms, self.cm_nf
        p22 = np.exp(-h / tau_m)
        return np.array([
            self.v_rest_mv,
            p22,
            _current_to_voltage(h, tau_m, self.tau_syn_e_ms, cm),
            _current_to_voltage(h, tau_m, self.tau_syn_i_ms, cm),
            -np.expm1(-h / tau_m) * tau_m / cm * self.i_offset_na,
            np.exp(-h / self.tau_syn_e_ms),
            np.exp(-h / self.tau_syn_i_ms),
            self.v_reset_mv,
            self.v_thresh_mv,
            float(ticks_up(self.tau_refrac_ms, h)),
        ])

    @classmethod
    def group(cls, members: Sequence[Members], timestep_ms: float, seed: int) -> ModelGroup:
        return IFCurrExpGroup(members, timestep_ms, seed)


def _current_to_voltage(h: float, tau_m: float, tau_syn: float, cm: float) -> float:
    """Voltage change over one tick caused by a unit exponential current present at its start.

    (1/cm) * integral_0^h exp(-(h-s)/tau_m) exp(-s/tau_syn) ds, written with expm1 so that it
    stays exact as tau_syn approaches tau_m.
    """
    a = 1.0 / tau_m - 1.0 / tau_syn
    growth = h if a == 0.0 else np.expm1(h * a) / a
    return np.exp(-h / tau_m) * growth / cm


class IFCurrExpGroup(ModelGroup):
    def __init__(self, members: Sequence[Members], timestep_ms: float, seed: int) -> None:
        self.runs = parameter_table(members, lambda model: model.propagators(timestep_ms))
        self.size = int(self.runs.bounds[-1])
        self.v = initial_values(members, "v", lambda model: model.v_rest_mv, seed)
        self.i_exc = initial_values(members, "i_exc", lambda model: 0.0, seed)
        self.i_inh = initial_values(members, "i_inh", lambda model: 0.0, seed)
        self.refractory = np.zeros(self.size, dtype=np.int32)
        self.fired = np.zeros(self.size, dtype=np.bool_)

    @property
    def kernel(self):
        return if_curr_exp_kernel

    def kernel_state(self) -> tuple:
        runs = self.runs
        return (self.v, self.i_exc, self.i_inh, self.refractory, runs.bounds, runs.rows,
                runs.table, self.fired)

    def state(self, name: str) -> np.ndarray:
        return {"v": self.v, "i_exc": self.i_exc, "i_inh": self.i_inh}[name]


@njit(cache=True, inline="always")
def if_curr_exp_kernel(state, tick, synaptic_input, spiked, payload):
    """`if_curr_exp_step` called as the engine calls a model (`ModelGroup.kernel`)."""
    v, i_exc, i_inh, refractory, bounds, rows, table, fired = state
    return if_curr_exp_step(v, i_exc, i_inh, refractory, bounds, rows, table, synaptic_input,
                            fired, spiked)


@njit(cache=True)
def if_curr_exp_step(v, i_exc, i_inh, refractory, bounds, rows, table, synaptic_input, fired,
                     spiked):
    """One exact tick of `IFCurrExp` for every neuron, run by run of shared constants;
    returns the number that fired."""
    for k in range(rows.size):
        lo, hi = bounds[k], bounds[k + 1]
        _sweep(v[lo:hi], i_exc[lo:hi], i_inh[lo:hi], refractory[lo:hi], table[rows[k]],
               synaptic_input[0, lo:hi], synaptic_input[1, lo:hi], fired[lo:hi])
    return compact(fired, spiked)


@njit(cache=True)
def _sweep(v, i_exc, i_inh, refractory, p, input_exc, input_inh, fired):
    """Neurons with the same constants `p`, without branches so that it vectorises. A
    refractory neuron keeps v (at v_reset) while its currents go on decaying."""
    v_rest, p22, p21e, p21i, p20 = p[0], p[1], p[2], p[3], p[4]
    p11e, p11i, v_reset, v_thresh, refractory_ticks = p[5], p[6], p[7], p[8], np.int32(p[9])
    for j in range(v.size):
        r = refractory[j]
        integrated = v_rest + (v[j] - v_rest) * p22 + p21e * i_exc[j] + p21i * i_inh[j] + p20
        v_j = integrated if r == 0 else v[j]
        i_exc[j] = i_exc[j] * p11e + input_exc[j]
        i_inh[j] = i_inh[j] * p11i + input_inh[j]
        up = v_j >= v_thresh
        v[j] = v_reset if up else v_j
        refractory[j] = refractory_ticks if up else max(r - 1, 0)
        fired[j] = up
