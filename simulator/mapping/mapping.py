"""The whole mapping of a network onto a machine, and the function that makes it."""

from dataclasses import dataclass

import numpy as np

from chips import Machine
from networks import Network

from ..distribution import SerialComm, chip_ranks
from ..options import MappingOptions
from .connectivity import Edges, find_edges, merge_edges
from .keys import Keys, allocate_keys
from .placement import PLACERS, Placement
from .routing import Routes, route
from .slices import Slices, partition
from .tables import RoutingTables, build_tables


@dataclass(frozen=True, eq=False)
class Mapping:
    """Where every slice runs, how its packets are keyed and routed, and which rank owns
    each chip."""

    machine: Machine
    options: MappingOptions
    slices: Slices
    placement: Placement
    keys: Keys
    edges: Edges
    routes: Routes
    tables: RoutingTables
    chip_rank: np.ndarray  # int32 [chips]

    def slices_of_rank(self, rank: int) -> np.ndarray:
        """The slices placed on chips that `rank` simulates, in slice order."""
        return np.flatnonzero(self.chip_rank[self.placement.chip] == rank)


def map_network(network: Network, machine: Machine,
                options: MappingOptions = MappingOptions(), seed: int = 0,
                comm=None) -> Mapping:
    """Partition, place, key and route `network` on `machine`.

    Edges come from the synapses themselves (a slice sends only to cores that hold one of its
    synapses); under MPI each rank finds the edges into its own slices and all ranks share
    them, so every rank holds the same mapping.
    """
    comm = comm or SerialComm()
    slices = partition(network, options.neurons_per_core)
    placement = PLACERS[options.placer](slices, machine)
    keys = allocate_keys(slices)
    ranks = chip_ranks(machine, comm.size)
    local = np.flatnonzero(ranks[placement.chip] == comm.rank)
    mine = find_edges(network, slices, local, seed)
    edges = merge_edges(comm.allgather(mine.source), comm.allgather(mine.target),
                        comm.allgather(mine.synapses))
    routes = route(machine, placement, edges, len(slices))
    tables = build_tables(machine, keys, routes)
    return Mapping(machine, options, slices, placement, keys, edges, routes, tables, ranks)
