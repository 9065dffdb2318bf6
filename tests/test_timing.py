"""The timed fabric and cores against hand-computed cases (docs/timing.md)."""

from dataclasses import replace

import numpy as np
import pytest

import chips
from chips.presets import SPINNAKER2_CHIP
from networks import LIF, AllToAll, FromList, Network, OneToOne, SpikeSourceArray
from simulator import MappingOptions, RunOptions, map_network
from simulator.distribution import SerialComm
from simulator.engine.kernel import RankSimulation
from simulator.engine.timed import (LATENCY_BINS, RECORD, advance, inject, latency_bin,
                                    latency_bin_edges_ns, latency_bin_near)

from .helpers import run_serial, single_level

PS = 1000  # ps per ns


def line_machine(n_chips=2, clock_hz=300_000_000, cycles=(0, 0, 12, 60), **parts):
    """Chips in a line, one core each, crossbar NoC: easy to reason about by hand."""
    tick, neuron, event, packet = cycles
    base = single_level(SPINNAKER2_CHIP, clock_hz)
    core = replace(base.core, cycles_per_tick=tick, cycles_per_neuron=neuron,
                   cycles_per_synaptic_event=event, cycles_per_packet=packet)
    chip = replace(base, cores=1, reserved_cores=0, noc_layout="crossbar", core=core,
                   neuron_cycles=chips.NeuronCycles.uniform(neuron),
                   link=replace(SPINNAKER2_CHIP.link, **parts.pop("link", {})),
                   router=replace(SPINNAKER2_CHIP.router, **parts.pop("router", {})), **parts)
    return chips.Machine(chip, n_chips, 1, wrap=False)


def burst_network(n):
    """n sources on chip 0, all firing at tick 0, each to its own neuron on chip 1."""
    net = Network()
    src = net.add_population("src", n, SpikeSourceArray(tuple((0.0,) for _ in range(n))))
    dst = net.add_population("dst", n, LIF())
    net.connect(src, dst, OneToOne(), weight=1.0)
    return net


def deliveries(net, machine, duration_ticks=1, heap_rows=None):
    """Run only the fabric for the first tick's spikes; return the packet copies that
    reached cores, as (time ps, source, core, tick of the spike). `heap_rows`: start the
    fabric's event heap that small (it grows between events)."""
    run = RunOptions(duration_ms=duration_ticks * 0.1, timestep_ms=0.1, traffic_window_ms=0.1)
    mapping = map_network(net, machine, MappingOptions(1024, "sequential"))
    sim = RankSimulation(net, mapping, run, SerialComm())
    fabric, spec = sim.fabric, sim.fabric.spec
    n = net.populations[0].size
    gids = np.arange(n, dtype=np.int64)
    zeros = np.zeros(n, dtype=np.int64)
    queue, values = inject(spec, zeros, gids, zeros, np.ones(n),
                           sim._emission_ps(0, gids, zeros))
    order = np.lexsort(queue[:, 5::-1].T)  # the fabric's event order
    events, event_values = fabric.events, fabric.values
    if heap_rows is not None:
        events, event_values = events[:heap_rows].copy(), event_values[:heap_rows].copy()
    _, _, _, _, delivered, _, count = advance(
        spec, fabric.stats, events, event_values, 0, queue[order], values[order], 0,
        fabric.link_ends, fabric.link_state, sim.copies_to, RECORD,
        np.empty((0, 4), dtype=np.int64), np.empty(0), spec.end_ps)
    return spec, fabric.stats, delivered[:count]


def test_back_to_back_packets_arrive_one_serialisation_apart():
    """N <= buffer packets offered together leave one serialisation time apart and arrive
    after NoC + router + (k + 1) serialisations + wire + router + NoC."""
    machine = line_machine()
    spec, stats, delivered = deliveries(burst_network(10), machine)
    ser = spec.link_serialisation_ps[0, 0]  # key-only packet on link 0
    assert ser == 16_000  # a 40-bit packet takes a 96-bit frame at 6 Gbit/s
    k = np.arange(10)
    noc = 16_667          # 5 cycles at 300 MHz
    expected = noc + 10 * PS + (k + 1) * ser + (50 + 10) * PS + noc
    np.testing.assert_array_equal(delivered[:, 0], expected)
    np.testing.assert_array_equal(delivered[:, 1], k)       # FIFO in source order
    assert stats.links[0, 0].sum() == 10                      # packets on the link
    assert stats.links[3, 0].max() == 10                      # deepest queue


