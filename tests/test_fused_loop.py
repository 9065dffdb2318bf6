"""The compiled tick loop against the tick written out in NumPy, and the loop's cache.

The reference steps each model group from Python (`ModelGroup.step`, the kernel on its own),
gathers the events in global id order, adds each synaptic row into the input ring with
`np.add.at` (which sums in index order, as one core would) and counts one packet on every
link and router of the event's tree: the same results, bit for bit, must come out of the
fused loop of neurons, recording, counting and delivery.
"""

import numpy as np
import pytest
from numba import njit
from numba.core.errors import NumbaError

import chips
from networks import (LIF, FixedProbability, IFCurrExp, Network, SpikeSourceArray,
                      SpikeSourcePoisson, Uniform)
from networks.models import GradedSequenceSource, LIFPoisson
from networks.models.lif import LIFGroup, lif_kernel
from networks.rng import hash_prefixes, uniform, uniform_after
from simulator import MappingOptions, RunOptions, map_network
from simulator.distribution import SerialComm
from simulator.engine import fused
from simulator.engine.kernel import RankSimulation

from .helpers import run_serial

TICKS = 600
SERIAL = fused.DELIVER | fused.COUNT


def mixed_network() -> Network:
    """Five model classes, delays of one to five ticks, graded events and enough spikes
    (about 60 a tick) that the recording has to grow during the run."""
    net = Network("mixed")
    noise = net.add_population("noise", 120, SpikeSourcePoisson(rate_hz=4000.0))
    times = tuple(tuple(float(t) for t in np.arange(k % 7, TICKS, 11 + k % 5) * 0.1)
                  for k in range(10))
    array = net.add_population("array", 10, SpikeSourceArray(times))
    values = np.zeros((9, 6))
    values[np.arange(9) % 3 == 0, :] = np.linspace(0.25, 1.5, 6)
    graded = net.add_population("graded", 6, GradedSequenceSource(values))
    lif = net.add_population("lif", 40, LIF(tau_m_ms=10.0, tau_refrac_ms=1.0),
                             initial={"v": Uniform(-65.0, -51.0)}, record=["v"])
    cur = net.add_population("cur", 30, IFCurrExp(tau_syn_e_ms=2.0, tau_refrac_ms=0.5),
                             record=["v", "i_exc"])
    driven = net.add_population("driven", 20, LIFPoisson(drive_rate_hz=9000.0,
                                                         drive_weight=0.7))
    net.connect(noise, lif, FixedProbability(0.1), weight=1.3, delay_ticks=Uniform(1, 5))
    net.connect(array, cur, FixedProbability(0.5), weight=2.1, delay_ticks=2)
    net.connect(graded, cur, FixedProbability(0.6), weight=0.9, delay_ticks=3)
    net.connect(lif, cur, FixedProbability(0.2), weight=1.7, delay_ticks=1)
    net.connect(cur, lif, FixedProbability(0.3), weight=-2.5, delay_ticks=4,
                receptor="inhibitory")
    net.connect(driven, lif, FixedProbability(0.25), weight=0.8, delay_ticks=1)
    net.connect(array, driven, FixedProbability(0.5), weight=3.0, delay_ticks=Uniform(1, 3))
    return net


def simulation(net: Network) -> RankSimulation:
    run = RunOptions(duration_ms=TICKS * 0.1, timestep_ms=0.1, seed=5, fidelity="functional",
                     traffic_window_ms=10.0)
    mapping = map_network(net, chips.spinnaker2(2, 2), MappingOptions(16, "spread"), run.seed)
    return RankSimulation(net, mapping, run, SerialComm())


