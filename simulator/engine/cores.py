"""Core load at `timed` fidelity: the cycles each core spends per tick, late packets and
overruns.

A core's tick costs cycles_per_tick + its model's cycles per neuron x its neurons, plus
cycles_per_packet for every packet that reaches it during the tick and
cycles_per_synaptic_event for every synapse of that packet's row on the core. Work beyond
the budget of its performance level (clock x tick) is an overrun (counted, with the largest
excess); it does not delay the next tick. With the `lowest_meeting_tick` DVFS policy a core
runs each tick at the lowest level whose budget would have held the work of its previous
tick. A packet that reaches its core after the tick it was sent in is late: as on SpiNNaker
its weights land `delay` ticks after the tick it arrived in, one or more ticks later than
meant.
"""

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from numba import njit

from chips import Machine

from ..csr import pointers, row_of
from .layout import LocalLayout
from .synapses import SynapticMatrix


@dataclass(eq=False)
class CoreLoad:
    """Per-core counters of this rank's cores (in layout order), per traffic window."""

    base_cycles: np.ndarray      # [cores]: fixed cost of a tick
    budget_cycles: int           # at the level cores start at
    level_budget: np.ndarray     # [levels]: cycles a tick holds at each level
    level: np.ndarray            # [cores]: the level of the current tick
    adaptive: bool               # the lowest_meeting_tick policy
    cycles_per_packet: int
    cycles_per_synaptic_event: int
    tick_packets: np.ndarray     # [2, cores]: packets of the current and the next tick
    tick_events: np.ndarray      # [2, cores]
    cycles: np.ndarray           # [windows, cores]
    overruns: np.ndarray
    max_excess_cycles: np.ndarray
    late_packets: np.ndarray
    packets: np.ndarray
    synaptic_events: np.ndarray
    level_ticks: np.ndarray      # [levels, windows, cores]
    level_cycles: np.ndarray     # [levels, windows, cores]

    def finish_tick(self, tick: int, window_ticks: int) -> None:
        finish_tick(tick, window_ticks, self.base_cycles, self.level_budget, self.level,
                    self.adaptive, self.cycles_per_packet, self.cycles_per_synaptic_event,
                    self.tick_packets, self.tick_events, self.cycles, self.overruns,
                    self.max_excess_cycles, self.packets, self.synaptic_events,
                    self.level_ticks, self.level_cycles)

    def counters(self) -> dict:
        """The per-window counters under their result names, [windows, cores] or
        [levels, windows, cores]."""
        return {name: getattr(self, name) for name in CORE_COUNTERS}

    def clear(self) -> None:
        for table in self.counters().values():
            table[...] = 0


CORE_COUNTERS = ("cycles", "overruns", "max_excess_cycles", "late_packets", "packets",
                 "synaptic_events", "level_ticks", "level_cycles")


def core_load(machine: Machine, layout: LocalLayout, slice_sizes: np.ndarray,
              slice_cycles_per_neuron: np.ndarray, run, n_windows: int) -> CoreLoad:
    core = machine.chip.core
    local = layout.local_slices
    sizes = slice_sizes[local].astype(np.int64)
    n = len(sizes)
    levels = core.n_levels

    def table(*lead):
        return np.zeros((*lead, n_windows, n), dtype=np.int64)
    budgets = np.array(core.budget_cycles(run.timestep_ns), dtype=np.int64)
    return CoreLoad(core.cycles_per_tick + slice_cycles_per_neuron[local] * sizes,
                    int(budgets[core.performance_level]), budgets,
                    np.full(n, core.performance_level, dtype=np.int64),
                    core.dvfs_policy == "lowest_meeting_tick", core.cycles_per_packet,
                    core.cycles_per_synaptic_event, np.zeros((2, n), dtype=np.int64),
                    np.zeros((2, n), dtype=np.int64), table(), table(), table(), table(),
                    table(), table(), table(levels), table(levels))


@dataclass(frozen=True, eq=False)
class Segments:
    """The part of each synaptic row that lies on one core: row g's segments are
    `seg_ptr[g] .. seg_ptr[g + 1]`, each a core (layout order) and a synapse range."""

    seg_ptr: np.ndarray
    core: np.ndarray
    start: np.ndarray
    stop: np.ndarray


def row_segments(matrix: SynapticMatrix, layout: LocalLayout) -> Segments:
    """Cut every row where its synapses move to the next core."""
    row = row_of(matrix.row_ptr)
    core = layout.input_core[matrix.target]
    if len(row) == 0:
        empty = np.empty(0, dtype=np.int64)
        return Segments(np.zeros(len(matrix.row_ptr), dtype=np.int64), empty, empty, empty)
    new = np.flatnonzero(np.r_[True, (row[1:] != row[:-1]) | (core[1:] != core[:-1])])
    stop = np.r_[new[1:], len(row)]
    return Segments(pointers(np.bincount(row[new], minlength=len(matrix.row_ptr) - 1)),
                    core[new].astype(np.int64), new.astype(np.int64), stop.astype(np.int64))


