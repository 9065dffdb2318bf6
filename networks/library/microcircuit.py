"""Potjans-Diesmann cortical microcircuit: 77,169 neurons in eight populations at scale 1.

Potjans and Diesmann, Cereb. Cortex 24:785 (2014), with the parameters of NEST's PyNEST
microcircuit example: current-based LIF with exponential synapses (C 250 pF, tau_m 10 ms,
tau_syn 0.5 ms, refractory 2 ms, rest and reset -65 mV, threshold -50 mV), a PSP of 0.15 mV
(87.8 pA; L4E -> L2/3E doubled), inhibition g = -4 times stronger, delays normal (1.5 +- 0.75 ms
excitatory, 0.75 +- 0.375 ms inhibitory, at least one tick), weights normal with 10 % spread,
and Poisson background of 8 Hz through K_ext inputs per neuron (drawn on the neuron's core,
`IFCurrExpPoisson`, so it sends no packets). In-degrees come from the published connection
probabilities (K = ln(1 - p) / ln(1 - 1 / (N_pre N_post)) / N_post), each pair connected with
probability K / N_pre, so in-degrees vary binomially as with the original fixed total number.

`scale` multiplies the population sizes and keeps the in-degrees. `k_scale` multiplies the
in-degrees (the usual way to make a small model cheap): weights then grow by 1 / sqrt(k_scale)
and a DC current makes up the mean input lost, computed from the published full-scale rates,
as the PyNEST example does.
"""

from dataclasses import dataclass

import numpy as np

from ..connectors import FixedProbability
from ..distributions import Normal
from ..errors import check
from ..models import IFCurrExpPoisson
from ..network import Network

POPULATIONS = ("L23E", "L23I", "L4E", "L4I", "L5E", "L5I", "L6E", "L6I")
FULL_SIZES = np.array([20683, 5834, 21915, 5479, 4850, 1065, 14395, 2948])
# connection probability, target (row) from source (column)
CONNECTION_PROBABILITY = np.array([
    [0.1009, 0.1689, 0.0437, 0.0818, 0.0323, 0.0, 0.0076, 0.0],
    [0.1346, 0.1371, 0.0316, 0.0515, 0.0755, 0.0, 0.0042, 0.0],
    [0.0077, 0.0059, 0.0497, 0.1350, 0.0067, 0.0003, 0.0453, 0.0],
    [0.0691, 0.0029, 0.0794, 0.1597, 0.0033, 0.0, 0.1057, 0.0],
    [0.1004, 0.0622, 0.0505, 0.0057, 0.0831, 0.3726, 0.0204, 0.0],
    [0.0548, 0.0269, 0.0257, 0.0022, 0.0600, 0.3158, 0.0086, 0.0],
    [0.0156, 0.0066, 0.0211, 0.0166, 0.0572, 0.0197, 0.0396, 0.2252],
    [0.0364, 0.0010, 0.0034, 0.0005, 0.0277, 0.0080, 0.0658, 0.1443]])
K_EXTERNAL = np.array([1600, 1500, 2100, 1900, 2000, 1900, 2900, 2100])
# published full-scale rates (Hz), used for the DC compensation of reduced in-degrees
REFERENCE_RATES_HZ = np.array([0.90, 2.97, 4.41, 5.88, 7.57, 8.63, 1.10, 7.83])

CM_NF, TAU_M_MS, TAU_SYN_MS = 0.25, 10.0, 0.5


@dataclass(frozen=True)
class MicrocircuitParams:
    scale: float = 1.0
    k_scale: float = 1.0
    background_rate_hz: float = 8.0
    psp_mv: float = 0.15
    g: float = -4.0
    l4e_to_l23e_factor: float = 2.0
    delay_exc_ms: float = 1.5
    delay_inh_ms: float = 0.75
    delay_spread: float = 0.5
    weight_spread: float = 0.1
    v_init_mean_mv: float = -58.0
    v_init_std_mv: float = 10.0

    def __post_init__(self) -> None:
        check(0 < self.scale <= 1, "scale", "be in (0, 1]", self.scale)
        check(0 < self.k_scale <= 1, "k_scale", "be in (0, 1]", self.k_scale)
        check(self.background_rate_hz >= 0, "background_rate_hz", "be >= 0",
              self.background_rate_hz)
        check(self.g < 0, "g", "be negative (inhibition)", self.g)
        for field in ("delay_exc_ms", "delay_inh_ms"):
            check(getattr(self, field) > 0, field, "be > 0", getattr(self, field))
        for field in ("delay_spread", "weight_spread"):
            check(getattr(self, field) >= 0, field, "be >= 0", getattr(self, field))

    @property
    def sizes(self) -> np.ndarray:
        return np.maximum(1, np.round(FULL_SIZES * self.scale)).astype(int)


