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
    """`shortest_paths(source) -> (parent link, hops)` over the links alive both ways and the
    chips alive at time 0. Of the shortest paths, a chip is entered straight on from its
    parent wherever it can be (as the longest-dimension-first routes of SpiNNaker's
    toolchain run straight), so that default routing carries more hops; else by the link
    breadth-first search finds it by first (links tried in direction order)."""
    topology = machine.topology
    dead_chips, dead_links, _ = machine.faults.dead_at_start(topology)
    alive = np.ones(topology.n_links, dtype=bool)
    alive[sorted(dead_links)] = False
    chip_alive = np.ones(topology.n_chips, dtype=bool)
    chip_alive[sorted(dead_chips)] = False
    alive &= chip_alive[topology.link_source] & chip_alive[topology.link_target]
    back = reverse_links(topology)
    alive &= (back >= 0) & alive[np.maximum(back, 0)]  # trees are walked both ways
    cache = {}

    def shortest_paths(source: int):
        if source not in cache:
            hops = np.full(topology.n_chips, -1, dtype=np.int32)
            first = np.full(topology.n_chips, -1, dtype=np.int32)
            hops[source] = 0
            frontier = [source]
            while frontier:  # breadth first over the live links
                following = []
                for chip in frontier:
                    for link in topology.link_of[chip]:
                        if link >= 0 and alive[link] and hops[topology.link_target[link]] < 0:
                            hops[topology.link_target[link]] = hops[chip] + 1
                            first[topology.link_target[link]] = link
                            following.append(int(topology.link_target[link]))
                frontier = following
            cache[source] = straight_parents(topology, hops, first, alive, back), hops
        return cache[source]
    return shortest_paths


def straight_parents(topology, hops: np.ndarray, first: np.ndarray, alive: np.ndarray,
                     back: np.ndarray) -> np.ndarray:
    """The link into every chip from a chip one hop nearer the source: the one that goes on
    in its parent's direction where there is one, else `first`."""
    parent = first.copy()
    direction = topology.link_direction
    reached = np.flatnonzero(hops > 0)
    for chip in reached[np.argsort(hops[reached], kind="stable")]:
        for out in topology.link_of[chip]:
            link = back[out] if out >= 0 else -1
            if link < 0 or not alive[link]:
                continue
            before = topology.link_source[link]
            if hops[before] == hops[chip] - 1 and parent[before] >= 0 \
                    and direction[parent[before]] == direction[link]:
                parent[chip] = link
                break
    return parent


def hop_matrix(machine: Machine) -> np.ndarray:
    """[chips, chips] hops between chips over live links (a large number where none)."""
    paths = live_paths(machine)
    n = machine.n_chips
    hops = np.stack([paths(c)[1] for c in range(n)]).astype(np.int64)
    return np.where(hops < 0, 4 * n, hops)


def reverse_links(topology) -> np.ndarray:
    """The link back along every link (-1 where the machine has none)."""
    back = topology.link_of[topology.link_target, (topology.link_direction + 3) % 6]
    return back.astype(np.int64)


