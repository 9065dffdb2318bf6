"""The whole mapping of a network onto a machine, and the function that makes it."""

from dataclasses import dataclass

import numpy as np

from chips import Machine
from networks import Network

from ..distribution import SerialComm
from ..errors import ConfigError, MappingError
from .compress import TableSizes, compress_entries
from ..options import MappingOptions
from .connectivity import Edges, find_edges, merge_edges
from .entries import RouterEntries, merge_entries
from .kernels import kernel_projections
from .keys import Keys, allocate_keys
from .placement import PLACERS, Placement, PlacementProblem, alive_cores, pin_slices
from .resources import SliceMemory, fitting_slice_sizes, slice_memory
from .roles import (NO_HELPERS, HelperCores, claim, delay_senders, delay_slices,
                    delivery_targets, group_cores, helper_needs, helpers_from)
from .routing import Routes, route, route_senders
from .slices import Slices, partition
from .tables import RoutingTables, build_tables


@dataclass(frozen=True, eq=False)
class Delivery:
    """The senders of packets (the slices, then one per delay-extension core), their keys,
    and the routes their packets take to the cores that take them (synapse cores where a
    slice has them)."""

    senders: Slices
    keys: Keys
    routes: Routes
    chip: np.ndarray  # int32 [senders]: the chip each sends from


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
    entries: RouterEntries     # key/mask entries of every router, merged per population
    compressed: RouterEntries  # the same tables after compression
    helpers: HelperCores = NO_HELPERS  # synapse and delay-extension cores
    delivery: "Delivery | None" = None  # what the router tables deliver, helpers included
    kernels: "np.ndarray | None" = None  # bool [projections]: stored as shared kernels

    @property
    def senders(self) -> "Delivery":
        """Every core that sends packets (slices, then delay cores), its keys and routes as
        the router entries carry them."""
        return self.delivery or Delivery(self.slices, self.keys, self.routes,
                                         self.placement.chip)

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
                comm=None, placement: Placement | None = None) -> Mapping:
    """Partition, place, key, route and compress `network` on `machine`.

    Slices are cut to fit a core's data memory; edges come from the synapses themselves (a
    slice sends only to cores that hold one of its synapses); under MPI each rank finds the
    edges into its block of slices and all ranks share them, so every rank holds the same
    mapping. The `graph` placer weighs each edge by its source's expected packets/s. A
    given `placement` (one core per slice, no helper cores: another tool's, to compare
    keys, routes and tables on the same placement) is kept instead of placing.
    """
    comm = comm or SerialComm()
    n_pops = len(network.populations)
    ring_cap = machine.chip.core.ring_delay_ticks if options.delay_extensions else None
    kernels = kernel_projections(network, options.conv_storage)
    slices, memory_limited = cut_slices(network, machine, options, kernels)
    local = np.array_split(np.arange(len(slices)), comm.size)[comm.rank]
    mine = find_edges(network, slices, local, seed)
    edges = merge_edges(comm.allgather(mine.source), comm.allgather(mine.target),
                        comm.allgather(mine.synapses), comm.allgather(mine.rows))
    rates = population_rates(network, options)
    synapse, delay = helper_needs(network, slices, options, machine.chip.core)
    if placement is None:
        placement, helpers = place(network, machine, options, slices, edges, rates, seed,
                                   memory_limited, synapse, delay)
    else:
        helpers = check_placement(machine, slices, placement, synapse + delay)
    routes = route(machine, placement, edges, slices)
    memory = slice_memory(network, slices, edges, machine.chip, ring_cap, kernels)
    if len(helpers) == 0:
        keys = allocate_keys(slices, n_pops)
        tables = build_tables(machine, keys, routes)
        delivery = None
        entries = merge_entries(machine, keys, slices, tables)
    else:
        senders = delay_slices(slices, helpers, n_pops)
        sender_keys = allocate_keys(senders, int(senders.population.max()) + 1)
        keys = Keys(sender_keys.neuron_bits, sender_keys.base[:len(slices)],
                    sender_keys.population_base[:n_pops], sender_keys.population_bits[:n_pops])
        tables = build_tables(machine, keys, routes)
        ptr, cores = delivery_targets(network, slices, placement, edges, helpers,
                                      len(senders), machine.chip.core, machine.chip.cores)
        _, _, delay_helper = delay_senders(slices, helpers, n_pops)
        sender_chip = np.concatenate([placement.chip, helpers.chip[delay_helper]])
        delivered = route_senders(machine, sender_chip, senders.population, ptr, cores)
        delivery = Delivery(senders, sender_keys, delivered, sender_chip.astype(np.int32))
        entries = merge_entries(machine, sender_keys, senders,
                                build_tables(machine, sender_keys, delivered))
    compressed, sizes = compress_entries(machine, entries)
    return Mapping(machine, options, slices, placement, keys, edges, routes, tables,
                   memory, rates, sizes, entries, compressed, helpers, delivery, kernels)


