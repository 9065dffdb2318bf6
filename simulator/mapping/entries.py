"""Router entries as PACMAN's merged table generator makes them: where slices of a
population share a route at a router, one key/mask entry for all of them.

At every router, a population's slices whose packets arrive there are taken in slice order;
runs of slices with the same route (links out and local cores) become the fewest aligned
key blocks that hold no other arriving slice of the population (slices whose packets never
reach the router, and key space no slice uses, are free to match). A population whose
arriving slices all share a route gets one entry under its population mask. Runs whose
every slice is carried through by default routing need no entry: their keys are the
router's protected keys, which must match nothing.
"""

from dataclasses import dataclass

import numpy as np

from chips import Machine

from ..csr import pointers
from .keys import FULL_MASK, Keys, slice_index
from .slices import Slices
from .tables import RoutingTables


@dataclass(frozen=True, eq=False)
class RouterEntries:
    """Key/mask entries of every router in table order (first match routes), grouped by
    chip (`chip_ptr`); entry e sends a packet out of the links of `route_link_bits[r]` and
    to the local cores `route_cores[route_core_ptr[r]:...]` of route r = `route[e]`.
    `population[e]` is the population whose keys it matches (-1 once compression merged
    entries of several). Protected keys pass through a router by default routing."""

    chip_ptr: np.ndarray         # int64 [chips + 1]
    key: np.ndarray              # uint32 [entries]
    mask: np.ndarray             # uint32 [entries]
    route: np.ndarray            # int64 [entries]
    population: np.ndarray       # int32 [entries]
    route_link_bits: np.ndarray  # uint8 [routes]
    route_core_ptr: np.ndarray   # int64 [routes + 1]
    route_cores: np.ndarray      # int32
    protected_ptr: np.ndarray    # int64 [chips + 1]
    protected_key: np.ndarray    # uint32
    protected_mask: np.ndarray   # uint32

    def __len__(self) -> int:
        return len(self.key)

    def per_chip(self) -> np.ndarray:
        return np.diff(self.chip_ptr)

    def of_chip(self, chip: int) -> slice:
        return slice(int(self.chip_ptr[chip]), int(self.chip_ptr[chip + 1]))

    def cores_of_route(self, r: int) -> np.ndarray:
        return self.route_cores[self.route_core_ptr[r]:self.route_core_ptr[r + 1]]


