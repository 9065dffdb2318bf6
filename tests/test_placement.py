"""Placers: dead hardware avoided, pins honoured, `graph` deterministic and better than
`spread`, and for random networks on every placer every spike reaches exactly its cores."""

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import chips
from networks import (FixedProbability, IFCurrExp, Network, SpikeSourcePoisson, Uniform,
                      synapses)
from simulator import ConfigError, MappingError, MappingOptions, RunOptions, map_network, \
    parse_config, simulate
from simulator.distribution import SerialComm

PLACERS = ("sequential", "spread", "graph", "toolchain")


def layered(sizes=(60, 60, 60, 60), p=0.2):
    net = Network()
    pops = [net.add_population("p0", sizes[0], SpikeSourcePoisson(rate_hz=20.0))]
    pops += [net.add_population(f"p{i}", n, IFCurrExp()) for i, n in enumerate(sizes) if i]
    for a, b in zip(pops[:-1], pops[1:]):
        net.connect(a, b, FixedProbability(p), weight=0.1)
    return net


def with_faults(machine, **faults):
    return replace(machine, faults=chips.Faults(**faults))


def packet_hops_s(mapping):
    """Packets/s times links of each slice's multicast tree, summed."""
    packets = mapping.rates_hz[mapping.slices.population] * mapping.slices.size
    return float((packets * np.diff(mapping.routes.link_ptr)).sum())


@pytest.mark.parametrize("placer", PLACERS)
def test_dead_chips_and_cores_are_never_used(placer):
    machine = with_faults(chips.spinnaker1(3, 3, wrap=True, layout="rectangle"),
                          dead_chips=(chips.DeadChip(1, 1), chips.DeadChip(0, 2)),
                          dead_cores=(chips.DeadCore(0, 0, 2), chips.DeadCore(2, 0, 5)))
    mapping = map_network(layered(), machine, MappingOptions(8, placer))
    topology = machine.topology
    xy = topology.chip_xy[mapping.placement.chip]
    used = {tuple(v) for v in xy}
    assert (1, 1) not in used and (0, 2) not in used
    pairs = set(zip(map(tuple, xy), mapping.placement.core.tolist()))
    assert ((0, 0), 2) not in pairs and ((2, 0), 5) not in pairs
    assert len(pairs) == len(mapping.slices)
    assert mapping.placement.core.min() >= machine.chip.reserved_cores
    dead = {topology.chip_index(1, 1), topology.chip_index(0, 2)}
    assert not dead & set(topology.link_target[mapping.routes.links].tolist())


def test_pins_put_a_population_on_its_chip_and_core_range():
    machine = chips.spinnaker2(3, 3)
    options = MappingOptions(16, "graph", pins={"p2": {"x": 2, "y": 1, "cores": [40, 47]},
                                                "p0": {"x": 0, "y": 2}})
    mapping = map_network(layered(), machine, options)
    slices, placement = mapping.slices, mapping.placement
    p2 = slices.of_population(2)
    assert set(machine.topology.chip_xy[placement.chip[p2]].tolist()[0]) <= {2, 1}
    assert (machine.topology.chip_xy[placement.chip[p2]] == [2, 1]).all()
    assert placement.core[p2].min() >= 40 and placement.core[p2].max() <= 47
    assert (machine.topology.chip_xy[placement.chip[slices.of_population(0)]] == [0, 2]).all()


def test_a_pin_to_a_range_or_set_of_chips_fills_them_in_order():
    """A layer too big for one chip pinned to a range: its slices fill the first chip's
    allowed cores, then the next; a set fills its chips in the order listed."""
    machine = chips.spinnaker2(3, 2)
    options = MappingOptions(12, "spread", pins={"p1": {"x": [0, 2], "y": 0, "cores": [4, 5]},
                                                 "p2": {"chips": [[2, 1], [0, 1]]}})
    mapping = map_network(layered(), machine, options)
    xy = machine.topology.chip_xy[mapping.placement.chip]
    p1, p2 = mapping.slices.of_population(1), mapping.slices.of_population(2)
    assert xy[p1].tolist() == [[0, 0], [0, 0], [1, 0], [1, 0], [2, 0]]
    assert mapping.placement.core[p1].tolist() == [4, 5, 4, 5, 4]
    assert (xy[p2] == [2, 1]).all()
    options = MappingOptions(12, "spread", pins={"p1": {"chips": [[1, 1], [0, 0]],
                                                        "cores": [7, 9]}})
    xy = machine.topology.chip_xy[map_network(layered(), machine, options).placement.chip]
    assert xy[p1].tolist() == [[1, 1], [1, 1], [1, 1], [0, 0], [0, 0]]
    with pytest.raises(MappingError, match=r"pins.p1: population p1 needs 5 cores but chips "
                                           r"\(0, 0\), \(1, 0\) have 4 free"):
        map_network(layered(), machine, MappingOptions(12, pins={
            "p1": {"x": [0, 1], "y": 0, "cores": [4, 5]}}))
    with pytest.raises(ConfigError, match=r"pins.p1.x must be a whole number >= 0 or a range"):
        MappingOptions(12, pins={"p1": {"x": [2, 1], "y": 0}})
    with pytest.raises(ConfigError, match=r"pins.p1 must be a table \{x, y\}"):
        MappingOptions(12, pins={"p1": {"x": 0, "y": 0, "chips": [[0, 0]]}})


