"""Core load at `timed` fidelity: the cycles each core spends per tick, late packets and
overruns.

A core's tick costs cycles_per_tick + cycles_per_neuron x its neurons, plus
cycles_per_packet (and the row's DMA where rows live in SDRAM: Chip.packet_cycles) for every
packet that reaches it during the tick and
cycles_per_synaptic_event for every synapse of that packet's row on the core. Work beyond
clock x tick is an overrun (counted, with the largest excess); it does not delay the next
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
    budget_cycles: int
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

    def finish_tick(self, tick: int, window_ticks: int) -> None:
        finish_tick(tick, window_ticks, self.base_cycles, self.budget_cycles,
                    self.cycles_per_packet, self.cycles_per_synaptic_event, self.tick_packets,
                    self.tick_events, self.cycles, self.overruns, self.max_excess_cycles,
                    self.packets, self.synaptic_events)


def core_load(machine: Machine, layout: LocalLayout, slice_sizes: np.ndarray, run,
              n_windows: int) -> CoreLoad:
    core = machine.chip.core
    sizes = slice_sizes[layout.local_slices]
    n = len(sizes)

    def table():
        return np.zeros((n_windows, n), dtype=np.int64)
    return CoreLoad(core.cycles_per_tick + core.cycles_per_neuron * sizes.astype(np.int64),
                    core.clock_hz * run.timestep_ns // 1_000_000_000, machine.chip.packet_cycles(),
                    core.cycles_per_synaptic_event, np.zeros((2, n), dtype=np.int64),
                    np.zeros((2, n), dtype=np.int64), table(), table(), table(), table(),
                    table(), table())


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
def finish_tick(tick, window_ticks, base_cycles, budget, cycles_per_packet,
                cycles_per_event, tick_packets, tick_events, cycles, overruns, max_excess,
                packets, synaptic_events):
    """Close tick `tick`: add up each core's cycles and count the overruns."""
    w = tick // window_ticks
    slot = tick % 2
    for c in range(base_cycles.size):
        used = (base_cycles[c] + tick_packets[slot, c] * cycles_per_packet
                + tick_events[slot, c] * cycles_per_event)
        cycles[w, c] += used
        packets[w, c] += tick_packets[slot, c]
        synaptic_events[w, c] += tick_events[slot, c]
        if used > budget:
            overruns[w, c] += 1
            max_excess[w, c] = max(max_excess[w, c], used - budget)
        tick_packets[slot, c] = 0
        tick_events[slot, c] = 0