def route_ids(tables: RoutingTables, cores_per_chip: int) -> tuple[np.ndarray, ...]:
    """Number every per-slice entry's route (link bits and local cores): ids, and per id its
    link bits, core pointers and cores."""
    words = -(-cores_per_chip // 63)
    bits = np.zeros((len(tables.chip), words + 1), dtype=np.int64)
    bits[:, 0] = tables.link_bits
    entry = np.repeat(np.arange(len(tables.chip)), np.diff(tables.core_ptr))
    cores = tables.cores.astype(np.int64)
    np.bitwise_or.at(bits, (entry, 1 + cores // 63), np.left_shift(1, cores % 63))
    unique, first, ids = np.unique(bits, axis=0, return_index=True, return_inverse=True)
    counts = np.diff(tables.core_ptr)[first]
    take = np.concatenate([tables.cores[tables.core_ptr[e]:tables.core_ptr[e + 1]]
                           for e in first]) if len(first) else np.empty(0, np.int32)
    return (ids.reshape(-1).astype(np.int64), unique[:, 0].astype(np.uint8), pointers(counts),
            take.astype(np.int32))


def merge_entries(machine: Machine, keys: Keys, slices: Slices,
                  tables: RoutingTables) -> RouterEntries:
    """Every router's entries, merged per population where its slices share a route."""
    n_chips = machine.n_chips
    route, link_bits, core_ptr, cores = route_ids(tables, machine.chip.cores)
    population = slices.population[tables.slice].astype(np.int64)
    index = slice_index(slices)[tables.slice].astype(np.int64)
    order = np.lexsort((index, population, tables.chip))
    chip_sorted, pop_sorted = tables.chip[order], population[order]
    group = np.flatnonzero(np.r_[True, (np.diff(chip_sorted) != 0) | (np.diff(pop_sorted) != 0),
                                 True]) if len(order) else np.zeros(1, dtype=np.int64)
    slice_bits = keys.population_bits - keys.neuron_bits
    out_chip, out_key, out_bits, out_route, out_pop = [], [], [], [], []
    prot_chip, prot_key = [], []
    for g in range(len(group) - 1):
        rows = order[group[g]:group[g + 1]]
        chip, pop = int(tables.chip[rows[0]]), int(population[rows[0]])
        base = int(keys.population_base[pop])
        blocks, elided = cover_runs(index[rows], route[rows], tables.default_routed[rows],
                                    int(slice_bits[pop]))
        for first, bits, r in blocks:
            out_chip.append(chip)
            out_key.append(base | (first << keys.neuron_bits))
            out_bits.append(bits + keys.neuron_bits)
            out_route.append(r)
            out_pop.append(pop)
        prot_chip.append(np.full(len(elided), chip))
        prot_key.append(tables.key[rows[elided]])
    return _entries(n_chips, out_chip, out_key, out_bits, out_route, out_pop, prot_chip,
                    prot_key, keys, link_bits, core_ptr, cores)


def cover_runs(index: np.ndarray, route: np.ndarray, defaulted: np.ndarray,
               slice_bits: int) -> tuple[list[tuple[int, int, int]], np.ndarray]:
    """(first slice index, bits, route) of the aligned blocks that cover each run of equal
    routes among one population's slices at one router (`index` ascending), and the
    positions of the slices left to default routing (runs it carries whole); blocks stay
    clear of other routes' slices."""
    blocks, elided = [], []
    change = np.flatnonzero(np.r_[True, route[1:] != route[:-1], True])
    for a, b in zip(change[:-1], change[1:]):
        if defaulted[a:b].all():
            elided.append(np.arange(a, b))
            continue
        low = int(index[a - 1]) + 1 if a > 0 else 0
        high = int(index[b]) - 1 if b < len(index) else (1 << slice_bits) - 1
        run = index[a:b]
        at = 0
        while at < len(run):
            p = int(run[at])
            k = 0
            while k < slice_bits:
                start = (p >> (k + 1)) << (k + 1)
                if start < low or start + (1 << (k + 1)) - 1 > high:
                    break
                k += 1
            start = (p >> k) << k
            blocks.append((start, k, int(route[a])))
            at = int(np.searchsorted(run, start + (1 << k)))
    return blocks, np.concatenate(elided) if elided else np.empty(0, dtype=np.int64)


def _entries(n_chips, chip, key, bits, route, population, prot_chip, prot_key, keys,
             link_bits, core_ptr, cores) -> RouterEntries:
    chip = np.asarray(chip, dtype=np.int64)
    bits = np.asarray(bits, dtype=np.int64)
    mask = (FULL_MASK << bits.astype(np.uint64)) & FULL_MASK if len(bits) else bits
    protected_chip = np.concatenate(prot_chip).astype(np.int64) if prot_chip else chip[:0]
    protected_key = np.concatenate(prot_key) if prot_key else np.empty(0, np.uint32)
    return RouterEntries(
        chip_ptr=pointers(np.bincount(chip, minlength=n_chips)),
        key=np.asarray(key, dtype=np.int64).astype(np.uint32),
        mask=np.asarray(mask, dtype=np.int64).astype(np.uint32),
        route=np.asarray(route, dtype=np.int64),
        population=np.asarray(population, dtype=np.int32),
        route_link_bits=link_bits, route_core_ptr=core_ptr, route_cores=cores,
        protected_ptr=pointers(np.bincount(protected_chip, minlength=n_chips)),
        protected_key=protected_key.astype(np.uint32),
        protected_mask=np.full(len(protected_key), keys.mask, dtype=np.uint32))


def follow(machine: Machine, entries: RouterEntries, key: int,
           source_chip: int) -> tuple[np.ndarray, np.ndarray]:
    """Where a packet with `key` sent from `source_chip` goes by these tables (first match;
    default routing straight on where nothing matches a packet that came in on a link;
    dropped where nothing matches at its own chip): the links it crosses and the machine-wide
    cores it reaches. For checking tables, not for simulating."""
    topology = machine.topology
    cores_per_chip = machine.chip.cores
    links, cores = [], []
    todo = [(int(source_chip), -1)]  # chip, direction the packet travelled to reach it
    while todo:
        chip, arrived = todo.pop()
        if len(links) > 6 * topology.n_links:
            raise RuntimeError("routing loop")
        here = entries.of_chip(chip)
        hit = np.flatnonzero((np.uint32(key) & entries.mask[here]) == entries.key[here])
        if len(hit):
            r = int(entries.route[here][hit[0]])
            bits = int(entries.route_link_bits[r])
            cores += (chip * cores_per_chip + entries.cores_of_route(r)).tolist()
            directions = [d for d in range(6) if bits >> d & 1]
        else:
            directions = [arrived] if arrived >= 0 and machine.chip.router.default_routing \
                else []
        for d in directions:
            link = int(topology.link_of[chip, d])
            links.append(link)
            todo.append((int(topology.link_target[link]), d))
    return np.sort(np.array(links, dtype=np.int64)), np.sort(np.array(cores, dtype=np.int64))