def test_a_pin_that_cannot_hold_its_population_is_refused():
    options = MappingOptions(16, "spread", pins={"p1": {"x": 0, "y": 0, "cores": [4, 6]}})
    with pytest.raises(MappingError, match="pins.p1: population p1 needs 4 cores but chip "
                                           r"\(0, 0\) has 3"):
        map_network(layered(), chips.spinnaker2(2, 2), options)
    with pytest.raises(ConfigError, match="pins.nope: nope is not a population"):
        map_network(layered(), chips.spinnaker2(2, 2),
                    MappingOptions(16, pins={"nope": {"x": 0, "y": 0}}))


def test_pins_and_rates_are_read_from_the_config():
    text = """
[network]
library = "cuba"
params = {n_neurons = 400}
[mapping]
placer = "graph"
pins = {exc = {x = 1, y = 0, cores = [0, 20]}}
rates_hz = {inh = 40.0}
[machine]
width = 2
height = 2
[run]
timestep_ms = 0.1
"""
    config = parse_config(text)
    assert config.mapping.pins == {"exc": {"x": 1, "y": 0, "cores": [0, 20]}}
    assert config.mapping.rates_hz == {"inh": 40.0}
    with pytest.raises(ConfigError, match=r"pins.exc.cores must be \[first, last\]"):
        parse_config(text.replace("cores = [0, 20]", "cores = [20, 0]"))


def test_graph_is_deterministic_for_a_seed_and_cuts_packet_hops():
    machine = chips.spinnaker1(4, 4, wrap=True, layout="rectangle")
    net = layered((160, 160, 160, 160, 160, 160), p=0.05)
    spread = map_network(net, machine, MappingOptions(10, "spread"), seed=1)
    graph = map_network(net, machine, MappingOptions(10, "graph"), seed=1)
    again = map_network(net, machine, MappingOptions(10, "graph"), seed=1)
    np.testing.assert_array_equal(graph.placement.chip, again.placement.chip)
    np.testing.assert_array_equal(graph.placement.core, again.placement.core)
    assert packet_hops_s(graph) < 0.8 * packet_hops_s(spread)
    sequential = map_network(net, machine, MappingOptions(10, "sequential"), seed=1)
    assert packet_hops_s(graph) <= packet_hops_s(sequential)


@st.composite
def scenarios(draw):
    net = Network()
    n_pops = draw(st.integers(2, 3))
    pops = [net.add_population("src", draw(st.integers(1, 30)),
                               SpikeSourcePoisson(rate_hz=200.0))]
    for i in range(1, n_pops):
        pops.append(net.add_population(f"p{i}", draw(st.integers(1, 30)), IFCurrExp(),
                                       initial={"v": Uniform(-60.0, -50.1)}))
    for _ in range(draw(st.integers(1, 4))):
        pre = pops[draw(st.integers(0, n_pops - 1))]
        post = pops[draw(st.integers(1, n_pops - 1))]
        net.connect(pre, post, FixedProbability(draw(st.floats(0.05, 0.6))),
                    weight=draw(st.floats(0.1, 3.0)), delay_ticks=draw(st.integers(1, 3)))
    dead = draw(st.lists(st.integers(0, 17), max_size=3, unique=True))
    return net, draw(st.integers(3, 12)), dead, draw(st.integers(0, 3))


@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
@given(scenarios(), st.sampled_from(PLACERS))
def test_every_spike_reaches_exactly_its_target_cores(scenario, placer):
    """Synaptic events and packets each core received equal those a NumPy count over the
    synapse lists and the recorded spikes gives: nothing lost, nothing duplicated."""
    net, per_core, dead, seed = scenario
    machine = with_faults(chips.spinnaker1(2, 2, wrap=True, layout="rectangle"),
                          dead_cores=tuple(chips.DeadCore(1, 0, c) for c in dead))
    run = RunOptions(duration_ms=30.0, timestep_ms=1.0, fidelity="timed", seed=seed)
    result = simulate(net, machine, run, MappingOptions(per_core, placer), comm=SerialComm())
    d = result.datasets
    assert d["cores/late_packets"].sum() == 0
    places = d["mapping/placements"]
    names = [p.name for p in net.populations]
    population = np.array([names.index(n.decode() if isinstance(n, bytes) else n)
                           for n in places["population"]])
    spike_counts = [np.bincount(result.spikes(p.name)[1], minlength=p.size)
                    for p in net.populations]
    events = np.zeros(len(places), dtype=np.int64)
    sends_to = np.zeros((len(places), len(places)), dtype=bool)
    for j in range(len(places)):
        start, stop = int(places["slice_start"][j]), int(places["slice_stop"][j])
        for projection in net.projections:
            if projection.post.index == population[j]:
                syn = synapses(projection, seed, start, stop)
                per_pre = np.bincount(syn.pre, minlength=projection.pre.size)
                events[j] += int(per_pre @ spike_counts[projection.pre.index])
                for s in np.flatnonzero(population == projection.pre.index):
                    lo, hi = places["slice_start"][s], places["slice_stop"][s]
                    sends_to[s, j] |= per_pre[lo:hi].sum() > 0
    slice_spikes = np.array([spike_counts[population[s]][places["slice_start"][s]:
                                                          places["slice_stop"][s]].sum()
                             for s in range(len(places))])
    np.testing.assert_array_equal(d["cores/synaptic_events"].sum(axis=0), events)
    np.testing.assert_array_equal(d["cores/packets"].sum(axis=0), slice_spikes @ sends_to)
    dead_pairs = {((1, 0), c) for c in dead}
    used = set(zip(map(tuple, np.stack([places["chip_x"], places["chip_y"]], 1).tolist()),
                   places["core"].tolist()))
    assert not used & dead_pairs
