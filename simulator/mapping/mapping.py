"""The whole mapping of a network onto a machine, and the function that makes it."""

from dataclasses import dataclass

import numpy as np

from chips import Machine
from networks import Network

from ..distribution import SerialComm
from ..errors import ConfigError, MappingError
from .compress import TableSizes, compress_tables
from ..options import MappingOptions
from .connectivity import Edges, find_edges, merge_edges
from .keys import Keys, allocate_keys
from .placement import PLACERS, Placement, PlacementProblem, alive_cores, pin_slices
from .resources import SliceMemory, slice_memory
from .routing import Routes, route
from .slices import Slices, partition
from .tables import RoutingTables, build_tables


@dataclass(frozen=True, eq=False)
class Mapping:
    """Where every slice runs and how its packets are keyed and routed."""

    machine: Machine
    options: MappingOptions
    slices: Slices
    placement: Placement
    keys: Keys
    edges: Edges
    routes: Routes
    tables: RoutingTables
    memory: SliceMemory
    rates_hz: np.ndarray   # float64 [populations]: expected firing rate of each
    table_sizes: TableSizes

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


def map_network(network: Network, machine: Machine,
                options: MappingOptions = MappingOptions(), seed: int = 0,
                comm=None) -> Mapping:
    """Partition, place, key and route `network` on `machine`.

    Slices are cut to fit a core's data memory; edges come from the synapses themselves (a
    slice sends only to cores that hold one of its synapses); under MPI each rank finds the
    edges into its block of slices and all ranks share them, so every rank holds the same
    mapping. The `graph` placer weighs each edge by its source's expected packets/s.
    """
    comm = comm or SerialComm()
    limits = options.slice_limits([p.name for p in network.populations])
    slices = partition(network, limits,
                       machine.chip.core if options.fit_memory else None)
    local = np.array_split(np.arange(len(slices)), comm.size)[comm.rank]
    mine = find_edges(network, slices, local, seed)
    edges = merge_edges(comm.allgather(mine.source), comm.allgather(mine.target),
                        comm.allgather(mine.synapses), comm.allgather(mine.rows))
    rates = population_rates(network, options)
    placement = place(network, machine, options, slices, edges, rates, seed)
    keys = allocate_keys(slices)
    routes = route(machine, placement, edges, len(slices))
    tables = build_tables(machine, keys, routes)
    return Mapping(machine, options, slices, placement, keys, edges, routes, tables,
                   slice_memory(network, slices, edges, machine.chip.core), rates,
                   compress_tables(machine, tables))


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
          edges: Edges, rates_hz: np.ndarray, seed: int) -> Placement:
    """Pin what `[mapping] pins` names, then run the chosen placer on the live cores."""
    free = alive_cores(machine)
    names = [p.name for p in network.populations]
    pinned_chip, pinned_core = pin_slices(slices, machine, options.pins, names, free)
    packets_s = rates_hz[slices.population] * slices.size
    limits = options.slice_limits(names)[slices.population]
    widest = np.minimum(limits, [network.populations[p].size for p in slices.population])
    problem = PlacementProblem(slices, machine, free, pinned_chip, pinned_core, edges.source,
                               edges.target, packets_s[edges.source], seed,
                               bool((slices.size < widest - 1).any()))
    return PLACERS[options.placer](problem)
