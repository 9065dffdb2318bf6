"""A small random current-based network against an independent NumPy simulation.

The reference below knows nothing of slices, cores, keys or rings: it holds dense weight
matrices per delay and integrates the IF_curr_exp equations with its own propagators. The
weights are multiples of 1/64, so every sum is exact and the summation order cannot matter.
"""

import numpy as np
import pytest

import chips
from networks import (AllToAll, FixedInDegree, FixedProbability, FromList, IFCurrExp,
                      Network, SpikeSourceArray, Uniform, synapses)

from .helpers import run_serial

H = 0.1
TICKS = 2000


def build(seed: int):
    rng = np.random.default_rng(seed)
    net = Network("reference")
    times = [tuple(np.sort(rng.choice(TICKS, size=rng.integers(5, 40), replace=False)) * H)
             for _ in range(30)]
    stim = net.add_population("stim", 30, SpikeSourceArray(tuple(times)))
    exc = net.add_population("exc", 48, IFCurrExp(
        tau_m_ms=15.0, cm_nf=0.5, v_rest_mv=-60.0, v_reset_mv=-62.0, v_thresh_mv=-50.0,
        tau_refrac_ms=2.0, tau_syn_e_ms=4.0, tau_syn_i_ms=8.0, i_offset_na=0.25),
        initial={"v": Uniform(-62.0, -52.0)})
    inh = net.add_population("inh", 17, IFCurrExp(
        tau_m_ms=8.0, cm_nf=0.25, v_rest_mv=-58.0, v_reset_mv=-60.0, v_thresh_mv=-51.0,
        tau_refrac_ms=1.0, tau_syn_e_ms=2.0, tau_syn_i_ms=6.0))
    net.connect(stim, exc, FixedProbability(0.3), weight=48 / 64, delay_ticks=1)
    net.connect(stim, inh, FixedInDegree(4), weight=20 / 64, delay_ticks=2)
    net.connect(exc, exc, FixedProbability(0.15, allow_self_connections=False),
                weight=14 / 64, delay_ticks=Uniform(1, 5))
    net.connect(exc, inh, AllToAll(), weight=3 / 64, delay_ticks=3)
    net.connect(inh, exc, FixedProbability(0.4), weight=-40 / 64, delay_ticks=1,
                receptor="inhibitory")
    pre = rng.integers(0, 17, 30)
    post = rng.integers(0, 17, 30)
    net.connect(inh, inh, FromList(pre, post, -rng.integers(1, 30, 30) / 64,
                                   rng.integers(1, 6, 30)), receptor="inhibitory")
    return net


def propagators(model):
    """The exact one-tick propagators of IF_curr_exp, written out from the textbook formula."""
    tm, cm = model.tau_m_ms, model.cm_nf
    p22 = np.exp(-H / tm)
    out = {"p22": p22, "p20": tm / cm * (1 - p22) * model.i_offset_na}
    for name, ts in (("e", model.tau_syn_e_ms), ("i", model.tau_syn_i_ms)):
        p11 = np.exp(-H / ts)
        out["p11" + name] = p11
        out["p21" + name] = ts * tm / (ts - tm) * (p11 - p22) / cm
    return out


def reference_spikes(net, seed):
    """Spike trains of every population from a dense, tick-by-tick NumPy simulation."""
    sizes = [p.size for p in net.populations]
    offset = np.cumsum([0] + sizes)
    n = offset[-1]
    max_delay = 8
    weights = np.zeros((max_delay + 1, 2, n, n))  # [delay, receptor, post, pre]
    for proj in net.projections:
        syn = synapses(proj, seed)
        receptor = proj.post.model.receptors.index(proj.receptor)
        np.add.at(weights, (syn.delay_ticks, receptor, offset[proj.post.index] + syn.post,
                            offset[proj.pre.index] + syn.pre), syn.weight.astype(np.float64))
    neurons = [p for p in net.populations if not p.is_source]
    state = {}
    for p in neurons:
        from networks.distributions import draw
        from networks import rng
        v0 = draw(p.initial.get("v", p.model.v_rest_mv), seed,
                  rng.stream(rng.INITIAL_VALUE, p.index, 0), np.arange(p.size))
        state[p.name] = dict(v=v0, ie=np.zeros(p.size), ii=np.zeros(p.size),
                             ref=np.zeros(p.size, dtype=int), prop=propagators(p.model))
    source_ticks = {}
    for p in net.populations:
        if p.is_source:
            source_ticks[p.name] = [np.rint(np.array(t) / H).astype(int)
                                    for t in p.model.spike_times_ms]
    pending = np.zeros((TICKS + max_delay + 1, 2, n))
    spikes = {p.name: [] for p in net.populations}
    for tick in range(TICKS):
        fired = np.zeros(n, dtype=bool)
        for p in net.populations:
            lo, hi = offset[p.index], offset[p.index + 1]
            if p.is_source:
                fired[lo:hi] = [tick in set(t) for t in source_ticks[p.name]]
                continue
            s, m = state[p.name], p.model
            pr = s["prop"]
            free = s["ref"] == 0
            v_new = (m.v_rest_mv + (s["v"] - m.v_rest_mv) * pr["p22"] + pr["p21e"] * s["ie"]
                     + pr["p21i"] * s["ii"] + pr["p20"])
            s["v"] = np.where(free, v_new, s["v"])
            s["ref"] = np.where(free, 0, s["ref"] - 1)
            s["ie"] = s["ie"] * pr["p11e"] + pending[tick, 0, lo:hi]
            s["ii"] = s["ii"] * pr["p11i"] + pending[tick, 1, lo:hi]
            up = s["v"] >= m.v_thresh_mv
            s["v"] = np.where(up, m.v_reset_mv, s["v"])
            s["ref"] = np.where(up, round(m.tau_refrac_ms / H), s["ref"])
            fired[lo:hi] = up
        for d in range(1, max_delay + 1):
            pending[tick + d] += weights[d] @ fired
        for p in net.populations:
            for i in np.flatnonzero(fired[offset[p.index]:offset[p.index + 1]]):
                spikes[p.name].append((tick, i))
    return {k: np.array(v, dtype=np.int64).reshape(-1, 2) for k, v in spikes.items()}


@pytest.mark.parametrize("seed", [1, 2])
def test_spikes_equal_an_independent_numpy_simulation(seed):
    net = build(seed)
    result = run_serial(net, chips.spinnaker2(2, 2), neurons_per_core=7,
                        duration_ms=TICKS * H, seed=seed)
    expected = reference_spikes(net, seed)
    assert len(expected["exc"]) > 50 and len(expected["inh"]) > 20, "network too quiet"
    for pop in ("stim", "exc", "inh"):
        times, ids = result.spikes(pop)
        np.testing.assert_array_equal(np.stack([times, ids], axis=1), expected[pop],
                                      err_msg=f"population {pop}")
