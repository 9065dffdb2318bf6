"""Core load at `timed` fidelity: the cycles each core spends per tick, when its spikes
leave, late packets and overruns.

A core's tick costs cycles_per_tick + its model's cycles per neuron x its neurons, plus
cycles_per_packet (and the row's DMA where rows live in SDRAM: Chip.packet_cycles) for every
packet that reaches it during the tick and, for every synapse of that packet's row on the
core, cycles_per_synaptic_event (cycles_per_kernel_event for a convolution stored as a
kernel: each row segment carries its cycles per event). Work beyond
the budget of its performance level (clock x tick) is an overrun (counted, with the largest
excess); it does not delay the next tick. With the `lowest_meeting_tick` DVFS policy a core
runs each tick at the lowest level whose budget would have held the work of its previous
tick (such a run goes one tick a batch, since a tick's clocks decide when its spikes leave).
A packet that reaches
its core after the tick it was sent in is late: as on SpiNNaker its weights land `delay`
ticks after the tick it arrived in, one or more ticks later than meant. Helper cores
(`helpers.py`) are cores here like the others, with their own fixed and per-packet costs.

The fabric runs a batch of ticks at once, so the per-tick counts are kept in a ring of
`batch_ticks + 1` slots (a copy handled in a batch can reach its core one tick after it).
"""

from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
from numba import njit

from chips import Machine

from ..csr import pointers, row_of
from .dispatch import compiled_entry
from .prefetch import prefetch
from .synapses import SynapticMatrix, add_synapses


@dataclass(eq=False)
class CoreLoad:
    """Per-core counters of this rank's cores (in layout order), per traffic window."""

    base_cycles: np.ndarray      # [cores]: fixed cost of a tick
    cycles_per_neuron: np.ndarray  # [cores]: of each core's model
    budget_cycles: int           # at the level cores start at
    level_budget: np.ndarray     # [levels]: cycles a tick holds at each level
    level_hz: np.ndarray         # [levels]: the clock of each level
    level: np.ndarray            # [cores]: the level of the current batch
    adaptive: bool               # the lowest_meeting_tick policy
    cycles_per_packet: np.ndarray  # [cores]
    cycles_per_synaptic_event: int
    tick_packets: np.ndarray     # [batch ticks + 1, cores]: packets of each tick in flight
    tick_events: np.ndarray      # [batch ticks + 1, cores]
    tick_event_cycles: np.ndarray  # [batch ticks + 1, cores]: cycles of those events
    batch_peak: np.ndarray       # [cores]: cycles of the busiest tick of the batch so far
    cycles: np.ndarray           # [windows, cores]
    overruns: np.ndarray
    max_excess_cycles: np.ndarray
    late_packets: np.ndarray
    packets: np.ndarray
    synaptic_events: np.ndarray
    level_ticks: np.ndarray      # [levels, windows, cores]
    level_cycles: np.ndarray     # [levels, windows, cores]
    finish_kernel: object = field(default=None, repr=False)  # `finish_tick`, once warm its entry

    def warm_up(self, window_ticks: int, to) -> None:
        """Compile `finish_tick` on tick 0 (the caller then clears the counters) and call it
        without Numba's dispatch from then on."""
        self.finish_tick(0, window_ticks, to)
        self.finish_kernel = compiled_entry(finish_tick)

    def finish_tick(self, tick: int, window_ticks: int, to) -> None:
        """Close `tick` on every core, with the packets `to` (the `CopyTarget`) counted for
        the cores of each table entry."""
        (self.finish_kernel or finish_tick)(
            tick, window_ticks, self.base_cycles, self.level_budget, self.level,
            self.cycles_per_packet, self.tick_event_cycles, self.tick_packets,
            self.tick_events, to.entry_packets, to.entry_local_ptr, to.entry_local,
            self.batch_peak, self.cycles, self.overruns, self.max_excess_cycles, self.packets,
            self.synaptic_events, self.level_ticks, self.level_cycles)

    def finish_batch(self) -> None:
        """After a batch's last tick: with the adaptive policy, each core's next level (from
        the busiest tick of the batch: batches are one tick long under that policy)."""
        if self.adaptive:
            choose_levels(self.level_budget, self.batch_peak, self.level)
        self.batch_peak[:] = 0

    def clock_hz(self) -> np.ndarray:
        """Each core's clock in the current batch."""
        return self.level_hz[self.level]

    def counters(self) -> dict:
        """The per-window counters under their result names, [windows, cores] or
        [levels, windows, cores]."""
        return {name: getattr(self, name) for name in CORE_COUNTERS}

    def clear(self) -> None:
        for table in self.counters().values():
            table[...] = 0