def numpy_run(sim: RankSimulation, mapping_routes):
    """The run of `sim` written out tick by tick in NumPy (module docstring)."""
    layout, m, fabric = sim.layout, sim.matrix, sim.fabric
    ring = sim.ring
    depth = ring.shape[0]
    routes = mapping_routes
    spikes, traces = [], {k: [] for k in range(len(sim.probes))}
    link_packets = np.zeros_like(fabric.link_packets)
    router_packets = np.zeros_like(fabric.router_packets)
    population_links = np.zeros_like(fabric.population_link_packets)
    for tick in range(TICKS):
        slot = tick % depth
        events = []
        for group, lay in zip(sim.groups, layout.groups):
            inputs = ring[slot, lay.inputs].reshape(lay.receptors, lay.size)
            spiked = np.empty(group.max_events_per_tick, np.int32)
            payload = np.ones(group.max_events_per_tick)
            n = group.step(tick, inputs, spiked, payload)
            local = lay.first_neuron + spiked[:n].astype(np.int64)
            value = payload[:n] if lay.model_class.graded else np.ones(n)
            events += zip(layout.global_id[local], value, sim.local_slice[local])
        ring[slot] = 0.0
        for k, (probe, source) in enumerate(zip(sim.probes, sim.probe_sources)):
            traces[k].append(source.copy())
        events.sort(key=lambda event: event[0])
        window = tick // sim.run_options.window_ticks
        for gid, value, s in events:
            spikes.append((tick, gid))
            row = slice(m.row_ptr[gid], m.row_ptr[gid + 1])
            np.add.at(ring, ((tick + m.delay_ticks[row].astype(np.int64)) % depth,
                             m.target[row]), m.weight[row].astype(np.float64) * value)
            np.add.at(link_packets[window], routes.links[routes.link_ptr[s]:
                                                         routes.link_ptr[s + 1]], 1)
            np.add.at(router_packets[window], routes.routers[routes.router_ptr[s]:
                                                             routes.router_ptr[s + 1]], 1)
            np.add.at(population_links[window, fabric.slice_population[s]],
                      routes.links[routes.link_ptr[s]:routes.link_ptr[s + 1]], 1)
    return (np.array(spikes, dtype=np.int64).reshape(-1, 2),
            [np.array(traces[k]) for k in traces], link_packets, router_packets,
            population_links)


def test_the_compiled_loop_matches_the_tick_written_out_in_numpy():
    net = mixed_network()
    sim = simulation(net)
    sim.run()
    ticks, ids = sim.recorder.arrays()
    reference = simulation(net)
    spikes, traces, link_packets, router_packets, population_links = numpy_run(
        reference, reference.fabric.routes)
    assert len(spikes) > 20_000  # the recording grew during the run
    assert len({int(t) for t in spikes[:, 0]}) > TICKS // 2
    np.testing.assert_array_equal(np.stack([ticks, ids], axis=1), spikes)
    for probe, trace in zip(sim.probes, traces):
        np.testing.assert_array_equal(probe.values, trace)
    np.testing.assert_array_equal(sim.fabric.link_packets, link_packets)
    np.testing.assert_array_equal(sim.fabric.router_packets, router_packets)
    np.testing.assert_array_equal(sim.fabric.population_link_packets, population_links)
    assert link_packets.sum() > 1000
    rows = np.diff(reference.matrix.row_ptr)
    assert sim.synaptic_events == rows[spikes[:, 1]].sum()


def test_synaptic_events_are_the_same_at_functional_and_timed_fidelity():
    net = mixed_network()
    results = {f: run_serial(net, duration_ms=20.0, fidelity=f)
               for f in ("functional", "timed")}
    events = {f: r.attributes["synaptic_events"] for f, r in results.items()}
    assert events["functional"] > 10_000
    assert events["functional"] == events["timed"] == \
        results["timed"].datasets["cores/synaptic_events"].sum()


def test_hash_prefix_draws_are_the_four_integer_hash():
    rng = np.random.default_rng(0)
    seed = np.uint64(rng.integers(0, 2**62))
    streams = rng.integers(0, 2**62, 300).astype(np.uint64)
    indices = rng.integers(0, 2**40, 300)
    counters = rng.integers(0, 2**40, 300)
    prefixes = hash_prefixes(seed, streams, indices)
    for prefix, stream, index, counter in zip(prefixes, streams, indices, counters):
        assert uniform_after(prefix, counter) == uniform(seed, stream, index, counter)


