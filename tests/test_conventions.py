"""One test per statement of docs/conventions.md: neurochip against the Brian2 and NEST
traces that benchmarks/conventions.py stored (benchmarks/results/conventions_*.json, each
peer run in its own venv on the cases of benchmarks/conventions_cases.py)."""

import functools
import json
import warnings

import numpy as np
import pytest

import chips
from benchmarks.conventions_cases import CASES, DT_MS, SOURCE_DURATION_TICKS, SOURCE_TIMES_MS
from networks import (LIF, AllToAll, IFCurrExp, Network, NetworkError, SpikeSourceArray,
                      SpikeSourcePoisson)
from networks.library import LIBRARY
from networks.models import LIFPoisson, SpikeSourceEvents, nir_model
from networks.models.poisson_driven import PoissonDrive
from networks.timing import TimingWarning

from .helpers import REPO, reproducible, run_serial

RESULTS = REPO / "benchmarks" / "results"
TRACE_ATOL = 1e-9  # mV (NIR: dimensionless); the peers agree with each other to 3e-13


@functools.cache
def stored(peer: str) -> dict:
    record = json.loads((RESULTS / f"conventions_{peer}.json").read_text())
    assert record["figures"]["dt_ms"] == DT_MS
    return record["figures"]


def cell_model(case: dict):
    p = dict(case["params"])
    if case["model"] == "lif":
        return LIF(**p)
    if case["model"] == "if_curr_exp":
        return IFCurrExp(**p)
    kind, reset = p.pop("kind"), p.pop("reset")
    return nir_model(kind, 1, reset=reset, **p)


def build(case: dict) -> Network:
    """The cell and one spike-array source per input, as the peer scripts build them."""
    net = Network()
    cell = net.add_population("cell", 1, cell_model(case), record=["v"])
    for k, spec in enumerate(case["inputs"]):
        times = tuple(t * DT_MS for t in spec["ticks"])
        source = net.add_population(f"in{k}", 1, SpikeSourceArray((times,)))
        receptor = "input" if case["model"] == "nir" else \
            "excitatory" if spec["weight"] > 0 else "inhibitory"
        net.connect(source, cell, AllToAll(), weight=spec["weight"],
                    delay_ticks=spec["delay_ticks"], receptor=receptor)
    return net


def simulate_case(name: str, fidelity: str = "functional"):
    case = CASES[name]
    return run_serial(build(case), chips.spinnaker2(1, 1), neurons_per_core=1,
                      duration_ms=case["duration_ticks"] * DT_MS, fidelity=fidelity)


@functools.cache
def neurochip(name: str):
    """(v at the end of every tick, ticks the cell fired in) of a case."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TimingWarning)
        result = simulate_case(name)
    return result.datasets["state/cell/v"][:, 0], result.spikes("cell")[0]


def assert_same_as(peer: str, name: str) -> None:
    v, spikes = neurochip(name)
    reference = stored(peer)["cases"][name]
    assert len(reference["spike_ticks"]) >= 3, "the case must make the cell fire"
    np.testing.assert_array_equal(spikes, reference["spike_ticks"])
    np.testing.assert_allclose(v, reference["v"], rtol=0, atol=TRACE_ATOL)


# -- order of operations within a tick, per model ------------------------------------------

def test_lif_tick_is_nest_iaf_psc_delta():
    """Leak and offset, then the inputs of the tick, then the threshold (v >= v_thresh),
    reset and refractory count: NEST's iaf_psc_delta step by step."""
    assert_same_as("nest", "lif")


def test_lif_tick_is_brian2_with_synapses_before_thresholds():
    """Brian2: exact integration, synapses scheduled before thresholds with delay
    (d - 1) dt, refractory (R + 1) dt, input while refractory discarded."""
    assert_same_as("brian2", "lif")


def test_if_curr_exp_tick_is_nest_iaf_psc_exp():
    """v moves with the currents at the start of the tick; the tick's inputs join the
    currents at its end and move v from the next tick: NEST's iaf_psc_exp."""
    assert_same_as("nest", "if_curr_exp")


def test_if_curr_exp_tick_is_brian2_default_schedule():
    """Brian2: the default schedule (synapses after thresholds) with delay d dt."""
    assert_same_as("brian2", "if_curr_exp")


@pytest.mark.parametrize("name", ["nir_lif", "nir_cubalif"])
def test_nir_node_tick_is_its_discrete_update_in_brian2(name):
    """S = inputs + bias, then I, then v from the new I, then v > v_threshold and the
    reset (to v_reset, or by subtraction): the same update written as Brian2 code."""
    assert_same_as("brian2", name)


# -- delays --------------------------------------------------------------------------------

