"""Brunel's sparsely connected network of excitatory and inhibitory LIF neurons (model A).

Brunel, J. Comput. Neurosci. 8:183 (2000): delta synapses (a spike moves v by J, or -g J from
an inhibitory neuron), tau 20 ms, threshold 20 mV, reset 10 mV, refractory 2 ms, every neuron
receiving C_E = p N_E excitatory and C_I = p N_I inhibitory inputs (fixed in-degree), all
delayed D = 1.5 ms, and C_E independent external Poisson inputs at eta x nu_thr, where
nu_thr = theta / (J C_E tau) is the rate that brings the mean input to threshold. The external
drive is drawn on the neurons' own cores (`LIFPoisson`: the spike count of all C_E inputs in
a tick, as Brian2's PoissonInput), so it sends no packets. `scale` multiplies both
population sizes and keeps the in-degrees of the full network (C_E = p_connect x n_exc), so
a smaller network keeps each neuron's input statistics (at scale < p_connect the in-degrees
are capped at the population sizes).
"""

from dataclasses import dataclass

from ..connectors import FixedInDegree
from ..distributions import Uniform
from ..errors import check
from ..models import LIFPoisson
from ..network import MAX_NEURONS, Network
from .units import delay_in_ticks


@dataclass(frozen=True)
class BrunelParams:
    n_exc: int = 10000
    n_inh: int = 2500
    scale: float = 1.0
    p_connect: float = 0.1
    j_mv: float = 0.1
    g: float = 5.0
    eta: float = 2.0
    delay_ms: float = 1.5
    tau_m_ms: float = 20.0
    theta_mv: float = 20.0
    v_reset_mv: float = 10.0
    tau_refrac_ms: float = 2.0

    def __post_init__(self) -> None:
        check(self.n_exc >= 1, "n_exc", "be >= 1", self.n_exc)
        check(self.n_inh >= 1, "n_inh", "be >= 1", self.n_inh)
        check(self.scale > 0, "scale", "be > 0", self.scale)
        check(0 < self.p_connect <= 1, "p_connect", "be in (0, 1]", self.p_connect)
        check(self.eta >= 0, "eta", "be >= 0", self.eta)
        check(self.j_mv > 0, "j_mv", "be > 0", self.j_mv)
        check(self.v_reset_mv < self.theta_mv, "v_reset_mv",
              f"be below theta_mv ({self.theta_mv})", self.v_reset_mv)
        check(self.scale * (self.n_exc + self.n_inh) <= MAX_NEURONS, "scale",
              f"keep scale x (n_exc + n_inh) within {MAX_NEURONS:,} neurons", self.scale)

    @property
    def sizes(self) -> tuple[int, int]:
        return max(1, round(self.scale * self.n_exc)), max(1, round(self.scale * self.n_inh))

    @property
    def in_degrees(self) -> tuple[int, int]:
        """C_E and C_I of the full-size network, whatever the scale (at most the sizes)."""
        n_exc, n_inh = self.sizes
        return (min(n_exc, max(1, round(self.p_connect * self.n_exc))),
                min(n_inh, max(1, round(self.p_connect * self.n_inh))))

    @property
    def external_rate_hz(self) -> float:
        """Total rate of a neuron's C_E external inputs: C_E x eta x nu_thr."""
        c_exc = self.in_degrees[0]
        nu_threshold_hz = self.theta_mv / (self.j_mv * c_exc * self.tau_m_ms) * 1e3
        return c_exc * self.eta * nu_threshold_hz


def build_brunel(params: BrunelParams, timestep_ms: float) -> Network:
    """Populations `exc` and `inh`, each neuron with its own external Poisson drive."""
    net = Network("brunel")
    model = LIFPoisson(tau_m_ms=params.tau_m_ms, v_rest_mv=0.0, v_reset_mv=params.v_reset_mv,
                       v_thresh_mv=params.theta_mv, tau_refrac_ms=params.tau_refrac_ms,
                       drive_rate_hz=params.external_rate_hz, drive_weight=params.j_mv)
    v_init = {"v": Uniform(0.0, params.theta_mv)}
    (n_exc, n_inh), (c_exc, c_inh) = params.sizes, params.in_degrees
    exc = net.add_population("exc", n_exc, model, v_init)
    inh = net.add_population("inh", n_inh, model, v_init)
    delay = delay_in_ticks(params.delay_ms, timestep_ms, "delay_ms")
    for post in (exc, inh):
        net.connect(exc, post, FixedInDegree(c_exc), weight=params.j_mv, delay_ticks=delay)
        net.connect(inh, post, FixedInDegree(c_inh), weight=-params.g * params.j_mv,
                    delay_ticks=delay, receptor="inhibitory")
    return net
