"""Multicast routes: the tree of links each slice's packets follow to their target cores."""

from dataclasses import dataclass

import numpy as np

from chips import Machine

from ..csr import pointers
from ..errors import MappingError
from .connectivity import Edges
from .placement import Placement


@dataclass(frozen=True, eq=False)
class Routes:
    """Per slice s, as CSR rows: the links of its multicast tree `links[link_ptr[s]:...]`,
    the chips whose router handles its packets `routers[...]` (source chip included), and
    the machine-wide numbers of its target cores `cores[...]`. A slice with no targets sends
    no packets and has empty rows."""

    link_ptr: np.ndarray
    links: np.ndarray
    router_ptr: np.ndarray
    routers: np.ndarray
    core_ptr: np.ndarray
    cores: np.ndarray

    def links_of(self, s: int) -> np.ndarray:
        return self.links[self.link_ptr[s]:self.link_ptr[s + 1]]

    def routers_of(self, s: int) -> np.ndarray:
        return self.routers[self.router_ptr[s]:self.router_ptr[s + 1]]

    def cores_of(self, s: int) -> np.ndarray:
        return self.cores[self.core_ptr[s]:self.core_ptr[s + 1]]


def live_paths(machine: Machine):
    """`shortest_paths(source) -> (parent link, hops)` over the links and chips alive at time
    0 (the topology's cached trees when nothing is dead from the start)."""
    topology = machine.topology
    dead_chips, dead_links, _ = machine.faults.dead_at_start(topology)
    if not dead_chips and not dead_links:
        return topology.shortest_paths
    alive = np.ones(topology.n_links, dtype=bool)
    alive[sorted(dead_links)] = False
    chip_alive = np.ones(topology.n_chips, dtype=bool)
    chip_alive[sorted(dead_chips)] = False
    alive &= chip_alive[topology.link_source] & chip_alive[topology.link_target]
    cache = {}

    def shortest_paths(source: int):
        if source not in cache:
            parent = np.full(topology.n_chips, -1, dtype=np.int32)
            hops = np.full(topology.n_chips, -1, dtype=np.int32)
            hops[source] = 0
            frontier = [source]
            while frontier:  # breadth first, links in direction order, as the topology's
                following = []
                for chip in frontier:
                    for link in topology.link_of[chip]:
                        if link >= 0 and alive[link] and hops[topology.link_target[link]] < 0:
                            nxt = topology.link_target[link]
                            hops[nxt], parent[nxt] = hops[chip] + 1, link
                            following.append(nxt)
                frontier = following
            cache[source] = parent, hops
        return cache[source]
    return shortest_paths


def hop_matrix(machine: Machine) -> np.ndarray:
    """[chips, chips] hops between chips over live links (a large number where none)."""
    paths = live_paths(machine)
    n = machine.n_chips
    hops = np.stack([paths(c)[1] for c in range(n)]).astype(np.int64)
    return np.where(hops < 0, 4 * n, hops)


def route(machine: Machine, placement: Placement, edges: Edges, n_slices: int) -> Routes:
    """Build each slice's tree as the union of shortest paths to its target chips.

    Paths come from one breadth-first tree per source chip, so paths to different targets
    share their common prefix and the union is a tree: every chip is entered by one link.
    """
    topology = machine.topology
    shortest_paths = live_paths(machine)
    cores_per_chip = machine.chip.cores
    target_core = placement.global_core(cores_per_chip)
    links, routers, cores = [], [], []
    link_count = np.zeros(n_slices, dtype=np.int64)
    router_count = np.zeros(n_slices, dtype=np.int64)
    core_count = np.zeros(n_slices, dtype=np.int64)
    bounds = np.searchsorted(edges.source, np.arange(n_slices + 1))
    for s in np.flatnonzero(np.diff(bounds)):
        slice_cores = np.unique(target_core[edges.target[bounds[s]:bounds[s + 1]]])
        source_chip = int(placement.chip[s])
        parent, hops = shortest_paths(source_chip)
        tree_links: set[int] = set()
        for chip in np.unique(slice_cores // cores_per_chip):
            if hops[chip] < 0:
                x, y = topology.chip_xy[chip]
                raise MappingError(f"chip ({x}, {y}) cannot be reached from the chip of slice "
                                   f"{s}; the machine's links do not join them")
            while chip != source_chip and parent[chip] not in tree_links:
                tree_links.add(int(parent[chip]))
                chip = topology.link_source[parent[chip]]
        tree = np.array(sorted(tree_links), dtype=np.int32)
        chips_on_tree = np.unique(np.r_[source_chip, topology.link_target[tree]]).astype(np.int32)
        links.append(tree)
        routers.append(chips_on_tree)
        cores.append(slice_cores)
        link_count[s], router_count[s], core_count[s] = len(tree), len(chips_on_tree), \
            len(slice_cores)
    return Routes(pointers(link_count), _concat(links, np.int32),
                  pointers(router_count), _concat(routers, np.int32),
                  pointers(core_count), _concat(cores, np.int64))


def _concat(parts, dtype) -> np.ndarray:
    return np.concatenate(parts).astype(dtype) if parts else np.empty(0, dtype=dtype)
