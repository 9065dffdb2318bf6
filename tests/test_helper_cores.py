"""Split synapse cores and delay-extension cores in the timed model (docs/timing.md,
"Helper cores"): the same spikes as one combined core, the work moved to the core that
does it, counted from the run's own counters."""

from dataclasses import replace

import numpy as np
import pytest

import chips
from chips.presets import SPINNAKER2_CHIP
from networks import LIF, FixedProbability, Network, SpikeSourcePoisson, Uniform
from simulator import MappingOptions, RunOptions, simulate
from simulator.costs import slice_cycles_per_neuron
from simulator.distribution import SerialComm
from simulator.engine.helpers import DELAY_ROLE, NEURON_ROLE, SYNAPSE_ROLE
from simulator.mapping import map_network

from .helpers import reproducible
from .test_timed_equals_packet import congested_machine, congested_network


def split_network() -> Network:
    """Two sources and a recurrent population; weights are short binary fractions, so the
    sums into an input are exact whatever order its packets come in (the placement, and
    with it the packets' order, changes with the cores beside each slice)."""
    net = Network("split")
    a = net.add_population("a", 40, SpikeSourcePoisson(rate_hz=80.0))
    b = net.add_population("b", 30, SpikeSourcePoisson(rate_hz=60.0))
    c = net.add_population("c", 50, LIF(), record=["v"])
    net.connect(a, c, FixedProbability(0.3), weight=4.0, delay_ticks=2)
    net.connect(b, c, FixedProbability(0.3), weight=2.0, delay_ticks=3)
    net.connect(c, c, FixedProbability(0.1), weight=1.0, delay_ticks=2)
    return net


def small_machine(clock_hz=300_000_000, cores=24):
    chip = replace(SPINNAKER2_CHIP, cores=cores, reserved_cores=0,
                   core=replace(SPINNAKER2_CHIP.core, performance_levels_hz=(clock_hz,),
                                performance_level=0),
                   energy=replace(SPINNAKER2_CHIP.energy,
                                  core_sleep_w=SPINNAKER2_CHIP.energy.core_sleep_w[-1:],
                                  core_busy_j_per_cycle=SPINNAKER2_CHIP.energy
                                  .core_busy_j_per_cycle[-1:]))
    return chips.Machine(chip, 2, 2)


def run(net, machine, synapse_cores=0, delay_extensions=False, window_ms=1.0, **run):
    options = RunOptions(**{"duration_ms": 20.0, "timestep_ms": 0.1, "fidelity": "timed",
                            "seed": 2, "traffic_window_ms": window_ms, **run})
    mapping = MappingOptions(16, "spread", synapse_cores=synapse_cores,
                             delay_extensions=delay_extensions)
    return simulate(net, machine, options, mapping, comm=SerialComm())


@pytest.fixture(scope="module")
def combined_and_split():
    net, machine = split_network(), small_machine()
    return net, machine, run(net, machine), run(net, machine, synapse_cores=2)


def test_synapse_cores_give_the_same_spikes_and_state(combined_and_split):
    _, _, combined, split = combined_and_split
    one, two = combined.datasets, split.datasets
    assert one["cores/late_packets"].sum() == 0 and two["cores/late_packets"].sum() == 0
    assert len(combined.spikes("c")[0]) > 50
    for name in one:
        if name.startswith(("spikes/", "state/")):
            np.testing.assert_array_equal(one[name], two[name], err_msg=name)
    assert two["cores/synaptic_events"].sum() == one["cores/synaptic_events"].sum() > 0


def test_synapse_cores_pay_for_packets_and_the_neuron_core_for_collecting(
        combined_and_split):
    net, machine, combined, split = combined_and_split
    one, two = combined.datasets, split.datasets
    core = machine.chip.core
    mapping = map_network(net, machine, MappingOptions(16, "spread", synapse_cores=2))
    n = len(mapping.slices)
    role, served = two["cores/role"], two["cores/slice"]
    assert list(role[:n]) == [NEURON_ROLE] * n and (served[:n] == np.arange(n)).all()
    receiving = np.flatnonzero(mapping.slices.population == 2)
    synapse = np.flatnonzero(role == SYNAPSE_ROLE)
    assert sorted(served[synapse]) == sorted(np.repeat(receiving, 2))
    # a synapse core's cycles: its packets and its synaptic events, nothing else
    packets, events = two["cores/packets"], two["cores/synaptic_events"]
    np.testing.assert_array_equal(
        two["cores/cycles"][:, synapse],
        packets[:, synapse] * core.cycles_per_packet
        + events[:, synapse] * core.cycles_per_synaptic_event)
    assert packets[:, synapse].sum() > 0 and events[:, synapse].sum() > 0
    # every packet a combined core took went to exactly one of its synapse cores
    for s in receiving:
        mine = synapse[served[synapse] == s]
        np.testing.assert_array_equal(packets[:, mine].sum(axis=1), one["cores/packets"][:, s])
        np.testing.assert_array_equal(events[:, mine].sum(axis=1),
                                      one["cores/synaptic_events"][:, s])
        # neuron core: what it paid for packets is gone, collecting two cores' input is added
        assert packets[:, s].sum() == 0 and events[:, s].sum() == 0
    ticks = np.diff(two["traffic/window_ticks"], axis=1)[:, 0]
    size = mapping.slices.size[receiving]
    moved = (one["cores/packets"][:, receiving] * core.cycles_per_packet
             + one["cores/synaptic_events"][:, receiving] * core.cycles_per_synaptic_event)
    collect = np.outer(ticks, 2 * size * core.input_collect_cycles_per_neuron)
    np.testing.assert_array_equal(two["cores/cycles"][:, receiving],
                                  one["cores/cycles"][:, receiving] - moved + collect)
    assert (moved.sum(axis=0) > collect.sum(axis=0)).all()  # the neuron core's load drops
    per_neuron = slice_cycles_per_neuron(net, machine, mapping.slices.population)
    np.testing.assert_array_equal(
        two["cores/cycles"][:, receiving],
        np.outer(ticks, core.cycles_per_tick + per_neuron[receiving] * size
                 + 2 * size * core.input_collect_cycles_per_neuron))
    # the energy model prices every column, helper cores included
    assert two["energy/core_busy_j"].shape == two["cores/cycles"].shape


