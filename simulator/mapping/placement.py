"""Placement: which core of which chip runs each slice.

Every placer works on the cores that are alive at time 0 (dead chips and cores from
`[faults]` are never used), places pinned populations first, then the other slices:
`sequential` fills chips in order, `spread` shares the slices evenly between the chips, and
`graph` starts from `spread` and moves slices between chips to lower the traffic-weighted hop
distance (graph_placer.py).
"""

from dataclasses import dataclass

import numpy as np

from chips import Machine

from ..errors import ConfigError, MappingError
from ..options import pin_chips
from .slices import Slices


@dataclass(frozen=True, eq=False)
class Placement:
    """Slice s runs on core `core[s]` of chip `chip[s]` (chip index in the topology)."""

    chip: np.ndarray  # int32 [slices]
    core: np.ndarray  # int32 [slices]

    def global_core(self, cores_per_chip: int) -> np.ndarray:
        """Machine-wide core number of each slice: chip * cores_per_chip + core."""
        return self.chip.astype(np.int64) * cores_per_chip + self.core


@dataclass(frozen=True, eq=False)
class PlacementProblem:
    """What a placer needs: the slices, the machine, the free cores, the traffic between
    slices (packets/s of each edge's source) and the slices already pinned (chip -1: not)."""

    slices: Slices
    machine: Machine
    free: np.ndarray          # bool [chips, cores]: alive, application, not pinned
    pinned_chip: np.ndarray   # int32 [slices], -1 where free to place
    pinned_core: np.ndarray   # int32 [slices]
    edge_source: np.ndarray
    edge_target: np.ndarray
    edge_packets_s: np.ndarray
    seed: int
    memory_limited: bool = False  # some slices are smaller than neurons_per_core allows

    @property
    def unpinned(self) -> np.ndarray:
        return np.flatnonzero(self.pinned_chip < 0)

    @property
    def capacity(self) -> np.ndarray:
        """Free cores per chip."""
        return self.free.sum(axis=1)


def alive_cores(machine: Machine) -> np.ndarray:
    """[chips, cores]: application cores on live chips that are not dead at time 0."""
    topology = machine.topology
    alive = ~machine.system_cores()
    dead_chips, _, dead_cores = machine.faults.dead_at_start(topology)
    alive[sorted(dead_chips), :] = False
    for chip, core in dead_cores:
        alive[chip, core] = False
    return alive