@pytest.mark.parametrize("model,first_moved", [(LIF(), 0), (IFCurrExp(), 1)])
def test_a_delay_of_d_ticks_delivers_in_tick_t_plus_d(model, first_moved):
    """A spike in tick t reaches its target's input of tick t + d: a delta synapse moves v
    in that tick, an exponential current from the next one."""
    net = Network()
    source = net.add_population("src", 1, SpikeSourceArray(((1.0,),)))
    cell = net.add_population("cell", 1, model, record=["v"])
    net.connect(source, cell, AllToAll(), weight=1.0, delay_ticks=4)
    v = run_serial(net, chips.spinnaker2(1, 1), duration_ms=3.0,
                   fidelity="functional").datasets["state/cell/v"][:, 0]
    moved = np.flatnonzero(v != model.v_rest_mv)
    assert moved[0] == 10 + 4 + first_moved
    # the same delays (1, 2 and 3 ticks) give the peers' traces
    assert {s["delay_ticks"] for s in CASES["lif"]["inputs"]} == {1, 2, 3}


def test_delays_that_are_not_whole_ticks_are_refused():
    with pytest.raises(NetworkError, match=r"delay_ms must be a whole number of timesteps"):
        LIBRARY["cuba"].build(LIBRARY["cuba"].params(delay_ms=0.15), DT_MS)
    net = Network()
    a = net.add_population("a", 1, SpikeSourceArray(((0.0,),)))
    b = net.add_population("b", 1, LIF())
    with pytest.raises(NetworkError, match=r"delay_ticks must be a whole number of ticks"):
        net.connect(a, b, AllToAll(), weight=1.0, delay_ticks=1.5)


# -- refractoriness and reset --------------------------------------------------------------

@pytest.mark.parametrize("name", ["lif", "if_curr_exp"])
def test_refractory_r_ticks_hold_v_at_reset_for_r_ticks_after_the_spike_tick(name):
    """v is v_reset at the end of the spike tick and of the R ticks after it (NEST's t_ref
    = R h, Brian2's refractory = (R + 1) dt), then integrates again."""
    case = CASES[name]
    ticks = round(case["params"]["tau_refrac_ms"] / DT_MS)
    v_reset = case["params"]["v_reset_mv"]
    v, spikes = neurochip(name)
    for peer_v in (v, stored("nest")["cases"][name]["v"], stored("brian2")["cases"][name]["v"]):
        peer_v = np.asarray(peer_v)
        for s in spikes:
            assert np.all(peer_v[s:s + ticks + 1] == v_reset)
            assert peer_v[s + ticks + 1] != v_reset


def test_refractory_time_off_the_grid_is_rounded_up_as_nest_does_with_a_warning():
    """0.25 ms at 0.1 ms ticks lasts 3 ticks, as NEST's t_ref = 0.25 does; a warning says so."""
    net = build(CASES["lif_refractory_off_grid"])
    with pytest.warns(TimingWarning, match=r"population cell: lif.tau_refrac_ms 0.25 ms is not "
                                           r"a whole number of timesteps \(0.1 ms\); it is "
                                           r"rounded up to 3 ticks \(0.3 ms\)"):
        run_serial(net, chips.spinnaker2(1, 1), duration_ms=1.0, fidelity="functional")
    assert_same_as("nest", "lif_refractory_off_grid")


def test_whole_tick_times_warn_nothing():
    with warnings.catch_warnings():
        warnings.simplefilter("error", TimingWarning)
        simulate_case("lif")


# -- input timing --------------------------------------------------------------------------

def source_ticks(times_ms, model_class=SpikeSourceArray):
    net = Network()
    n = len(times_ms)
    model = SpikeSourceArray(tuple((t,) for t in times_ms)) if model_class is SpikeSourceArray \
        else SpikeSourceEvents(n, np.asarray(times_ms), np.arange(n))
    net.add_population("src", n, model)
    with pytest.warns(TimingWarning, match=r"6 of 11 spike times are not whole timesteps "
                                           r"\(0.1 ms\); each fires in the tick that contains "
                                           r"it \(moved earlier by up to 0.09 ms\)"):
        result = run_serial(net, chips.spinnaker2(1, 1), duration_ms=
                            SOURCE_DURATION_TICKS * DT_MS, fidelity="functional")
    ticks, ids = result.spikes("src")
    return ticks[np.argsort(ids, kind="stable")]


@pytest.mark.parametrize("model_class", [SpikeSourceArray, SpikeSourceEvents])
def test_a_spike_time_falls_in_the_tick_that_contains_it_as_in_brian2(model_class):
    """Tick k holds times [k h, (k + 1) h): Brian2's SpikeGeneratorGroup, time for time.
    NEST stamps a spike at the end of its step, so it wants (k + 1) h, and rounds an
    off-grid time up: one tick later than here for those times."""
    ticks = source_ticks(SOURCE_TIMES_MS, model_class)
    np.testing.assert_array_equal(ticks, stored("brian2")["source_ticks"])
    whole = np.isclose(np.asarray(SOURCE_TIMES_MS) / DT_MS,
                       np.rint(np.asarray(SOURCE_TIMES_MS) / DT_MS))
    np.testing.assert_array_equal(np.asarray(stored("nest")["source_ticks"]),
                                  ticks + ~whole)