CORE_COUNTERS = ("cycles", "overruns", "max_excess_cycles", "late_packets", "packets",
                 "synaptic_events", "level_ticks", "level_cycles")


def core_load(machine: Machine, base_cycles: np.ndarray, cycles_per_neuron: np.ndarray,
              cycles_per_packet: np.ndarray, run, n_windows: int,
              batch_ticks: int) -> CoreLoad:
    """Counters of a rank's cores, whose ticks cost `base_cycles` before any packet and
    `cycles_per_packet` a packet taken (in local core order, `helpers.base_cycles`)."""
    core = machine.chip.core
    n = len(base_cycles)

    def table(*lead):
        return np.zeros((*lead, n_windows, n), dtype=np.int64)
    in_flight = np.zeros((batch_ticks + 1, n), dtype=np.int64)
    budgets = np.array(core.budget_cycles(run.timestep_ns), dtype=np.int64)
    return CoreLoad(base_cycles.astype(np.int64), cycles_per_neuron.astype(np.int64),
                    int(budgets[core.performance_level]), budgets,
                    np.array(core.performance_levels_hz, dtype=np.int64),
                    np.full(n, core.performance_level, dtype=np.int64),
                    core.dvfs_policy == "lowest_meeting_tick",
                    cycles_per_packet.astype(np.int64),
                    core.cycles_per_synaptic_event, in_flight, in_flight.copy(),
                    in_flight.copy(), np.zeros(n, dtype=np.int64), table(), table(), table(),
                    table(), table(), table(), table(core.n_levels), table(core.n_levels))


@njit(cache=True)
def emission_ps(tick, tick_ps, gids, slices, local_core, first_id, cycles_per_tick,
                cycles_per_neuron, clock_hz):
    """When each spike of `tick` (global ids, their slices and local cores) leaves its core:
    when the core's update reaches its neuron, tick start + (cycles_per_tick + (position + 1)
    x cycles per neuron) at the core's clock."""
    emits = np.empty(gids.size, dtype=np.int64)
    write_emission_ps(emits, tick, tick_ps, gids, slices, local_core, first_id,
                      cycles_per_tick, cycles_per_neuron, clock_hz)
    return emits


@njit(cache=True)
def write_emission_ps(emits, tick, tick_ps, gids, slices, local_core, first_id,
                      cycles_per_tick, cycles_per_neuron, clock_hz):
    """`emission_ps` into `emits` (as many as `gids`), allocating nothing."""
    for i in range(gids.size):
        c = local_core[slices[i]]
        cycles = cycles_per_tick + (gids[i] - first_id[slices[i]] + 1) * cycles_per_neuron[c]
        emits[i] = tick * tick_ps + (cycles * 1_000_000_000_000) // clock_hz[c]


@dataclass(frozen=True, eq=False)
class Segments:
    """The part of each synaptic row that lies on one core: row g's segments are
    `seg_ptr[g] .. seg_ptr[g + 1]`, each a core (layout order) and its number of synapses,
    which follow each other from the row's first synapse on (12 bytes a segment: most rows
    have one or two synapses on a core), and the cycles each of its synaptic events costs."""

    seg_ptr: np.ndarray   # int64 [rows + 1]
    core: np.ndarray      # int32 [segments]
    length: np.ndarray    # int32 [segments]
    cycles_per_event: np.ndarray  # int32 [segments]


def row_segments(row_ptr: np.ndarray, receiver: np.ndarray, cycles_per_event) -> Segments:
    """Cut every row where its synapses move to the next core (`receiver`: the local core
    that takes each synapse's packets, ascending within a row); `cycles_per_event(seg_ptr,
    core)` gives what one synaptic event of each segment costs its core."""
    row = row_of(row_ptr)
    core = receiver
    if len(row) == 0:
        empty = np.empty(0, dtype=np.int32)
        return Segments(np.zeros(len(row_ptr), dtype=np.int64), empty, empty, empty.copy())
    new = np.flatnonzero(np.r_[True, (row[1:] != row[:-1]) | (core[1:] != core[:-1])])
    seg_ptr = pointers(np.bincount(row[new], minlength=len(row_ptr) - 1))
    seg_core = core[new].astype(np.int32)
    length = np.diff(np.r_[new, len(row)]).astype(np.int32)
    return Segments(seg_ptr, seg_core, length,
                    np.asarray(cycles_per_event(seg_ptr, seg_core), dtype=np.int32))


