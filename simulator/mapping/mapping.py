"""The whole mapping of a network onto a machine, and the function that makes it."""

from dataclasses import dataclass

import numpy as np

from chips import Machine
from networks import Network

from ..distribution import SerialComm, chip_ranks
from ..errors import ConfigError, MappingError
from .compress import TableSizes, compress_entries
from ..options import MappingOptions
from .connectivity import Edges, find_edges, merge_edges
from .entries import RouterEntries, merge_entries
from .keys import Keys, allocate_keys
from .placement import PLACERS, Placement, PlacementProblem, alive_cores, pin_slices
from .resources import SliceMemory, fitting_slice_sizes, slice_memory
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
    memory: SliceMemory
    rates_hz: np.ndarray   # float64 [populations]: expected firing rate of each
    table_sizes: TableSizes
    entries: RouterEntries     # key/mask entries of every router, merged per population
    compressed: RouterEntries  # the same tables after compression

    def check_tables(self) -> None:
        """Refuse a mapping whose router tables do not fit even compressed, naming one."""
        overfull = self.table_sizes.overfull
        if len(overfull):
            c = int(overfull[0])
            x, y = self.machine.topology.chip_xy[c]
            raise MappingError(
                f"the routing table of chip ({x}, {y}) needs {self.table_sizes.after[c]} "
                f"entries even compressed (from {self.table_sizes.before[c]}) but the router "
                f"holds {self.table_sizes.capacity}"
                + (f" ({len(overfull)} routers do not fit)" if len(overfull) > 1 else "")
                + "; use the graph placer, pin communicating populations together or raise "
                  "[machine.router] table_entries")

    def slices_of_rank(self, rank: int) -> np.ndarray:
        """The slices placed on chips that `rank` simulates, in slice order."""
        return np.flatnonzero(self.chip_rank[self.placement.chip] == rank)


def map_network(network: Network, machine: Machine,
                options: MappingOptions = MappingOptions(), seed: int = 0,
                comm=None) -> Mapping:
    """Partition, place, key, route and compress `network` on `machine`.

    Slices are cut to fit a core's data memory; edges come from the synapses themselves (a
    slice sends only to cores that hold one of its synapses); under MPI each rank finds the
    edges into its block of slices and all ranks share them, so every rank holds the same
    mapping. The `graph` placer weighs each edge by its source's expected packets/s.
    """
    comm = comm or SerialComm()
    widest = np.array([min(options.neurons_per_core, p.size) for p in network.populations],
                      dtype=np.int64)
    limit = fitting_slice_sizes(network, widest, machine.chip) if options.fit_memory else widest
    slices = partition(network, limit, full=options.slicing == "full")
    local = np.array_split(np.arange(len(slices)), comm.size)[comm.rank]
    mine = find_edges(network, slices, local, seed)
    edges = merge_edges(comm.allgather(mine.source), comm.allgather(mine.target),
                        comm.allgather(mine.synapses), comm.allgather(mine.rows))
    rates = population_rates(network, options)
    placement = place(network, machine, options, slices, edges, rates, seed,
                      bool((limit < widest).any()))
    keys = allocate_keys(slices, len(network.populations))
    ranks = chip_ranks(machine, comm.size)
    routes = route(machine, placement, edges, slices)
    tables = build_tables(machine, keys, routes)
    entries = merge_entries(machine, keys, slices, tables)
    compressed, sizes = compress_entries(machine, entries)
    return Mapping(machine, options, slices, placement, keys, edges, routes, tables, ranks,
                   slice_memory(network, slices, edges, machine.chip), rates, sizes, entries,
                   compressed)


def population_rates(network: Network, options: MappingOptions) -> np.ndarray:
    """Expected firing rate of every population: `[mapping] rates_hz`, a Poisson source's
    own rate, or `default_rate_hz`."""
    names = [p.name for p in network.populations]
    for name in options.rates_hz:
        if name not in names:
            raise ConfigError(f"[mapping] rates_hz.{name}: {name} is not a population of the "
                              f"network; the populations are {', '.join(names)}")
    return np.array([float(options.rates_hz.get(
        p.name, getattr(p.model, "rate_hz", options.default_rate_hz)))
        for p in network.populations], dtype=np.float64)


def place(network: Network, machine: Machine, options: MappingOptions, slices: Slices,
          edges: Edges, rates_hz: np.ndarray, seed: int,
          memory_limited: bool = False) -> Placement:
    """Pin what `[mapping] pins` names, then run the chosen placer on the live cores;
    `memory_limited` says memory, not `neurons_per_core`, set some slice sizes."""
    free = alive_cores(machine)
    names = [p.name for p in network.populations]
    pinned_chip, pinned_core = pin_slices(slices, machine, options.pins, names, free)
    packets_s = rates_hz[slices.population] * slices.size
    problem = PlacementProblem(slices, machine, free, pinned_chip, pinned_core, edges.source,
                               edges.target, packets_s[edges.source], seed, memory_limited)
    return PLACERS[options.placer](problem)