def test_the_event_heap_grows_between_events_without_changing_a_copy():
    """The event loop allocates nothing: it stops before an event that could overflow the
    heap (or the list of copies), and `advance` grows them and goes on. Sixty copies queued
    on one link, from a heap of one row, give the same copies and counters as from 1024."""
    machine = line_machine(link={"buffer_packets": 64})
    spec, stats, delivered = deliveries(burst_network(60), machine)
    _, small_stats, from_small = deliveries(burst_network(60), machine, heap_rows=1)
    assert len(delivered) == 60
    np.testing.assert_array_equal(from_small, delivered)
    for counts, again in zip(stats, small_stats):
        np.testing.assert_array_equal(counts, again)


@pytest.mark.parametrize("buffer_packets,wait_ns", [(4, 200), (16, 0), (1, 1000)])
def test_a_link_driven_past_its_bandwidth_drops_exactly_the_overflow(buffer_packets, wait_ns):
    """All packets are offered at once. Packet k gets into the buffer when packet
    k - buffer has been sent: (k - buffer + 1) serialisations later. Those that would wait
    longer than the emergency wait go round the triangle, which does not exist on a line,
    so they are dropped: exactly N - buffer - floor(wait / serialisation) of them."""
    machine = line_machine(router={"emergency_wait_ns": wait_ns},
                           link={"buffer_packets": buffer_packets})
    spec, stats, delivered = deliveries(burst_network(60), machine)
    accepted = min(60, buffer_packets + wait_ns * PS // spec.link_serialisation_ps[0, 0])
    assert len(delivered) == accepted
    np.testing.assert_array_equal(delivered[:, 1], np.arange(accepted))
    assert stats.links[4, 0].sum() == 60 - accepted           # drops on the link
    assert stats.routers[3, 0, 0] == 60 - accepted            # dropped at chip 0
    assert stats.routers[2].sum() == 0                        # nothing emergency-routed
    assert stats.links[0, 0].sum() == accepted


def test_a_core_given_too_many_synaptic_events_overruns_by_the_computed_amount():
    """Tick 0: 50 source spikes reach a 10-neuron core, 10 synapses each. Its tick costs
    2000 + 10 x 40 + 50 x (60 + 10 x 12) = 11400 cycles against 10 MHz x 1 ms = 10000."""
    machine = line_machine(clock_hz=10_000_000, cycles=(2000, 40, 12, 60))
    net = Network()
    src = net.add_population("src", 50, SpikeSourceArray(tuple((0.0,) for _ in range(50))))
    dst = net.add_population("dst", 10, LIF(v_thresh_mv=1e9))
    net.connect(src, dst, AllToAll(), weight=0.1)
    result = run_serial(net, machine, neurons_per_core=64, placer="sequential",
                        timestep_ms=1.0, duration_ms=3.0, traffic_window_ms=1.0)
    cores = result.datasets
    assert result.group_attributes["cores"]["budget_cycles_per_tick"] == 10_000
    np.testing.assert_array_equal(cores["cores/overruns"][:, 1], [1, 0, 0])
    np.testing.assert_array_equal(cores["cores/max_excess_cycles"][:, 1], [1400, 0, 0])
    np.testing.assert_array_equal(cores["cores/cycles"][:, 1], [11400, 2400, 2400])
    np.testing.assert_array_equal(cores["cores/synaptic_events"][:, 1], [500, 0, 0])
    # The source core: 2000 + 50 x 40 = 4000 cycles, within budget every tick.
    np.testing.assert_array_equal(cores["cores/cycles"][:, 0], [4000] * 3)
    assert cores["cores/late_packets"].sum() == 0


def test_late_packets_land_a_tick_later():
    """A source core whose update runs past its tick (3000 cycles at 1 MHz = 3 ms for a
    1 ms tick) sends every packet late: the target's membrane jumps one tick later than at
    functional fidelity, and the late packets are counted."""
    machine = line_machine(clock_hz=1_000_000, cycles=(3000, 0, 0, 0))
    net = Network()
    src = net.add_population("src", 1, SpikeSourceArray(((2.0,),)))
    net.add_population("dst", 1, LIF(tau_m_ms=1e9, v_rest_mv=0.0, v_reset_mv=-1.0,
                                     v_thresh_mv=100.0), initial={"v": 0.0}, record=["v"])
    net.connect(src, net.populations[1], OneToOne(), weight=2.5, delay_ticks=2)
    runs = {f: run_serial(net, machine, neurons_per_core=8, placer="sequential",
                          timestep_ms=1.0, duration_ms=10.0, traffic_window_ms=1.0, fidelity=f)
            for f in ("functional", "timed")}
    v_functional = runs["functional"].datasets["state/dst/v"][:, 0]
    v_timed = runs["timed"].datasets["state/dst/v"][:, 0]
    # Spike at tick 2, delay 2: the weight is added at the end of tick 4 (functional);
    # sent at 2 ms + 3 ms = 5 ms, it arrives in tick 5 and lands in tick 5 + 2 = 7.
    assert np.flatnonzero(np.diff(np.r_[0.0, v_functional]))[0] == 4
    assert np.flatnonzero(np.diff(np.r_[0.0, v_timed]))[0] == 7
    assert runs["timed"].datasets["cores/late_packets"][:, 1].sum() == 1


def fault_network():
    """Source on chip (0, 0) feeding chip (1, 0); a second source feeding chip (0, 1)."""
    net = Network()
    times = tuple((float(t),) for t in range(0, 100, 7))
    a = net.add_population("a", len(times), SpikeSourceArray(times))
    b = net.add_population("b", len(times), SpikeSourceArray(times))
    a_dst = net.add_population("a_dst", 4, LIF(v_thresh_mv=-64.5), record=["v"])
    b_dst = net.add_population("b_dst", 4, LIF(v_thresh_mv=-64.5), record=["v"])
    net.connect(a, a_dst, AllToAll(), weight=0.2)
    net.connect(b, b_dst, AllToAll(), weight=0.2)
    return net


def fault_machine(*dead_links):
    """3 x 3 torus, one core per chip: slices a, b, a_dst, b_dst on chips (0,0), (0,1),
    (0,2), (1,0) in (x, y) order."""
    machine = chips.Machine(replace(SPINNAKER2_CHIP, cores=1, reserved_cores=0), 3, 3)
    return replace(machine, faults=chips.Faults(dead_links=tuple(dead_links)))


def test_a_dead_link_is_bypassed_by_emergency_routing_then_drops_when_no_route_is_left():
    net = fault_network()
    kwargs = dict(neurons_per_core=64, placer="sequential", timestep_ms=1.0,
                  duration_ms=100.0, traffic_window_ms=10.0)
    healthy = run_serial(net, fault_machine(), **kwargs)
    mapping = map_network(net, fault_machine(), MappingOptions(64, "sequential"))
    topology = fault_machine().topology
    # Slice a (chip (0,0)) reaches a_dst on chip (0,2): one hop south-... find its link.
    tree = mapping.routes.links_of(0)
    assert len(tree) == 1
    x, y = topology.chip_xy[topology.link_source[tree[0]]]
    d = int(topology.link_direction[tree[0]])
    cut = chips.DeadLink(int(x), int(y), d, from_ms=50.0)
    bypassed = run_serial(net, fault_machine(cut), **kwargs)
    routers = bypassed.datasets["traffic/router_emergency_routed"]
    sent_after = sum(1 for t in range(0, 100, 7) if t >= 50)  # one spike per source neuron
    assert routers[:5].sum() == 0 and routers[5:].sum() == sent_after
    assert bypassed.datasets["traffic/router_dropped"].sum() == 0
    for pop in ("a_dst", "b_dst"):
        np.testing.assert_array_equal(np.stack(bypassed.spikes(pop)),
                                      np.stack(healthy.spikes(pop)))
    # Kill the first emergency leg too: a's packets after 50 ms are dropped, b is untouched.
    leg = chips.DeadLink(int(x), int(y), (d + 1) % 6, from_ms=50.0)
    cut_off = run_serial(net, fault_machine(cut, leg), **kwargs)
    assert cut_off.datasets["traffic/link_drops"][:, tree[0]].sum() == sent_after
    assert cut_off.datasets["traffic/router_dropped"].sum() == sent_after
    v_healthy = healthy.datasets["state/a_dst/v"]
    v_cut = cut_off.datasets["state/a_dst/v"]
    np.testing.assert_array_equal(v_cut[:50], v_healthy[:50])
    assert not np.array_equal(v_cut[55:], v_healthy[55:])
    np.testing.assert_array_equal(np.stack(cut_off.spikes("b_dst")),
                                  np.stack(healthy.spikes("b_dst")))
    np.testing.assert_array_equal(cut_off.datasets["state/b_dst/v"],
                                  healthy.datasets["state/b_dst/v"])


def test_functional_fidelity_refuses_faults_that_happen_during_the_run():
    from simulator import ConfigError
    net = fault_network()
    with pytest.raises(ConfigError, match="from_ms 50 needs \\[run\\] fidelity"):
        run_serial(net, fault_machine(chips.DeadLink(0, 0, 0, from_ms=50.0)),
                   fidelity="functional", timestep_ms=1.0)


def test_injected_spikes_come_in_event_order_with_ties_kept_in_input_order():
    """`inject` sorts by time once and orders runs of equal times by (emission, gid): the
    result must be the stable sort by (time, emission, gid), also with many ties and a
    neuron repeated in a tick."""
    net = burst_network(8)
    mapping = map_network(net, line_machine(), MappingOptions(1024, "sequential"))
    sim = RankSimulation(net, mapping, RunOptions(duration_ms=0.1, timestep_ms=0.1,
                                                  traffic_window_ms=0.1), SerialComm())
    spec = sim.fabric.spec
    rng = np.random.default_rng(5)
    for n in (0, 1, 2, 17, 400):
        gids = rng.integers(0, 8, n)
        ticks = rng.integers(0, 3, n)
        emits = rng.integers(0, 4, n) * 1000
        slices = rng.integers(0, 2, n)  # slice 1 (the LIF targets) sends nothing
        values = np.arange(n, dtype=np.float64)  # each spike's input position
        queue, queued = inject(spec, ticks, gids, slices, values, emits)
        sends = slices == 0
        expected = np.flatnonzero(sends)[np.lexsort((gids[sends], emits[sends],
                                                      queue[:, 0][np.argsort(queued)]))]
        np.testing.assert_array_equal(queued, expected.astype(np.float64))
        np.testing.assert_array_equal(queue[:, 2], gids[expected])


def test_the_latency_bin_found_from_a_nearby_bin_is_the_bin_of_the_latency():
    """The fabric counts a copy's latency by walking from the last copy's bin; from any
    start it must land on `latency_bin`'s quarter octave (edges included: 1 ns, powers of
    two, and the last, open bin)."""
    rng = np.random.default_rng(3)
    edges_ps = (latency_bin_edges_ns()[1:LATENCY_BINS] * PS).astype(np.int64)
    latencies = np.concatenate([[0, 1, 999, 1000, 1001, 2 ** 62], edges_ps - 1, edges_ps,
                                edges_ps + 1, rng.integers(0, 1 << 50, 3000),
                                (2.0 ** rng.uniform(0, 45, 3000)).astype(np.int64)])
    for latency in latencies.tolist():
        expected = latency_bin(latency)
        for start in (0, expected, LATENCY_BINS - 1, int(rng.integers(LATENCY_BINS))):
            assert latency_bin_near(latency, start) == expected, (latency, start)
    assert latency_bin(999) == 0 and latency_bin(1000) == 1
    assert latency_bin(2 ** 62) == LATENCY_BINS - 1
