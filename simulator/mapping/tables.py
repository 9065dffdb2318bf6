"""Routing tables: the key/mask entries every router needs for the multicast trees."""

from dataclasses import dataclass

import numpy as np

from chips import Machine

from ..csr import group_by, row_of
from .keys import Keys
from .routing import Routes


@dataclass(frozen=True, eq=False)
class RoutingTables:
    """One entry per (router, slice) on the slice's tree, sorted by chip then slice.

    An entry sends matching packets out of the links in `link_bits` (bit d: direction d) and
    to the cores `cores[core_ptr[e]:core_ptr[e + 1]]` of its chip. `default_routed` marks the
    entries that default routing makes unnecessary (a packet that came in on a link and only
    goes straight on); routers leave them out of their tables."""

    chip: np.ndarray        # int32 [entries]
    slice: np.ndarray       # int32 [entries]
    key: np.ndarray         # uint32 [entries]
    mask: np.ndarray        # uint32 [entries]
    link_bits: np.ndarray   # uint8 [entries]
    core_ptr: np.ndarray    # int64 [entries + 1]
    cores: np.ndarray       # int32, core numbers on the entry's chip
    default_routed: np.ndarray  # bool [entries]

    def entries_per_chip(self, n_chips: int) -> np.ndarray:
        """Entries each router's table holds (default-routed hops excluded)."""
        return np.bincount(self.chip[~self.default_routed], minlength=n_chips).astype(np.int64)


def build_tables(machine: Machine, keys: Keys, routes: Routes) -> RoutingTables:
    """Derive every router's entries from the trees."""
    topology = machine.topology
    cores_per_chip = machine.chip.cores
    n_slices = len(routes.router_ptr) - 1

    def entry_ids(chip, slice_):
        return chip.astype(np.int64) * n_slices + slice_

    ids = np.sort(entry_ids(routes.routers, row_of(routes.router_ptr)))
    chip, slice_ = ids // n_slices, ids % n_slices

    link_slice = row_of(routes.link_ptr)
    tree = routes.links
    direction = topology.link_direction[tree].astype(np.int64)
    link_bits = np.zeros(len(ids), dtype=np.int64)
    np.bitwise_or.at(link_bits,
                     np.searchsorted(ids, entry_ids(topology.link_source[tree], link_slice)),
                     np.left_shift(1, direction))
    arrival = np.full(len(ids), -1, dtype=np.int64)
    arrival[np.searchsorted(ids, entry_ids(topology.link_target[tree], link_slice))] = direction

    core_entry = np.searchsorted(ids, entry_ids(routes.cores // cores_per_chip,
                                                row_of(routes.core_ptr)))
    core_ptr, cores = group_by(core_entry, (routes.cores % cores_per_chip).astype(np.int32),
                               len(ids))
    default_routed = ((arrival >= 0) & (np.diff(core_ptr) == 0)
                      & (link_bits == np.left_shift(1, np.maximum(arrival, 0)))
                      & machine.chip.router.default_routing)
    return RoutingTables(
        chip=chip.astype(np.int32), slice=slice_.astype(np.int32), key=keys.base[slice_],
        mask=np.full(len(ids), keys.mask, dtype=np.uint32), link_bits=link_bits.astype(np.uint8),
        core_ptr=core_ptr, cores=cores, default_routed=default_routed)