class CopyTarget(NamedTuple):
    """Where delivered packet copies go: this rank's synaptic rows cut per core, the input
    ring, and the per-core counters."""

    core_local: np.ndarray   # machine-wide core number -> local core number (-1: not here)
    seg_ptr: np.ndarray
    seg_core: np.ndarray
    seg_start: np.ndarray
    seg_stop: np.ndarray
    target: np.ndarray
    weight: np.ndarray
    delay_ticks: np.ndarray
    ring: np.ndarray
    tick_ps: int
    window_ticks: int
    n_ticks: int
    tick_packets: np.ndarray
    tick_events: np.ndarray
    late_packets: np.ndarray


def copy_target(load: CoreLoad, core_local: np.ndarray, segments: Segments,
                matrix: SynapticMatrix, ring: np.ndarray, run) -> CopyTarget:
    return CopyTarget(core_local, segments.seg_ptr, segments.core, segments.start,
                      segments.stop, matrix.target, matrix.weight, matrix.delay_ticks, ring,
                      run.timestep_ns * 1000, run.window_ticks, run.duration_ticks,
                      load.tick_packets, load.tick_events, load.late_packets)


@njit(cache=True, inline="always")
def apply_copy(to, arrive_ps, spike_tick, core, segment, value):
    """A packet copy reaches local core `core` at `arrive_ps`: count it, and add its row's
    `segment` on this core (-1: none) `delay` ticks after the tick it arrived in. A copy
    that arrives after the tick its spike was made in is late."""
    arrival = arrive_ps // to.tick_ps
    if arrival >= to.n_ticks:
        return
    if arrival > spike_tick:
        to.late_packets[arrival // to.window_ticks, core] += 1
    to.tick_packets[arrival % 2, core] += 1
    if segment < 0:
        return
    depth = to.ring.shape[0]
    for j in range(to.seg_start[segment], to.seg_stop[segment]):
        to.ring[(arrival + to.delay_ticks[j]) % depth, to.target[j]] += to.weight[j] * value
    to.tick_events[arrival % 2, core] += to.seg_stop[segment] - to.seg_start[segment]


@njit(cache=True)
def segment_of(to, gid, core):
    """The segment of row `gid` on local core `core`, or -1."""
    lo, hi = to.seg_ptr[gid], to.seg_ptr[gid + 1]
    k = lo + np.searchsorted(to.seg_core[lo:hi], core)
    return k if k < hi and to.seg_core[k] == core else -1


@njit(cache=True)
def deliver_copies(to, delivered, values):
    """Apply packet copies (arrival ps, gid, machine-wide core, tick of the spike), in the
    order the fabric handled them.

    That order is the fabric's total event order, the same in `timed` and `packet` and on any
    number of ranks, and each input belongs to one core, so weights are always summed in the
    same order."""
    for i in range(delivered.shape[0]):
        core = to.core_local[delivered[i, 2]]
        apply_copy(to, delivered[i, 0], delivered[i, 3], core,
                   segment_of(to, delivered[i, 1], core), values[i])


@njit(cache=True)
def finish_tick(tick, window_ticks, base_cycles, level_budget, level, adaptive,
                cycles_per_packet, cycles_per_event, tick_packets, tick_events, cycles,
                overruns, max_excess, packets, synaptic_events, level_ticks, level_cycles):
    """Close tick `tick`: add up each core's cycles at its level, count the overruns, and
    (adaptive) choose the level of the next tick: the lowest whose budget holds this one."""
    w = tick // window_ticks
    slot = tick % 2
    top = level_budget.size - 1
    for c in range(base_cycles.size):
        used = (base_cycles[c] + tick_packets[slot, c] * cycles_per_packet
                + tick_events[slot, c] * cycles_per_event)
        k = level[c]
        cycles[w, c] += used
        level_cycles[k, w, c] += used
        level_ticks[k, w, c] += 1
        packets[w, c] += tick_packets[slot, c]
        synaptic_events[w, c] += tick_events[slot, c]
        budget = level_budget[k]
        if used > budget:
            overruns[w, c] += 1
            max_excess[w, c] = max(max_excess[w, c], used - budget)
        tick_packets[slot, c] = 0
        tick_events[slot, c] = 0
        if adaptive:
            k = 0
            while k < top and level_budget[k] < used:
                k += 1
            level[c] = k