def route(machine: Machine, placement: Placement, edges: Edges, slices) -> Routes:
    """One multicast tree per population, reaching the cores of the slices each slice has
    synapses on (see `route_senders`)."""
    target_core = placement.global_core(machine.chip.cores)
    span = np.int64(machine.n_chips * machine.chip.cores)
    pair = np.sort(edges.source.astype(np.int64) * span + target_core[edges.target])
    pair = pair[np.r_[True, pair[1:] != pair[:-1]]] if len(pair) else pair
    ptr = pointers(np.bincount(pair // span, minlength=len(slices)))
    return route_senders(machine, placement.chip, slices.population, ptr, pair % span)


def route_senders(machine: Machine, chip_of: np.ndarray, group_of: np.ndarray,
                  target_ptr: np.ndarray, target_cores: np.ndarray) -> Routes:
    """One multicast tree per group of senders (a population partition), as PACMAN routes
    an application vertex: the union of shortest paths from a root chip (the chip holding
    most of the group's senders that have targets) to every chip that sends or receives its
    packets. A sender's packets spread over that tree away from its own chip, along the
    branches that lead to its own target cores (machine-wide numbers, CSR rows by sender),
    so senders on one chip share every entry and senders of a group mostly share the tree.
    """
    topology = machine.topology
    shortest_paths = live_paths(machine)
    back = reverse_links(topology)
    cores_per_chip = machine.chip.cores
    n_senders = len(chip_of)
    links = [np.empty(0, np.int32)] * n_senders
    routers = [np.empty(0, np.int32)] * n_senders
    cores = [np.empty(0, np.int64)] * n_senders
    sending = np.flatnonzero(np.diff(target_ptr))
    for group in np.unique(group_of[sending]):
        mine = sending[group_of[sending] == group]
        own = {int(s): target_cores[target_ptr[s]:target_ptr[s + 1]].astype(np.int64)
               for s in mine}
        source_chips = chip_of[mine].astype(np.int64)
        root = int(np.bincount(source_chips).argmax())
        parent, hops = shortest_paths(root)
        terminals = np.unique(np.concatenate(
            [source_chips] + [c // cores_per_chip for c in own.values()]))
        for chip in terminals:
            if hops[chip] < 0:
                x, y = topology.chip_xy[chip]
                raise MappingError(f"chip ({x}, {y}) cannot be reached from the chips of "
                                   f"population partition {group}; the machine's links do "
                                   f"not join them")
        tree = _Tree(topology, parent, hops, back)
        for s in mine:
            links[s], routers[s] = tree.spread(int(chip_of[s]),
                                               np.unique(own[s] // cores_per_chip))
            cores[s] = own[s]
    count = lambda parts: np.array([len(p) for p in parts], dtype=np.int64)  # noqa: E731
    return Routes(pointers(count(links)), _concat(links, np.int32),
                  pointers(count(routers)), _concat(routers, np.int32),
                  pointers(count(cores)), _concat(cores, np.int64))


class _Tree:
    """A shortest-path tree from a root (parent link of every chip), walked from any of its
    chips: up towards the root over the links back, down along the parent links."""

    def __init__(self, topology, parent, hops, back) -> None:
        self.topology, self.parent, self.hops, self.back = topology, parent, hops, back
        self.cache: dict = {}

    def spread(self, source: int, targets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Links and routers (source included) of the paths from `source` to `targets`."""
        key = (source, targets.tobytes())
        if key in self.cache:
            return self.cache[key]
        parent, source_of = self.parent, self.topology.link_source
        up = [source]  # source's chips up to the root, with their depth
        while parent[up[-1]] >= 0:
            up.append(int(source_of[parent[up[-1]]]))
        depth = {chip: i for i, chip in enumerate(up)}
        used: set[int] = set()
        highest = 0  # how far up from the source the paths climb
        for chip in targets:
            chip = int(chip)
            while chip not in depth and parent[chip] not in used:
                used.add(int(parent[chip]))
                chip = int(source_of[parent[chip]])
            if chip in depth:
                highest = max(highest, depth[chip])
        for chip in up[:highest]:
            link = int(self.back[parent[chip]])
            if link < 0:
                x, y = self.topology.chip_xy[chip]
                raise MappingError(f"the link back from chip ({x}, {y}) towards the root of "
                                   f"its tree is missing; the machine's links do not join "
                                   f"its chips both ways")
            used.add(link)
        tree = np.array(sorted(used), dtype=np.int32)
        chips = np.unique(np.r_[source, self.topology.link_target[tree]]).astype(np.int32)
        self.cache[key] = tree, chips
        return tree, chips


def _concat(parts, dtype) -> np.ndarray:
    return np.concatenate(parts).astype(dtype) if parts else np.empty(0, dtype=dtype)
