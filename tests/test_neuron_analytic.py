"""Single neurons against closed-form solutions of their equations."""

import math

import numpy as np
import pytest

from networks import LIF, IFCurrExp, Network
from networks.models.if_curr_exp import if_curr_exp_step

from .helpers import run_serial

H = 0.1  # ms


def first_crossing_ms(v_start, v_inf, v_thresh, tau_m):
    """Time for v to relax from v_start towards v_inf and reach v_thresh."""
    return tau_m * math.log((v_inf - v_start) / (v_inf - v_thresh))


def analytic_spike_ticks(model, duration_ticks):
    """Spike ticks of a neuron driven by its constant offset current, from the exact solution.

    Tick t advances v to time (t + 1) h; after a spike the neuron is clamped for
    round(tau_refrac / h) ticks and then relaxes from v_reset.
    """
    v_inf = model.v_rest_mv + model.tau_m_ms / model.cm_nf * model.i_offset_na
    refractory = round(model.tau_refrac_ms / H)
    ticks, start, v0 = [], 0, model.v_rest_mv
    while True:
        steps = first_crossing_ms(v0, v_inf, model.v_thresh_mv, model.tau_m_ms) / H
        assert abs(steps - round(steps)) > 1e-6, "choose parameters away from a tick boundary"
        tick = start + math.ceil(steps) - 1
        if tick >= duration_ticks:
            return np.array(ticks)
        ticks.append(tick)
        start, v0 = tick + refractory + 1, model.v_reset_mv


@pytest.mark.parametrize("model_class", [IFCurrExp, LIF])
def test_constant_current_spike_times_match_the_exact_solution(model_class):
    model = model_class(tau_m_ms=12.5, cm_nf=0.25, v_rest_mv=-65.0, v_reset_mv=-70.0,
                        v_thresh_mv=-52.0, tau_refrac_ms=2.0, i_offset_na=0.37)
    net = Network()
    net.add_population("cell", 1, model)
    result = run_serial(net, duration_ms=300.0)
    times, ids = result.spikes("cell")
    expected = analytic_spike_ticks(model, 3000)
    assert len(expected) > 5
    np.testing.assert_array_equal(times, expected)
    assert np.all(ids == 0)


def test_current_below_rheobase_never_fires():
    model = IFCurrExp(tau_m_ms=10.0, cm_nf=1.0, v_rest_mv=-65.0, v_thresh_mv=-50.0,
                      i_offset_na=1.49)  # v_inf = -50.1 mV, just under threshold
    net = Network()
    net.add_population("cell", 1, model)
    times, _ = run_serial(net, duration_ms=500.0).spikes("cell")
    assert len(times) == 0


@pytest.mark.parametrize("tau_syn", [5.0, 20.0, 20.0 + 1e-9])
def test_postsynaptic_potential_matches_the_analytic_curve(tau_syn):
    """A current step w at time 0 decaying with tau_syn moves v by
    w/cm * tau_s tau_m / (tau_s - tau_m) * (exp(-t/tau_s) - exp(-t/tau_m)) (t exp(-t/tau)/cm
    when the time constants are equal); the kernel adds input at the end of its tick, so the
    curve starts one tick later."""
    tau_m, cm, w = 20.0, 0.5, 0.8
    model = IFCurrExp(tau_m_ms=tau_m, cm_nf=cm, v_rest_mv=-70.0, v_reset_mv=-80.0,
                      v_thresh_mv=0.0, tau_syn_e_ms=tau_syn)
    params = model.propagators(H)[None, :]
    v, i_exc, i_inh = np.array([-70.0]), np.zeros(1), np.zeros(1)
    refractory, spiked = np.zeros(1, np.int32), np.empty(1, np.int32)
    fired = np.zeros(1, np.bool_)
    bounds, rows = np.array([0, 1], np.int64), np.zeros(1, np.int64)
    trace = []
    for tick in range(400):
        synaptic_input = np.array([[w if tick == 0 else 0.0], [0.0]])  # [receptors, neurons]
        if_curr_exp_step(v, i_exc, i_inh, refractory, bounds, rows, params,
                         synaptic_input, fired, spiked)
        trace.append(v[0])
    t = np.arange(1, 400) * H  # time since the current appeared, at the end of ticks 1..
    if abs(tau_syn - tau_m) < 1e-6:
        expected = w / cm * t * np.exp(-t / tau_m)
    else:
        expected = (w / cm * tau_syn * tau_m / (tau_syn - tau_m)
                    * (np.exp(-t / tau_syn) - np.exp(-t / tau_m)))
    np.testing.assert_allclose(np.array(trace[1:]) + 70.0, expected, rtol=1e-7, atol=1e-12)
    assert trace[0] == -70.0