def repeated_input_network(source_model) -> Network:
    net = Network()
    source = net.add_population("src", 2, source_model)
    cell = net.add_population("cell", 1, LIF(tau_m_ms=10.0, v_thresh_mv=0.0), record=["v"])
    net.connect(source, cell, AllToAll(), weight=1.0, delay_ticks=2)
    return net


@pytest.mark.parametrize("source_model", [
    SpikeSourceArray(((0.5, 0.5, 0.5), (0.5,))),
    SpikeSourceEvents(2, np.array([0.5, 0.5, 0.5, 0.5]), np.array([0, 0, 1, 0]))])
def test_repeated_spikes_of_a_neuron_in_a_tick_count_as_repeated_inputs(source_model):
    """Neuron 0 fires three times in tick 5 and neuron 1 once: four packets, four weights,
    at every fidelity (NEST's spike_generator does the same with a time listed twice)."""
    results = {fidelity: run_serial(repeated_input_network(source_model), chips.spinnaker2(1, 1),
                                    neurons_per_core=1, duration_ms=1.0, fidelity=fidelity)
               for fidelity in ("functional", "timed", "packet")}
    for fidelity, result in results.items():
        ticks, ids = result.spikes("src")
        np.testing.assert_array_equal(ticks, [5, 5, 5, 5])
        np.testing.assert_array_equal(ids, [0, 0, 0, 1])
        v = result.datasets["state/cell/v"][:, 0]
        assert v[7] - v[6] == pytest.approx(4.0 + (v[6] + 65.0) * (np.exp(-0.01) - 1), abs=1e-9)
        assert result.datasets["traffic/router_packets"].sum() == 4, fidelity
    assert results["timed"].datasets["cores/packets"].sum() == 4
    timed, packet = (reproducible(results[f].datasets) for f in ("timed", "packet"))
    assert timed.keys() == packet.keys()
    for name in timed:
        np.testing.assert_array_equal(timed[name], packet[name], err_msg=name)


def test_repeated_spike_times_match_nest_spike_generator():
    """The `lif` case repeats ticks 20 and 80 of one input; NEST's trace (two spikes from a
    time listed twice) is neurochip's."""
    repeats = CASES["lif"]["inputs"][1]["ticks"]
    assert repeats.count(20) == 2 and repeats.count(80) == 2
    assert_same_as("nest", "lif")


def test_poisson_source_fires_at_most_once_a_tick_with_probability_rate_times_dt():
    """Brian2's PoissonGroup: one Bernoulli draw a tick, p = rate x dt."""
    net = Network()
    net.add_population("src", 400, SpikeSourcePoisson(rate_hz=2000.0))
    ticks, ids = run_serial(net, chips.spinnaker2(1, 1), duration_ms=50.0,
                            fidelity="functional").spikes("src")
    pairs = ticks * 400 + ids
    assert len(np.unique(pairs)) == len(pairs)
    p, trials = 2000.0 * DT_MS * 1e-3, 400 * 500
    assert abs(len(ticks) - p * trials) < 4 * np.sqrt(trials * p * (1 - p))


@pytest.mark.parametrize("model", [
    LIFPoisson(tau_m_ms=10.0, v_thresh_mv=100.0, drive_rate_hz=3000.0, drive_weight=0.5)])
def test_the_poisson_drive_of_a_tick_acts_in_that_tick(model):
    """The built-in drive's count k of tick t adds k x weight to the input of tick t, as an
    input spike arriving for that tick (Brian2's PoissonInput before the thresholds)."""
    net = Network()
    net.add_population("cell", 1, model, record=["v"])
    result = run_serial(net, chips.spinnaker2(1, 1), duration_ms=20.0, fidelity="functional")
    v = result.datasets["state/cell/v"][:, 0]
    from networks.models.base import Members
    drive = PoissonDrive([Members(model, 0, 0, 1, {})], DT_MS, 3)  # run_serial's seed
    counts = []
    for tick in range(len(v)):
        row = np.zeros(1)
        drive.add(tick, row)
        counts.append(row[0])
    decay = np.exp(-DT_MS / model.tau_m_ms)
    expected, previous = [], model.v_rest_mv
    for added in counts:
        previous = model.v_rest_mv + (previous - model.v_rest_mv) * decay + added
        expected.append(previous)
    assert sum(c > 0 for c in counts) > 20
    np.testing.assert_allclose(v, expected, rtol=0, atol=1e-9)
