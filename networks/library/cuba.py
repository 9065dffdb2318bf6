"""Vogels-Abbott current-based network (CUBA), as in Brian2's CUBA example.

4000 LIF neurons with exponential currents, 80 % excitatory, random connectivity. Brian2
writes the synaptic variables in mV and adds them to dv/dt divided by tau_m; here they are
currents in nA, so a weight of w mV becomes w * cm / tau_m nA, the same dynamics.
Vogels and Abbott, J. Neurosci. 25:10786 (2005); Brette et al., J. Comput. Neurosci. (2007).
"""

from dataclasses import dataclass

from ..connectors import FixedProbability
from ..distributions import Uniform
from ..errors import check
from ..models import IFCurrExp
from ..network import Network
from .units import delay_in_ticks


@dataclass(frozen=True)
class CubaParams:
    n_neurons: int = 4000
    exc_fraction: float = 0.8
    p_connect: float = 0.02
    tau_m_ms: float = 20.0
    cm_nf: float = 1.0
    v_rest_mv: float = -49.0
    v_thresh_mv: float = -50.0
    v_reset_mv: float = -60.0
    tau_refrac_ms: float = 5.0
    tau_syn_e_ms: float = 5.0
    tau_syn_i_ms: float = 10.0
    w_exc_mv: float = 1.62
    w_inh_mv: float = -9.0
    delay_ms: float = 0.1

    def __post_init__(self) -> None:
        check(self.n_neurons >= 2, "n_neurons", "be >= 2", self.n_neurons)
        check(0.0 < self.exc_fraction < 1.0, "exc_fraction", "be between 0 and 1",
              self.exc_fraction)
        check(0.0 <= self.p_connect <= 1.0, "p_connect", "be in [0, 1]", self.p_connect)
        n_exc = round(self.n_neurons * self.exc_fraction)
        check(0 < n_exc < self.n_neurons, "exc_fraction",
              f"leave both populations non-empty with {self.n_neurons} neurons",
              self.exc_fraction)


def build_cuba(params: CubaParams, timestep_ms: float) -> Network:
    """Populations `exc` and `inh`, all four projections with probability `p_connect`."""
    net = Network("cuba")
    n_exc = round(params.n_neurons * params.exc_fraction)
    model = IFCurrExp(
        tau_m_ms=params.tau_m_ms, cm_nf=params.cm_nf, v_rest_mv=params.v_rest_mv,
        v_reset_mv=params.v_reset_mv, v_thresh_mv=params.v_thresh_mv,
        tau_refrac_ms=params.tau_refrac_ms, tau_syn_e_ms=params.tau_syn_e_ms,
        tau_syn_i_ms=params.tau_syn_i_ms)
    v_init = {"v": Uniform(params.v_reset_mv, params.v_thresh_mv)}
    exc = net.add_population("exc", n_exc, model, v_init)
    inh = net.add_population("inh", params.n_neurons - n_exc, model, v_init)
    delay = delay_in_ticks(params.delay_ms, timestep_ms, "delay_ms")
    mv_to_na = params.cm_nf / params.tau_m_ms
    connector = FixedProbability(params.p_connect)
    for pre, weight_mv, receptor in ((exc, params.w_exc_mv, "excitatory"),
                                     (inh, params.w_inh_mv, "inhibitory")):
        for post in (exc, inh):
            net.connect(pre, post, connector, weight=weight_mv * mv_to_na, delay_ticks=delay,
                        receptor=receptor)
    return net