class CopyTarget(NamedTuple):
    """Where delivered packet copies go: this rank's synaptic rows cut per core, the input
    ring, and the per-core counters."""

    core_local: np.ndarray   # machine-wide core number -> local core number (-1: not here)
    chip_core_ptr: np.ndarray  # [chips + 1]: local cores of chip c are ptr[c] .. ptr[c+1]-1
    entry_local_ptr: np.ndarray  # [entries + 1]: each table entry's cores on this rank,
    entry_local: np.ndarray      # as local core numbers (entries as in the fabric's spec)
    seg_ptr: np.ndarray
    seg_core: np.ndarray
    seg_length: np.ndarray
    seg_cycles_per_event: np.ndarray
    row_ptr: np.ndarray
    target: np.ndarray
    weight: np.ndarray
    delay_ticks: np.ndarray
    ring: np.ndarray         # [slots (a power of two), inputs]
    tick_ps: int
    window_ticks: int
    n_ticks: int
    tick_packets: np.ndarray
    tick_events: np.ndarray
    tick_event_cycles: np.ndarray
    entry_packets: np.ndarray  # [ticks in flight, entries]: packets every core of an entry got
    late_packets: np.ndarray


def copy_target(load: CoreLoad, core_local: np.ndarray, cores_per_chip: int,
                entry_core_ptr: np.ndarray, entry_cores: np.ndarray, segments: Segments,
                matrix: SynapticMatrix, ring: np.ndarray, run) -> CopyTarget:
    """The copy target of this rank's cores (`core_local` numbers them) for the fabric's
    table entries (`entry_core_ptr`, `entry_cores`: machine-wide cores, ascending)."""
    n_chips = len(core_local) // cores_per_chip
    local_chips = np.flatnonzero(core_local >= 0) // cores_per_chip
    chip_core_ptr = pointers(np.bincount(local_chips, minlength=n_chips))
    mine = core_local[entry_cores] >= 0
    entry_local_ptr = pointers(np.bincount(row_of(entry_core_ptr)[mine],
                                           minlength=len(entry_core_ptr) - 1))
    entry_packets = np.zeros((load.tick_packets.shape[0], len(entry_core_ptr) - 1),
                             dtype=np.int64)
    return CopyTarget(core_local, chip_core_ptr, entry_local_ptr,
                      core_local[entry_cores[mine]], segments.seg_ptr, segments.core,
                      segments.length, segments.cycles_per_event, matrix.row_ptr, matrix.target,
                      matrix.weight, matrix.delay_ticks, ring, run.timestep_ns * 1000,
                      run.window_ticks, run.duration_ticks, load.tick_packets,
                      load.tick_events, load.tick_event_cycles, entry_packets,
                      load.late_packets)


# The per-copy helpers below take the copy target's arrays one by one: handing a function
# the `CopyTarget` tuple costs about 100 ns a call (each array's reference count goes up and
# down, inlined or not), more than applying a short row.