def test_an_overloaded_synapse_core_counts_its_overruns():
    """At 2 MHz a tick holds 200 cycles: a synapse core's bursts overrun it, the neuron
    core's collection does not; one-tick windows make each window one tick."""
    net = split_network()
    machine = small_machine(clock_hz=2_000_000)
    machine = replace(machine, chip=replace(machine.chip, core=replace(
        machine.chip.core, cycles_per_tick=0), neuron_cycles=chips.NeuronCycles.uniform(1)))
    d = run(net, machine, synapse_cores=2, window_ms=0.1, duration_ms=5.0).datasets
    budget = machine.chip.core.budget_cycles(100_000)[0]
    cycles = d["cores/cycles"]
    np.testing.assert_array_equal(d["cores/overruns"], (cycles > budget).astype(np.int64))
    np.testing.assert_array_equal(d["cores/max_excess_cycles"], np.maximum(cycles - budget, 0))
    synapse = d["cores/role"] == SYNAPSE_ROLE
    assert d["cores/overruns"][:, synapse].sum() > 0
    receiving = np.unique(d["cores/slice"][synapse])
    assert d["cores/overruns"][:, receiving].sum() == 0


def test_timed_and_packet_agree_with_synapse_cores():
    net, machine = split_network(), small_machine()
    timed, packet = (reproducible(run(net, machine, synapse_cores=3, duration_ms=5.0,
                                      fidelity=f).datasets) for f in ("timed", "packet"))
    assert set(timed) == set(packet)
    for name, array in timed.items():
        if array.dtype.names is None:
            np.testing.assert_array_equal(array, packet[name], err_msg=name)
    assert (timed["cores/role"] == SYNAPSE_ROLE).sum() == 3 * 4


def delayed_network() -> Network:
    """Delays beyond the ring (16 ticks): a fixed 20 (stage 1), uniform ones up to 40
    (stages 0 to 2), beside short ones onto the same cells."""
    net = Network("delayed")
    a = net.add_population("a", 40, SpikeSourcePoisson(rate_hz=80.0))
    c = net.add_population("c", 50, LIF(), record=["v"])
    net.connect(a, c, FixedProbability(0.3), weight=2.0, delay_ticks=2)
    net.connect(a, c, FixedProbability(0.3), weight=2.0, delay_ticks=20)
    net.connect(c, c, FixedProbability(0.1), weight=1.0, delay_ticks=Uniform(1, 40))
    return net


@pytest.fixture(scope="module")
def without_and_with_delay_cores():
    net, machine = delayed_network(), small_machine()
    return net, machine, run(net, machine), run(net, machine, delay_extensions=True)


def test_delay_cores_give_the_same_spikes_and_state(without_and_with_delay_cores):
    _, _, plain, delayed = without_and_with_delay_cores
    one, two = plain.datasets, delayed.datasets
    assert one["cores/late_packets"].sum() == 0 and two["cores/late_packets"].sum() == 0
    assert len(plain.spikes("c")[0]) > 100
    assert (two["cores/role"] == DELAY_ROLE).sum() == 3 + 4
    for name in one:
        if name.startswith(("spikes/", "state/")):
            np.testing.assert_array_equal(one[name], two[name], err_msg=name)


