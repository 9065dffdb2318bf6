"""Leaky integrate-and-fire neuron with instantaneous (delta) synapses.

    tau_m dv/dt = (v_rest - v) + tau_m / cm * i_offset,   v += w for each arriving weight w

PyNN's `IF_curr_delta` (NEST's `iaf_psc_delta`): weights are voltage jumps in mV, signed.
Over a tick the leak and offset current are integrated exactly, then the weights that arrived
for the tick are added. Input that arrives while the neuron is refractory is discarded.
"""

from dataclasses import dataclass
from typing import ClassVar, Sequence

import numpy as np
from numba import njit

from ..errors import check
from .base import Members, ModelGroup, NeuronModel, initial_values, parameter_table


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

    def propagators(self, timestep_ms: float) -> np.ndarray:
        """Constants of the exact one-tick update, in the order the kernel reads them."""
        h, tau_m = timestep_ms, self.tau_m_ms
        return np.array([
            self.v_rest_mv,
            np.exp(-h / tau_m),
            -np.expm1(-h / tau_m) * tau_m / self.cm_nf * self.i_offset_na,
            self.v_reset_mv,
            self.v_thresh_mv,
            float(round(self.tau_refrac_ms / h)),
        ])

    @classmethod
    def group(cls, members: Sequence[Members], timestep_ms: float, seed: int) -> ModelGroup:
        return LIFGroup(members, timestep_ms, seed)


class LIFGroup(ModelGroup):
    def __init__(self, members: Sequence[Members], timestep_ms: float, seed: int) -> None:
        self.params, self.param_index = parameter_table(
            members, lambda model: model.propagators(timestep_ms))
        self.size = len(self.param_index)
        self.v = initial_values(members, "v", lambda model: model.v_rest_mv, seed)
        self.refractory = np.zeros(self.size, dtype=np.int32)

    def step(self, tick: int, synaptic_input: np.ndarray, spiked: np.ndarray,
             payload: np.ndarray) -> int:
        return lif_step(self.v, self.refractory, self.param_index, self.params, synaptic_input,
                        spiked)

    def state(self, name: str) -> np.ndarray:
        return {"v": self.v}[name]

    def warm_up(self) -> None:
        lif_step(self.v[:0], self.refractory[:0], self.param_index[:0], self.params,
                 np.zeros((0, 2)), np.empty(0, dtype=np.int32))


@njit(cache=True)
def lif_step(v, refractory, param_index, params, synaptic_input, spiked):
    """One exact tick of `LIF` for every neuron; returns the number that fired."""
    n_spikes = 0
    for j in range(v.size):
        q = param_index[j]
        if refractory[j] > 0:
            refractory[j] -= 1
            continue
        v_rest = params[q, 0]
        v[j] = (v_rest + (v[j] - v_rest) * params[q, 1] + params[q, 2]
                + synaptic_input[j, 0] + synaptic_input[j, 1])
        if v[j] >= params[q, 4]:
            v[j] = params[q, 3]
            refractory[j] = np.int32(params[q, 5])
            spiked[n_spikes] = j
            n_spikes += 1
    return n_spikes
