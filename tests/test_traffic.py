"""Per-link and per-router packet counts, and the multicast trees behind them."""

import numpy as np
import pytest

import chips
from networks import FixedProbability, IFCurrExp, Network, SpikeSourcePoisson
from simulator import MappingOptions, map_network
from simulator.csr import row_of

from .helpers import run_serial


def poisson_network():
    net = Network("traffic")
    src = net.add_population("src", 90, SpikeSourcePoisson(rate_hz=40.0))
    a = net.add_population("a", 120, IFCurrExp(i_offset_na=0.2))
    b = net.add_population("b", 60, IFCurrExp())
    net.connect(src, a, FixedProbability(0.05), weight=0.5)
    net.connect(a, b, FixedProbability(0.02), weight=0.5, delay_ticks=2)
    net.connect(src, b, FixedProbability(0.01), weight=0.2)
    return net


def hex_torus_distance(a, b, width, height):
    """Hops between chips on the triangular torus, by formula: a move changes x, y or both
    by the same unit step, so (dx, dy) costs max(|dx|, |dy|) when they share a sign and
    |dx| + |dy| otherwise, minimised over the wrapped images."""
    best = None
    for wx in (-width, 0, width):
        for wy in (-height, 0, height):
            dx, dy = b[0] - a[0] + wx, b[1] - a[1] + wy
            d = max(abs(dx), abs(dy)) if dx * dy >= 0 else abs(dx) + abs(dy)
            best = d if best is None else min(best, d)
    return best


@pytest.mark.parametrize("fidelity", ["functional", "timed", "packet"])
@pytest.mark.parametrize("machine", [chips.spinnaker2(3, 3), chips.spinnaker2(4, 2, wrap=False),
                                     chips.spinnaker1()])
def test_packet_counts_equal_the_links_of_each_spikes_tree(machine, fidelity):
    """Without congestion every fidelity puts each spike's packet on exactly the links and
    routers of its slice's tree (timed counts a packet when it is offered to the link, in
    the same window here since no packet waits long)."""
    net = poisson_network()
    options = dict(neurons_per_core=6, placer="spread")
    result = run_serial(net, machine, duration_ms=50.0, traffic_window_ms=5.0,
                        fidelity=fidelity, **options)
    mapping = map_network(net, machine, MappingOptions(**options), seed=3)
    topology = machine.topology
    window = result.group_attributes["traffic"]["window_length_ticks"]
    n_windows = len(result.datasets["traffic/window_ticks"])
    links = np.zeros((n_windows, topology.n_links), dtype=np.int64)
    routers = np.zeros((n_windows, topology.n_chips), dtype=np.int64)
    by_population = np.zeros((n_windows, len(net.populations), topology.n_links), dtype=np.int64)
    placements = result.datasets["mapping/placements"]
    names = placements["population"]
    for pop in result.populations:
        times, ids = result.spikes(pop)
        mine = np.flatnonzero(names == pop)
        for t, i in zip(times, ids):
            s = mine[(placements["slice_start"][mine] <= i) & (i < placements["slice_stop"][mine])]
            assert len(s) == 1
            links[t // window, mapping.routes.links_of(s[0])] += 1
            routers[t // window, mapping.routes.routers_of(s[0])] += 1
            by_population[t // window, net.population(pop).index,
                          mapping.routes.links_of(s[0])] += 1
    assert links.sum() > 100
    np.testing.assert_array_equal(result.datasets["traffic/link_packets"], links)
    np.testing.assert_array_equal(result.datasets["traffic/link_bits"],
                                  links * machine.chip.packet_bits())
    np.testing.assert_array_equal(result.datasets["traffic/router_packets"], routers)
    np.testing.assert_array_equal(result.datasets["traffic/population_link_packets"],
                                  by_population)
    assert (by_population.sum(axis=(0, 2)) > 0).sum() >= 2     # more than one layer crosses


@pytest.mark.parametrize("width,height", [(3, 3), (5, 4), (2, 6)])
def test_every_tree_reaches_its_targets_along_one_tree_per_population(width, height):
    """Each slice's packets follow a tree to exactly its target cores, within its
    population's one tree: shortest paths from the tree's root (the chip holding most of the
    population's senders), so no longer than the way through the root, and shortest for the
    slices on the root."""
    machine = chips.spinnaker2(width, height)
    topology = machine.topology
    net = poisson_network()
    mapping = map_network(net, machine, MappingOptions(4, "spread"), seed=5)
    routes, placement = mapping.routes, mapping.placement
    sending = np.unique(mapping.edges.source)
    root = {p: np.bincount(placement.chip[sending[mapping.slices.population[sending] == p]])
            .argmax() for p in np.unique(mapping.slices.population[sending])}
    for p, r in root.items():
        links = routes.links[np.isin(row_of(routes.link_ptr),
                                     np.flatnonzero(mapping.slices.population == p))]
        edges = {frozenset(e) for e in zip(topology.link_source[links].tolist(),
                                           topology.link_target[links].tolist())}
        chips_on = {c for e in edges for c in e}
        assert len(edges) == len(chips_on) - 1 or not edges, "the population's links are " \
            "not one tree"
    for s in range(len(mapping.slices)):
        targets = mapping.edges.target[mapping.edges.source == s]
        expected_cores = np.unique(placement.global_core(machine.chip.cores)[targets])
        np.testing.assert_array_equal(routes.cores_of(s), expected_cores)
        tree = routes.links_of(s)
        if len(targets) == 0:
            assert len(tree) == 0 and len(routes.routers_of(s)) == 0
            continue
        source = placement.chip[s]
        entered = topology.link_target[tree]
        assert len(np.unique(entered)) == len(tree), "a chip is entered twice: not a tree"
        assert source not in entered
        depth = {int(source): 0}
        frontier = [int(source)]
        while frontier:
            chip = frontier.pop()
            for link in tree[topology.link_source[tree] == chip]:
                depth[int(topology.link_target[link])] = depth[chip] + 1
                frontier.append(int(topology.link_target[link]))
        assert len(depth) == len(tree) + 1, "the tree is not connected to its source"
        target_chips = set((expected_cores // machine.chip.cores).tolist())
        r = root[mapping.slices.population[s]]
        for chip in target_chips:
            shortest = hex_torus_distance(topology.chip_xy[source], topology.chip_xy[chip],
                                          width, height)
            via_root = (hex_torus_distance(topology.chip_xy[source], topology.chip_xy[r],
                                           width, height)
                        + hex_torus_distance(topology.chip_xy[r], topology.chip_xy[chip],
                                             width, height))
            assert shortest <= depth[chip] <= via_root
            if source == r:
                assert depth[chip] == shortest
        leaves = set(depth) - set(topology.link_source[tree].tolist())
        assert leaves <= target_chips | {int(source)}, "a branch leads to no target"
        np.testing.assert_array_equal(routes.routers_of(s), sorted(depth))