@njit(cache=True, inline="always")
def apply_copy(arrive_ps, spike_tick, core, segment, start, value, tick_ps, n_ticks,
               window_ticks, late_packets, tick_packets, seg_core, seg_length,
               seg_cycles_per_event, tick_events, tick_event_cycles, ring, target, weight,
               delay_ticks):
    """A packet copy reaches local core `core` at `arrive_ps`: count it, and add its row's
    `segment` on this core (-1: none), whose synapses begin at `start`, `delay` ticks after
    the tick it arrived in. A copy that arrives after the tick its spike was made in is
    late."""
    arrival = arrive_ps // tick_ps
    if arrival >= n_ticks:
        return
    if arrival > spike_tick:
        late_packets[arrival // window_ticks, core] += 1
    slot = arrival % tick_packets.shape[0]
    tick_packets[slot, core] += 1
    if segment >= 0:
        length = seg_length[segment]
        add_synapses(ring, start, start + length, target, weight, delay_ticks, arrival, value)
        tick_events[slot, seg_core[segment]] += length
        tick_event_cycles[slot, seg_core[segment]] += length * seg_cycles_per_event[segment]


@njit(cache=True)
def apply_packet(entry, chip, gid, spike_tick, arrival, value, n_ticks, window_ticks,
                 entry_packets, late_packets, entry_local_ptr, entry_local, chip_core_ptr,
                 seg_ptr, seg_core, seg_length, seg_cycles_per_event, tick_events,
                 tick_event_cycles, row_ptr, ring, target, weight, delay_ticks):
    """A packet of `gid` that table entry `entry` of `chip` sends to its cores, all of them
    alive and reached in tick `arrival`: count it for this rank's cores of the entry and add
    its row's synapses on this rank's cores of the chip (in row order: core by core, as the
    copies would be applied one by one)."""
    if arrival >= n_ticks:
        return
    slot = arrival % entry_packets.shape[0]
    entry_packets[slot, entry] += 1
    if arrival > spike_tick:
        window = arrival // window_ticks
        for k in range(entry_local_ptr[entry], entry_local_ptr[entry + 1]):
            late_packets[window, entry_local[k]] += 1
    first_core, end_core = chip_core_ptr[chip], chip_core_ptr[chip + 1]
    first, end = seg_ptr[gid], seg_ptr[gid + 1]
    start = row_ptr[gid]
    while first < end and seg_core[first] < first_core:
        start += seg_length[first]
        first += 1
    stop, last = start, first
    while last < end and seg_core[last] < end_core:
        tick_events[slot, seg_core[last]] += seg_length[last]
        tick_event_cycles[slot, seg_core[last]] += seg_length[last] * seg_cycles_per_event[last]
        stop += seg_length[last]
        last += 1
    add_synapses(ring, start, stop, target, weight, delay_ticks, arrival, value)


@njit(cache=True)
def prefetch_row_pointers(row_ptr, seg_ptr, gid):
    """Start loading where the row of `gid` and its segments begin (so that `prefetch_row`
    of it, a few packets later, does not wait for them)."""
    prefetch(row_ptr, gid)
    prefetch(seg_ptr, gid)


@njit(cache=True)
def prefetch_row(row_ptr, target, weight, delay_ticks, seg_ptr, seg_core, seg_length,
                 seg_cycles_per_event, gid):
    """Start loading the synaptic row of `gid` and its segments, all three arrays of them
    (see `prefetch.py`): a packet reaches a synapse or two on each of a chip's cores, so
    the segments are as much memory as the synapses."""
    start, stop = row_ptr[gid], row_ptr[gid + 1]
    for j in range(start, stop, 16):
        prefetch(target, j)
        prefetch(weight, j)
    for j in range(start, stop, 32):
        prefetch(delay_ticks, j)
    for k in range(seg_ptr[gid], seg_ptr[gid + 1], 16):
        prefetch(seg_core, k)
        prefetch(seg_length, k)
        prefetch(seg_cycles_per_event, k)


@njit(cache=True)
def deliver_copies(to, delivered, values):
    """Apply packet copies (arrival ps, gid, machine-wide core, tick of the spike) in the
    order the fabric handled them, those of this rank's cores (the packet reference's way).

    That order is the fabric's total event order, the same in `timed` and `packet` and on any
    number of ranks, and each input belongs to one core, so weights are always summed in the
    same order."""
    seg_ptr, seg_core, seg_length = to.seg_ptr, to.seg_core, to.seg_length
    for i in range(delivered.shape[0]):
        core = to.core_local[delivered[i, 2]]
        if core < 0:
            continue
        gid = delivered[i, 1]
        segment, start = seg_ptr[gid], to.row_ptr[gid]
        while segment < seg_ptr[gid + 1] and seg_core[segment] < core:
            start += seg_length[segment]
            segment += 1
        if segment == seg_ptr[gid + 1] or seg_core[segment] != core:
            segment = -1
        apply_copy(delivered[i, 0], delivered[i, 3], core, segment, start, values[i],
                   to.tick_ps, to.n_ticks, to.window_ticks, to.late_packets, to.tick_packets,
                   seg_core, seg_length, to.seg_cycles_per_event, to.tick_events,
                   to.tick_event_cycles, to.ring, to.target, to.weight, to.delay_ticks)


@njit(cache=True)
def finish_tick(tick, window_ticks, base_cycles, level_budget, level, cycles_per_packet,
                tick_event_cycles, tick_packets, tick_events, entry_packets, entry_local_ptr,
                entry_local, batch_peak, cycles, overruns, max_excess, packets,
                synaptic_events, level_ticks, level_cycles):
    """Close tick `tick`: add up each core's cycles at its level and count the overruns."""
    w = tick // window_ticks
    slot = tick % tick_packets.shape[0]
    for e in range(entry_packets.shape[1]):
        got = entry_packets[slot, e]
        if got:
            for k in range(entry_local_ptr[e], entry_local_ptr[e + 1]):
                tick_packets[slot, entry_local[k]] += got
            entry_packets[slot, e] = 0
    for c in range(base_cycles.size):
        used = (base_cycles[c] + tick_packets[slot, c] * cycles_per_packet[c]
                + tick_event_cycles[slot, c])
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
        batch_peak[c] = max(batch_peak[c], used)
        tick_packets[slot, c] = 0
        tick_events[slot, c] = 0
        tick_event_cycles[slot, c] = 0


@njit(cache=True)
def choose_levels(level_budget, peak_cycles, level):
    """Each core's level: the lowest whose budget holds `peak_cycles` (else the highest)."""
    top = level_budget.size - 1
    for c in range(level.size):
        k = 0
        while k < top and level_budget[k] < peak_cycles[c]:
            k += 1
        level[c] = k