def check_placement(machine: Machine, slices: Slices, placement: Placement,
                    helpers_needed: np.ndarray) -> HelperCores:
    """Refuse a given placement that is not one distinct live application core per slice."""
    if len(placement.chip) != len(slices) or len(placement.core) != len(slices):
        raise MappingError(f"the placement has {len(placement.chip)} slices but the network "
                           f"has {len(slices)}; place every slice once")
    if helpers_needed.any():
        raise MappingError("a given placement cannot hold synapse or delay cores; set "
                           "[mapping] synapse_cores = 0 and delay_extensions = false")
    cores = placement.global_core(machine.chip.cores)
    alive = alive_cores(machine).ravel()
    if len(np.unique(cores)) < len(cores) or not alive[cores].all():
        raise MappingError("the placement puts two slices on one core or a slice on a system "
                           "or dead core; give every slice its own live application core")
    return NO_HELPERS


def cut_slices(network: Network, machine: Machine, options: MappingOptions,
               kernels: np.ndarray | None = None) -> tuple[Slices, bool]:
    """The slices of every population, and whether memory (not `neurons_per_core`) made
    some of them smaller (`kernels`: the projections stored as kernels, by default as
    `options.conv_storage` says)."""
    if kernels is None:
        kernels = kernel_projections(network, options.conv_storage)
    ring_cap = machine.chip.core.ring_delay_ticks if options.delay_extensions else None
    widest = np.minimum(options.slice_limits([p.name for p in network.populations]),
                        [p.size for p in network.populations])
    limit = fitting_slice_sizes(network, widest, machine.chip, ring_cap, kernels) \
        if options.fit_memory else widest
    return partition(network, limit, full=options.slicing == "full"), \
        bool((limit < widest).any())


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
          edges: Edges, rates_hz: np.ndarray, seed: int, memory_limited: bool = False,
          synapse=None, delay=None) -> tuple[Placement, HelperCores]:
    """Pin what `[mapping] pins` names, then run the chosen placer on the live cores;
    `memory_limited` says memory, not `neurons_per_core`, set some slice sizes. A slice
    with `synapse` and `delay` helper cores takes a group of that many more cores of its
    chip (the placer places groups)."""
    n = len(slices)
    synapse = np.zeros(n, np.int64) if synapse is None else synapse
    delay = np.zeros(n, np.int64) if delay is None else delay
    width = 1 + int((synapse + delay).max(initial=0))
    free = alive_cores(machine)
    names = [p.name for p in network.populations]
    pinned_chip, pinned_core = pin_slices(slices, machine, options.pins, names, free)
    spare = [np.empty(0, np.int64)] * n
    for s in np.flatnonzero(pinned_chip >= 0):
        spare[s] = claim(free, int(pinned_chip[s]), int(synapse[s] + delay[s]),
                         f"pinned population {names[slices.population[s]]}", machine)
    groups = group_cores(free, width)
    packets_s = rates_hz[slices.population] * slices.size
    problem = PlacementProblem(slices, machine, groups[..., 0] >= 0, pinned_chip, pinned_core,
                               edges.source, edges.target, packets_s[edges.source], seed,
                               memory_limited)
    placed = PLACERS[options.placer](problem)
    if width == 1:
        core = np.where(pinned_chip >= 0, placed.core,
                        groups[placed.chip, np.maximum(placed.core, 0), 0]).astype(np.int32)
        return Placement(placed.chip, core), NO_HELPERS
    core = placed.core.astype(np.int64).copy()
    for s in np.flatnonzero(pinned_chip < 0):
        members = groups[placed.chip[s], placed.core[s]]
        core[s], spare[s] = members[0], members[1:]
    return (Placement(placed.chip, core.astype(np.int32)),
            helpers_from(placed.chip, spare, synapse, delay))
