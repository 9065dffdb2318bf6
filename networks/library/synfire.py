"""Synfire chain: groups of LIF neurons, each projecting all to all onto the next.

After Diesmann, Gewaltig and Aertsen, Nature 402:529 (1999): a pulse packet (one spike from
each of `group_size` stimulus neurons, times spread normally by `pulse_sigma_ms` around
`pulse_time_ms`) enters group 0 and travels down the chain, one group every `delay_ms` plus the
time the membranes take to reach threshold. Every neuron also receives background noise, drawn on
its core: Poisson input spikes at `noise_rate_hz` in total, each moving v by `noise_mv`.
"""

from dataclasses import dataclass

import numpy as np

from ..connectors import AllToAll
from ..errors import check
from ..models import LIFPoisson, SpikeSourceArray
from ..network import MAX_NEURONS, MAX_POPULATIONS, Network
from .units import delay_in_ticks

MAX_GROUP_SIZE = 2**20


@dataclass(frozen=True)
class SynfireParams:
    n_groups: int = 10
    group_size: int = 100
    weight_mv: float = 0.2
    delay_ms: float = 1.0
    tau_m_ms: float = 10.0
    v_rest_mv: float = -70.0
    v_thresh_mv: float = -55.0
    tau_refrac_ms: float = 2.0
    pulse_time_ms: float = 10.0
    pulse_sigma_ms: float = 1.0
    noise_rate_hz: float = 500.0
    noise_mv: float = 0.9
    stimulus_seed: int = 0

    def __post_init__(self) -> None:
        check(self.n_groups >= 1, "n_groups", "be >= 1", self.n_groups)
        check(self.group_size >= 1, "group_size", "be >= 1", self.group_size)
        check(self.n_groups < MAX_POPULATIONS, "n_groups",
              f"be below {MAX_POPULATIONS:,} (the network's populations)", self.n_groups)
        check(self.group_size <= MAX_GROUP_SIZE, "group_size",
              f"be at most {MAX_GROUP_SIZE:,}: two all-to-all groups of more would need "
              f"over 10**12 synapses", self.group_size)
        check((self.n_groups + 1) * self.group_size <= MAX_NEURONS, "n_groups",
              f"keep (n_groups + 1) x group_size within {MAX_NEURONS:,} neurons",
              self.n_groups)
        check(self.v_thresh_mv > self.v_rest_mv, "v_thresh_mv",
              f"be above v_rest_mv ({self.v_rest_mv})", self.v_thresh_mv)
        check(self.pulse_time_ms >= 0, "pulse_time_ms", "be >= 0", self.pulse_time_ms)
        check(self.pulse_sigma_ms >= 0, "pulse_sigma_ms", "be >= 0", self.pulse_sigma_ms)
        check(self.noise_rate_hz >= 0, "noise_rate_hz", "be >= 0", self.noise_rate_hz)


def build_synfire(params: SynfireParams, timestep_ms: float) -> Network:
    """Population `stimulus` (the pulse packet) and `g0`, `g1`, ... (the chain)."""
    net = Network("synfire")
    rng = np.random.default_rng(params.stimulus_seed)
    times = params.pulse_time_ms + params.pulse_sigma_ms * rng.standard_normal(params.group_size)
    times = np.maximum(times, 0.0)
    pre = net.add_population("stimulus", params.group_size,
                             SpikeSourceArray(tuple((float(t),) for t in times)))
    model = LIFPoisson(tau_m_ms=params.tau_m_ms, v_rest_mv=params.v_rest_mv,
                       v_reset_mv=params.v_rest_mv, v_thresh_mv=params.v_thresh_mv,
                       tau_refrac_ms=params.tau_refrac_ms, drive_rate_hz=params.noise_rate_hz,
                       drive_weight=params.noise_mv)
    delay = delay_in_ticks(params.delay_ms, timestep_ms, "delay_ms")
    for k in range(params.n_groups):
        group = net.add_population(f"g{k}", params.group_size, model,
                                   {"v": params.v_rest_mv})
        net.connect(pre, group, AllToAll(), weight=params.weight_mv, delay_ticks=delay)
        pre = group
    return net