def test_a_delay_core_takes_every_spike_of_its_slice_and_pays_for_each_stage(
        without_and_with_delay_cores):
    net, machine, _, delayed = without_and_with_delay_cores
    d = delayed.datasets
    mapping = map_network(net, machine, MappingOptions(16, "spread", delay_extensions=True))
    core = machine.chip.core
    stages = {"a": (20 - 1) // 16, "c": (40 - 1) // 16}
    delay = np.flatnonzero(d["cores/role"] == DELAY_ROLE)
    for k in delay:
        s = d["cores/slice"][k]
        population = net.populations[mapping.slices.population[s]].name
        ticks, ids = delayed.spikes(population)
        first = mapping.slices.start[s]
        mine = (ids >= first) & (ids < mapping.slices.stop[s])
        window = d["traffic/window_ticks"]
        per_window = np.array([((ticks[mine] >= a) & (ticks[mine] < b)).sum()
                               for a, b in window])
        np.testing.assert_array_equal(d["cores/packets"][:, k], per_window)
        np.testing.assert_array_equal(d["cores/cycles"][:, k], per_window
                                      * core.cycles_per_packet * (1 + stages[population]))
        assert d["cores/synaptic_events"][:, k].sum() == 0


def test_re_sent_packets_are_fabric_traffic():
    """Sources on chip (0, 0) reach cells on chip (1, 0) with a short and two long delays,
    so the sources' own tree is the same with or without a delay core (which sits beside
    them): routers and the link between the chips see exactly the re-sent packets more, one
    per spike and stage whose tick is in the run."""
    net = Network("two chips")
    a = net.add_population("a", 30, SpikeSourcePoisson(rate_hz=100.0))
    c = net.add_population("c", 20, LIF())
    net.connect(a, c, FixedProbability(0.3), weight=1.0, delay_ticks=2)
    net.connect(a, c, FixedProbability(0.3), weight=1.0, delay_ticks=20)
    net.connect(a, c, FixedProbability(0.2), weight=1.0, delay_ticks=40)
    machine = small_machine()
    results = [simulate(net, machine, RunOptions(duration_ms=20.0, timestep_ms=0.1,
                                                 fidelity="timed", seed=4),
                        MappingOptions(16, "spread", delay_extensions=extend,
                                       pins={"a": {"x": 0, "y": 0}, "c": {"x": 1, "y": 0}}),
                        comm=SerialComm()) for extend in (False, True)]
    one, two = (r.datasets for r in results)
    ticks, _ = results[0].spikes("a")
    n_ticks = 200
    resent = sum(((ticks + 16 * s) < n_ticks).sum() for s in (1, 2))  # stages 1 and 2
    assert resent > 100
    routers = two["traffic/router_packets"].sum(axis=0) - one["traffic/router_packets"].sum(
        axis=0)
    chips_xy = [tuple(xy) for xy in zip(one["traffic/chips"]["x"], one["traffic/chips"]["y"])]
    expected = np.zeros(len(chips_xy), dtype=np.int64)
    expected[[chips_xy.index((0, 0)), chips_xy.index((1, 0))]] = resent
    np.testing.assert_array_equal(routers, expected)
    links = two["traffic/link_packets"].sum(axis=0) - one["traffic/link_packets"].sum(axis=0)
    table = one["traffic/links"]
    east = (table["source_x"] == 0) & (table["source_y"] == 0) & (table["target_x"] == 1) \
        & (table["target_y"] == 0)  # on a 2 x 2 torus, two links: the one the tree takes
    used = np.flatnonzero(links)
    assert len(used) == 1 and east[used[0]] and links[used[0]] == resent
    assert one["traffic/link_packets"][:, used[0]].sum() > 0
    assert two["traffic/population_link_packets"][:, 0].sum() == \
        one["traffic/population_link_packets"][:, 0].sum() + resent
    np.testing.assert_array_equal(results[0].spikes("c")[0], results[1].spikes("c")[0])
    assert len(results[0].spikes("c")[0]) > 20


def test_timed_and_packet_agree_with_both_kinds_of_helper():
    net, machine = delayed_network(), small_machine()
    timed, packet = (reproducible(run(net, machine, synapse_cores=2, delay_extensions=True,
                                      duration_ms=8.0, fidelity=f).datasets)
                     for f in ("timed", "packet"))
    assert set(timed) == set(packet)
    for name, array in timed.items():
        if array.dtype.names is None:
            np.testing.assert_array_equal(array, packet[name], err_msg=name)
    assert (timed["cores/role"] == DELAY_ROLE).sum() > 0


def test_late_packets_are_counted_at_the_synapse_core_that_takes_them():
    """The congested machine of test_timed_equals_packet (slow links, tiny buffers, faults):
    packets reach synapse cores late, and timed and packet fidelity agree on every count."""
    net, machine = congested_network(0), congested_machine(0)
    runs = {f: simulate(net, machine, RunOptions(duration_ms=10.0, timestep_ms=0.1,
                                                 fidelity=f, seed=0),
                        MappingOptions(8, "spread", synapse_cores=1), comm=SerialComm())
            for f in ("timed", "packet")}
    timed, packet = (reproducible(runs[f].datasets) for f in ("timed", "packet"))
    for name, array in timed.items():
        if array.dtype.names is None:
            np.testing.assert_array_equal(array, packet[name], err_msg=name)
    synapse = timed["cores/role"] == SYNAPSE_ROLE
    late = timed["cores/late_packets"].sum(axis=0)
    assert late[synapse].sum() > 0
    receiving = np.unique(timed["cores/slice"][synapse])
    assert late[receiving].sum() == 0 and timed["cores/packets"][:, receiving].sum() == 0