def full_in_degrees() -> np.ndarray:
    """In-degree of each (target, source) pair in the full model, from the probabilities."""
    pairs = np.outer(FULL_SIZES, FULL_SIZES).astype(float)
    total = np.log(1.0 - CONNECTION_PROBABILITY) / np.log(1.0 - 1.0 / pairs)
    return total / FULL_SIZES[:, None]


def psc_matrix_na(params: MicrocircuitParams) -> np.ndarray:
    """Mean synaptic current (nA) of each (target, source) pair at full in-degree."""
    w = psp_to_psc_na(params.psp_mv)
    matrix = np.tile([w, params.g * w] * 4, (8, 1))
    matrix[0, 2] *= params.l4e_to_l23e_factor
    return matrix


def psp_to_psc_na(psp_mv: float) -> float:
    """The current amplitude (nA) whose PSP peaks at `psp_mv` (exponential current, LIF), as
    PyNEST's `postsynaptic_potential_to_current`."""
    tau_m, tau_s = TAU_M_MS, TAU_SYN_MS
    sub = 1.0 / (tau_s - tau_m)
    pre = tau_m * tau_s / CM_NF * sub
    frac = (tau_m / tau_s) ** sub
    return psp_mv / (pre * (frac ** tau_m - frac ** tau_s))


def dc_compensation_na(params: MicrocircuitParams) -> np.ndarray:
    """Constant current per population that restores the mean input removed by k_scale."""
    k_full = full_in_degrees()
    w = psc_matrix_na(params)
    recurrent = (w * k_full * REFERENCE_RATES_HZ[None, :]).sum(axis=1)
    external = psp_to_psc_na(params.psp_mv) * K_EXTERNAL * params.background_rate_hz
    return 1e-3 * TAU_SYN_MS * (1 - np.sqrt(params.k_scale)) * (recurrent + external)


def build_microcircuit(params: MicrocircuitParams, timestep_ms: float) -> Network:
    """Populations L23E ... L6I."""
    net = Network("microcircuit")
    sizes = params.sizes
    dc = dc_compensation_na(params)
    w_scale = 1.0 / np.sqrt(params.k_scale)
    w_ext = psp_to_psc_na(params.psp_mv) * w_scale
    pops = []
    for k, name in enumerate(POPULATIONS):
        k_ext = max(1, round(K_EXTERNAL[k] * params.k_scale))
        model = IFCurrExpPoisson(
            tau_m_ms=TAU_M_MS, cm_nf=CM_NF, v_rest_mv=-65.0, v_reset_mv=-65.0,
            v_thresh_mv=-50.0, tau_refrac_ms=2.0, tau_syn_e_ms=TAU_SYN_MS,
            tau_syn_i_ms=TAU_SYN_MS, i_offset_na=float(dc[k]),
            drive_rate_hz=params.background_rate_hz * k_ext, drive_weight=w_ext)
        pops.append(net.add_population(
            name, int(sizes[k]), model,
            {"v": Normal(params.v_init_mean_mv, params.v_init_std_mv)}))
    in_degree = np.round(full_in_degrees() * params.k_scale).astype(int)
    w = psc_matrix_na(params) * w_scale
    for target, post in enumerate(pops):
        for source, pre in enumerate(pops):
            k = min(int(in_degree[target, source]), pre.size)
            if k == 0:
                continue
            excitatory = source % 2 == 0
            mean = w[target, source]
            spread = abs(mean) * params.weight_spread
            weight = (Normal(mean, spread, low=0.0) if excitatory
                      else Normal(mean, spread, high=0.0))
            delay_ms = params.delay_exc_ms if excitatory else params.delay_inh_ms
            # bounded above too (10 standard deviations), so that memory estimates size the
            # input rings by the longest delay that can occur
            mean_ticks = delay_ms / timestep_ms
            sd_ticks = mean_ticks * params.delay_spread
            delay = Normal(mean_ticks, sd_ticks, low=1.0, high=mean_ticks + 10 * sd_ticks + 1)
            net.connect(pre, post, FixedProbability(k / pre.size), weight=weight,
                        delay_ticks=delay,
                        receptor="excitatory" if excitatory else "inhibitory")
    return net