def test_a_loop_is_generated_once_per_kernel_combination_and_source_text(monkeypatch,
                                                                         tmp_path):
    from networks.models.lif import lif_kernel
    from networks.models.sources import poisson_kernel
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path))
    first = fused.loop_for([lif_kernel, None, poisson_kernel], 2, SERIAL)
    assert fused.loop_for([lif_kernel, None, poisson_kernel], 2, SERIAL) is first
    assert fused.loop_for([lif_kernel, poisson_kernel], 2, SERIAL) is not first
    generated = sorted((tmp_path / "neurochip").glob("neurochip_loop_*.py"))
    assert len(generated) == 2 and "lif_kernel" in generated[0].read_text() + \
        generated[1].read_text()
    monkeypatch.setattr(fused, "_DIGEST", [b"an edited model"])
    assert fused.loop_for([lif_kernel, None, poisson_kernel], 2, SERIAL) is not first


def test_a_kernel_that_cannot_be_imported_is_refused():
    from numba import njit

    @njit
    def local_kernel(state, tick, synaptic_input, spiked, payload):
        return 0
    with pytest.raises(TypeError, match="module-level @njit function"):
        fused.loop_for([local_kernel], 0, SERIAL)


@pytest.mark.parametrize("size", [0, 1, 7, 8, 9, 64, 4001])
def test_compact_lists_the_neurons_that_fired_in_order(size):
    from networks.models.base import compact
    fired = np.random.default_rng(size).random(size) < 0.2
    spiked = np.empty(size, dtype=np.int32)
    n = compact(fired, spiked)
    np.testing.assert_array_equal(spiked[:n], np.flatnonzero(fired))


@njit
def allocating_lif_kernel(state, tick, synaptic_input, spiked, payload):
    """`lif_kernel` with an array of its own each tick (of a shape nothing else makes:
    Numba remembers a failed compile by argument types, whatever the flags)."""
    scratch = np.zeros((2, 3, 5, 7), np.uint16)
    return lif_kernel(state, tick, synaptic_input, spiked, payload) + scratch[1, 2, 4, 6]


@njit
def undeclared_allocating_lif_kernel(state, tick, synaptic_input, spiked, payload):
    """Another such kernel (a compile that failed stays failed in its process)."""
    scratch = np.zeros((3, 5, 7, 11), np.uint16)
    return lif_kernel(state, tick, synaptic_input, spiked, payload) + scratch[2, 4, 6, 10]


def test_a_kernel_that_allocates_runs_in_the_loop_with_reference_counts(monkeypatch):
    """The loop is compiled without reference counts, where nothing may allocate: a model
    kernel that does says so and gets the loop with them (the same results); one that does
    not say so is refused with the fix."""
    net = mixed_network()
    expected = simulation(net)
    expected.run()
    monkeypatch.setattr(LIFGroup, "kernel",
                        property(lambda group: undeclared_allocating_lif_kernel))
    with pytest.raises(TypeError, match="LIFGroup.* does not compile without "
                                        "reference counts.*kernel_allocates = True") as refused:
        simulation(net)
    assert isinstance(refused.value.__cause__, NumbaError)
    monkeypatch.setattr(LIFGroup, "kernel", property(lambda group: allocating_lif_kernel))
    monkeypatch.setattr(LIFGroup, "kernel_allocates", True)
    sim = simulation(net)
    sim.run()
    for got, want in zip(sim.recorder.arrays(), expected.recorder.arrays()):
        np.testing.assert_array_equal(got, want)
    assert sim.synaptic_events == expected.synaptic_events > 1000


@pytest.mark.parametrize("n", [0, 1, 2, 5, 8, 13, 64, 100])
def test_the_merge_sort_orders_by_id_and_keeps_equal_ids_in_order(n):
    """Against NumPy's stable sort, with the scratch arrays it merges to and fro."""
    rng = np.random.default_rng(n)
    ids, values, slices = rng.integers(0, 9, n + 3), rng.random(n + 3), np.arange(n + 3)
    order = np.argsort(ids[:n], kind="stable")
    expected = [np.concatenate([a[:n][order], a[n:]]) for a in (ids, values, slices)]
    fused.merge_sort(ids, values, slices, n, np.zeros_like(ids), np.zeros_like(values),
                     np.zeros_like(slices))
    for got, want in zip((ids, values, slices), expected):
        np.testing.assert_array_equal(got, want)