def pin_slices(slices: Slices, machine: Machine, pins: dict, names: list[str],
               free: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Put each pinned population's slices, population by population in network order, on
    the first free cores of its chips (and core range), one chip after the other in the pin's
    order, taking them out of `free`."""
    chip = np.full(len(slices), -1, dtype=np.int32)
    core = np.full(len(slices), -1, dtype=np.int32)
    for name in sorted(pins):
        if name not in names:
            raise ConfigError(f"[mapping] pins.{name}: {name} is not a population of the "
                              f"network; the populations are {', '.join(names)}")
    for name in sorted(pins, key=names.index):   # in the network's (layer) order
        pin = pins[name]
        first, last = pin.get("cores", [0, machine.chip.cores - 1])
        allowed = np.zeros(machine.chip.cores, dtype=bool)
        allowed[first:last + 1] = True
        places = []
        for x, y in pin_chips(pin):
            c = machine.topology.chip_index(x, y)
            if c < 0:
                raise ConfigError(f"[mapping] pins.{name}: chip ({x}, {y}) does not exist on "
                                  f"this machine; pin to a chip inside it")
            places += [(c, k) for k in np.flatnonzero(free[c] & allowed)]
        mine = slices.of_population(names.index(name))
        if len(mine) > len(places):
            where = pin_description(pin)
            raise MappingError(
                f"[mapping] pins.{name}: population {name} needs {len(mine)} cores but "
                f"{where} {'has' if where.startswith('chip (') else 'have'} {len(places)} "
                f"free live application cores in cores {first}..{last}; widen the core or "
                f"chip range or pin it elsewhere")
        taken = np.array(places[:len(mine)], dtype=np.int64).reshape(-1, 2)
        chip[mine], core[mine] = taken[:, 0], taken[:, 1]
        free[taken[:, 0], taken[:, 1]] = False
    return chip, core


def pin_description(pin: dict) -> str:
    """'chip (1, 0)' or 'chips (0, 0), (1, 0)' for an error message."""
    chips_ = pin_chips(pin)
    listed = ", ".join(f"({x}, {y})" for x, y in chips_)
    return f"chip {listed}" if len(chips_) == 1 else f"chips {listed}"


def _check_fits(problem: PlacementProblem) -> None:
    needed, available = len(problem.unpinned), int(problem.free.sum())
    if needed > available:
        raise MappingError(
            f"the network needs {len(problem.slices)} cores (one per slice) but the machine "
            f"has {available + len(problem.slices) - needed} application cores alive; make "
            + ("[machine] width or height larger (core memory already limits the slices: "
               "`neurochip map` shows their sizes)" if problem.memory_limited else
               "[machine] width or height larger, or raise [mapping] neurons_per_core"))


def place_sequential(problem: PlacementProblem) -> Placement:
    """Fill the free cores of chip 0, then chip 1, ... with the slices in order."""
    _check_fits(problem)
    chips_, cores = np.nonzero(problem.free)
    todo = problem.unpinned
    return _finish(problem, todo, chips_[:len(todo)], cores[:len(todo)])


def balanced_quota(capacity: np.ndarray, n: int) -> np.ndarray:
    """Slices per chip: as equal as possible (to within one) where capacity allows, the
    extra ones to the first chips."""
    capacity = capacity.astype(np.int64)
    low, high = 0, int(capacity.max(initial=0))
    while low < high:  # the smallest level L with sum(min(capacity, L)) >= n
        level = (low + high) // 2
        if np.minimum(capacity, level).sum() >= n:
            high = level
        else:
            low = level + 1
    quota = np.minimum(capacity, max(low - 1, 0))
    extra = n - int(quota.sum())
    room = np.flatnonzero(capacity > quota)
    quota[room[:extra]] += 1
    return quota


def spread_chips(problem: PlacementProblem) -> np.ndarray:
    """The chip of every unpinned slice: contiguous blocks, a balanced number per chip (the
    extra slices spaced evenly; where dead or pinned cores leave too little room, a quota
    filled up to the chips' free cores)."""
    todo = problem.unpinned
    capacity = problem.capacity
    usable = np.flatnonzero(capacity > 0)
    chip = usable[np.arange(len(todo)) * len(usable) // max(len(todo), 1)]
    if np.all(np.bincount(chip, minlength=len(capacity)) <= capacity):
        return chip
    quota = balanced_quota(capacity, len(todo))
    return np.repeat(np.arange(len(quota)), quota)


def place_spread(problem: PlacementProblem) -> Placement:
    """Share the slices, in order, between all chips in contiguous blocks of equal size (to
    within one, where dead or pinned cores allow), so every chip does similar work."""
    _check_fits(problem)
    return on_chips(problem, problem.unpinned, spread_chips(problem))


def on_chips(problem: PlacementProblem, todo: np.ndarray, chip: np.ndarray) -> Placement:
    """Give the slices `todo`, each bound for `chip`, the free cores of their chip in order."""
    order = np.lexsort((todo, chip))
    chip_sorted = chip[order]
    rank = np.arange(len(order)) - np.searchsorted(chip_sorted, chip_sorted)
    core = np.empty(len(todo), dtype=np.int64)
    for c in np.unique(chip_sorted):
        here = chip_sorted == c
        core[order[here]] = np.flatnonzero(problem.free[c])[rank[here]]
    return _finish(problem, todo, chip, core)


def _finish(problem: PlacementProblem, todo, chip, core) -> Placement:
    chip_all = problem.pinned_chip.copy()
    core_all = problem.pinned_core.copy()
    chip_all[todo], core_all[todo] = chip, core
    return Placement(chip_all.astype(np.int32), core_all.astype(np.int32))


def place_graph(problem: PlacementProblem) -> Placement:
    from .graph_placer import place_graph as place
    _check_fits(problem)
    return place(problem)


def place_toolchain(problem: PlacementProblem) -> Placement:
    from .toolchain_placer import place_toolchain as place
    return place(problem)


PLACERS = {"sequential": place_sequential, "spread": place_spread, "graph": place_graph,
           "toolchain": place_toolchain}
