"""One compiled loop for a run of ticks: every model group's kernel, the input ring, state
and spike recording, packet counts and (on one rank) delivery in one Numba call, so that
Python runs only between batches.

Numba cannot cache a function that takes compiled functions as arguments, so the loop is
written out for each combination of model kernels (and number of state probes) a rank
holds: a few lines that import those kernels and call each in turn, then record the tick's
events and close the tick as the mode asks (`FINISH`: count, stash, deliver, exchange). The
module is kept in the kernel cache folder under a name that hashes its text and the source
of every model and engine module, so that editing a kernel never reuses a loop compiled
against the old one (Numba's cache does not notice a change in a function a cached one
calls).
"""

import hashlib
import importlib.util
import os
import sys
import tempfile
from pathlib import Path
from typing import NamedTuple

import numpy as np
from numba import njit

import networks

from ..atomic import write_atomically
from .cores import write_emission_ps
from .cycles import cycle_count
from .fabric import count_packets
from .synapses import deliver

DELIVER, COUNT, STASH, EMISSION, EXCHANGE = 1, 2, 4, 8, 16  # bits of TickArrays.mode
# TickArrays.counters: what the loop did, and the cycles of each phase of the profile
# and an exchange stopped for room (exchange.PACK_ROOM or ARRIVAL_ROOM; 0: none)
(RECORDED, STASHED, SYNAPTIC_EVENTS, EXCHANGES, BYTES_SENT, NEURON_CYCLES, ROUTING_CYCLES,
 DELIVERY_CYCLES, COMMUNICATION_CYCLES, WAITING_CYCLES, STOPPED_EXCHANGE) = range(11)
PHASE_CYCLES = slice(NEURON_CYCLES, WAITING_CYCLES + 1)  # in PROFILE_PHASES order
# columns of TickArrays.groups
FIRST_NEURON, SIZE, RECEPTORS, FIRST_INPUT, FIRST_EVENT, ROOM = range(6)


class TickArrays(NamedTuple):
    """Everything the loop reads and writes besides the groups' own state."""

    mode: int                  # a key of FINISH
    ring: np.ndarray           # float64 [depth (a power of two), inputs]
    groups: np.ndarray         # int64 [groups, 6]: the columns above
    graded: np.ndarray         # bool [groups]
    spiked: np.ndarray         # int32 [events room]: each group's events at FIRST_EVENT
    payload: np.ndarray        # float64 [events room]
    fired: np.ndarray          # int64 [groups]: events of the tick
    global_id: np.ndarray      # int64 [local neurons]
    local_slice: np.ndarray    # int64 [local neurons]
    slice_dead_tick: np.ndarray  # int64 [slices]: the first tick its core no longer runs
    tick_ids: np.ndarray       # int64 [events room]: scratch, the tick's events
    tick_values: np.ndarray    # float64 [events room]
    tick_slices: np.ndarray    # int64 [events room]
    sort_ids: np.ndarray       # int64 [events room]: scratch of the merge sort
    sort_values: np.ndarray    # float64 [events room]
    sort_slices: np.ndarray    # int64 [events room]
    record_ticks: np.ndarray   # int64 [capacity]: spike recording
    record_ids: np.ndarray     # int64 [capacity]
    window_ticks: int          # COUNT: functional fabric counters per traffic window;
    #                            EXCHANGE: a batch ends with its window
    slice_bits: np.ndarray
    link_ptr: np.ndarray
    links: np.ndarray
    router_ptr: np.ndarray
    routers: np.ndarray
    link_packets: np.ndarray   # int64 [windows, links]
    link_bits: np.ndarray      # int64 [windows, links]
    router_packets: np.ndarray  # int64 [windows, chips]
    slice_population: np.ndarray
    population_link_packets: np.ndarray  # int64 [windows, populations, links]
    row_ptr: np.ndarray        # DELIVER: the synaptic matrix
    target: np.ndarray
    weight: np.ndarray
    delay_ticks: np.ndarray
    out_tick: np.ndarray       # STASH: the run's events, in (tick, id) order
    out_id: np.ndarray
    out_value: np.ndarray
    out_slice: np.ndarray
    out_emit_ps: np.ndarray    # EMISSION: when each leaves its core
    tick_ps: int
    slice_local_core: np.ndarray
    slice_first_id: np.ndarray
    cycles_per_tick: int
    cycles_per_neuron: np.ndarray  # [local cores]
    clock_hz: np.ndarray       # [local cores]: of the current batch
    counters: np.ndarray       # int64 [11]: the indices above
    batch_ticks: int           # EXCHANGE: ticks between exchanges (from a window's start)
    duration_ticks: int
    mpi_comm: int              # the exchange's communicator and int64 type (MPICH handles)
    mpi_int64: int
    yield_while_waiting: bool
    rank: int
    n_ranks: int
    send_to: np.ndarray        # int64: the ranks that hold targets of this rank's slices
    receive_from: np.ndarray   # int64: the ranks whose slices have targets here
    destination_ptr: np.ndarray  # CSR: the ranks that hold targets of each slice
    destinations: np.ndarray
    exchange_scratch: np.ndarray  # int32: MPI requests, flag, count and statuses
    exchange_sizes: np.ndarray    # int64 [ranks]: events from each in an exchange
    exchange_rows: np.ndarray     # int64 [rows, 3]: the batch's events packed by rank
    exchange_arrived: np.ndarray  # int64 [rows, 3]: and every rank's that arrive
    exchange_index: np.ndarray    # int64 [3 x (ranks + 1)]: bounds, cursors, firsts
    mail: np.ndarray              # int64: every rank's shared-memory boxes (empty: MPI only)
    mail_sequence: np.ndarray     # int64 [1]: exchanges made through them by this process
    mail_segment: int             # a rank's part of `mail`
    mail_box: int                 # a box (header and rows)
    mail_capacity: int            # rows a box holds
    mail_both_ways: np.ndarray    # bool [ranks]: r sends here and is sent to (no acknowledgements)


# Helpers called every tick take arrays, never `TickArrays` itself: passing a tuple of 50
# arrays to a function costs about 300 ns a call (each array's reference count goes up and
# down), inlined or not, which was most of a quiet tick.

@njit(cache=True, inline="always")
def room_for_tick(counters, room, record_room, stashing, stash_room):
    """Whether the recording (and the stash) hold one more tick's `room` events."""
    if counters[RECORDED] + room > record_room:
        return False
    return not stashing or counters[STASHED] + room <= stash_room


@njit(cache=True, inline="always")
def group_inputs(ring, groups, k, slot):
    """Group k's inputs for ring slot `slot`, [receptors, neurons]."""
    first, size, receptors = groups[k, FIRST_INPUT], groups[k, SIZE], groups[k, RECEPTORS]
    return ring[slot][first:first + size * receptors].reshape(receptors, size)


@njit(cache=True, inline="always")
def clear_inputs(ring, groups, k, slot):
    """Zero group k's inputs in slot `slot` once its kernel has read them (indexed from 0,
    so that Numba checks no index for wrapping around: a quarter of the time)."""
    first, size, receptors = groups[k, FIRST_INPUT], groups[k, SIZE], groups[k, RECEPTORS]
    inputs = ring[slot][first:first + size * receptors]
    for i in range(inputs.size):
        inputs[i] = 0.0


@njit(cache=True, inline="always")
def group_events(array, groups, k):
    """Group k's part of `spiked` or `payload`."""
    return array[groups[k, FIRST_EVENT]:groups[k, FIRST_EVENT] + groups[k, ROOM]]


@njit(cache=True, inline="always")
def record_state(row, source):
    """A state probe's row of the tick."""
    for i in range(source.size):
        row[i] = source[i]


@njit(cache=True, inline="always")
def deliver_tick(tick, n, updated, counters, tick_ids, tick_values, row_ptr, target, weight,
                 delay_ticks, ring):
    """On one rank at functional fidelity: close the tick's routing cycles and deliver its
    `n` events."""
    routed = cycle_count()
    counters[ROUTING_CYCLES] += routed - updated
    if n:
        counters[SYNAPTIC_EVENTS] += deliver(tick_ids[:n], tick_values[:n], row_ptr, target,
                                             weight, delay_ticks, ring, tick)
        counters[DELIVERY_CYCLES] += cycle_count() - routed


@njit(cache=True, inline="always")
def stamp_emissions(tick, n, at, out_emit_ps, tick_ps, tick_ids, tick_slices, slice_local_core,
                    slice_first_id, cycles_per_tick, cycles_per_neuron, clock_hz):
    """At timed fidelity: the time each of the tick's `n` events, stashed from `at` on,
    leaves its core."""
    write_emission_ps(out_emit_ps[at:at + n], tick, tick_ps, tick_ids[:n], tick_slices[:n],
                      slice_local_core, slice_first_id, cycles_per_tick, cycles_per_neuron,
                      clock_hz)


# How the loop closes a tick after recording its events, by mode: lines of the generated
# loop (the functions they call take arrays, and nothing is called with all of
# `TickArrays` but the exchange at a batch's end), and what they import.
_COUNT = """        count_tick(tick, a.window_ticks, a.tick_slices[:n], a.slice_bits, a.link_ptr,
                   a.links, a.router_ptr, a.routers, a.link_packets, a.link_bits,
                   a.router_packets, a.slice_population, a.population_link_packets)"""
_STASH = """        at = stash_tick(tick, n, counters, a.tick_ids, a.tick_values, a.tick_slices,
                        a.out_tick, a.out_id, a.out_value, a.out_slice)"""
_ROUTED = "        counters[ROUTING_CYCLES] += cycle_count() - updated"
FINISH = {
    DELIVER | COUNT: ([_COUNT, """        deliver_tick(tick, n, updated, counters, a.tick_ids, a.tick_values, a.row_ptr,
                     a.target, a.weight, a.delay_ticks, ring)"""], ""),
    COUNT | STASH: ([_COUNT, _STASH, _ROUTED], ""),
    COUNT | STASH | EXCHANGE: ([_COUNT, _STASH, _ROUTED, """        if batch_ends(tick, a.window_ticks, a.batch_ticks, a.duration_ticks):
            counters[STOPPED_EXCHANGE] = exchange_stash(a)
            if counters[STOPPED_EXCHANGE]:
                return tick + 1"""],
                               "from simulator.engine.exchange import batch_ends, exchange_stash"),
    STASH | EMISSION: ([_STASH, """        stamp_emissions(tick, n, at, a.out_emit_ps, a.tick_ps, a.tick_ids, a.tick_slices,
                        a.slice_local_core, a.slice_first_id, a.cycles_per_tick,
                        a.cycles_per_neuron, a.clock_hz)""", _ROUTED], ""),
}


@njit(cache=True)
def record_tick(tick, counters, started, updated, fired, groups, spiked, payload, graded,
                local_slice, slice_dead_tick, global_id, tick_ids, tick_values, tick_slices,
                sort_ids, sort_values, sort_slices, record_ticks, record_ids):
    """Gather the tick's events into the scratch arrays and record them; returns how many."""
    counters[NEURON_CYCLES] += updated - started
    n = gather_events(tick, fired, groups, spiked, payload, graded, local_slice,
                      slice_dead_tick, global_id, tick_ids, tick_values, tick_slices, sort_ids,
                      sort_values, sort_slices)
    recorded = counters[RECORDED]
    for i in range(n):
        record_ticks[recorded + i] = tick
        record_ids[recorded + i] = tick_ids[i]
    counters[RECORDED] = recorded + n
    return n


@njit(cache=True, inline="always")
def count_tick(tick, window_ticks, spike_slices, slice_bits, link_ptr, links, router_ptr,
               routers, link_packets, link_bits, router_packets, slice_population,
               population_link_packets):
    """One packet per event on every link and router of its slice's tree (and in its
    population's count on those links), in its window."""
    window = tick // window_ticks
    count_packets(spike_slices, slice_bits, link_ptr, links, router_ptr, routers,
                  link_packets[window], link_bits[window], router_packets[window],
                  slice_population, population_link_packets[window])


@njit(cache=True, inline="always")
def stash_tick(tick, n, counters, tick_ids, tick_values, tick_slices, out_tick, out_id,
               out_value, out_slice):
    """Append the tick's events to the stash; returns where they start."""
    at = counters[STASHED]
    for i in range(n):
        out_tick[at + i] = tick
        out_id[at + i] = tick_ids[i]
        out_value[at + i] = tick_values[i]
        out_slice[at + i] = tick_slices[i]
    counters[STASHED] = at + n
    return at


@njit(cache=True)
def gather_events(tick, fired, groups, spiked, payload, graded, local_slice, slice_dead_tick,
                  global_id, tick_ids, tick_values, tick_slices, sort_ids, sort_values,
                  sort_slices):
    """The tick's events of live cores into the scratch arrays, in ascending global id (each
    group's come in ascending order; groups that interleave are merged, `sort_*` of the
    same size their scratch). Returns how many."""
    n = 0
    ordered = True
    for k in range(fired.size):
        first_neuron, first_event = groups[k, FIRST_NEURON], groups[k, FIRST_EVENT]
        for i in range(fired[k]):
            j = first_neuron + spiked[first_event + i]
            s = local_slice[j]
            if slice_dead_tick[s] <= tick:
                continue
            tick_ids[n] = global_id[j]
            tick_values[n] = payload[first_event + i] if graded[k] else 1.0
            tick_slices[n] = s
            ordered = ordered and (n == 0 or tick_ids[n - 1] <= tick_ids[n])
            n += 1
    if not ordered:
        merge_sort(tick_ids, tick_values, tick_slices, n, sort_ids, sort_values, sort_slices)
    return n


@njit(cache=True)
def merge_sort(ids, values, slices, n, scratch_ids, scratch_values, scratch_slices):
    """Sort the first `n` entries by id, keeping the order of equal ids (bottom-up merges of
    runs of doubling width, to and fro between the arrays and the scratch of as many; no
    allocation, so that a loop without reference counts can call it)."""
    keys, first, second = ids, values, slices
    to_keys, to_first, to_second = scratch_ids, scratch_values, scratch_slices
    width = 1
    while width < n:
        for lo in range(0, n, 2 * width):
            mid, hi = min(lo + width, n), min(lo + 2 * width, n)
            i, j = lo, mid
            for k in range(lo, hi):
                if i < mid and (j >= hi or keys[i] <= keys[j]):
                    take = i
                    i += 1
                else:
                    take = j
                    j += 1
                to_keys[k], to_first[k], to_second[k] = keys[take], first[take], second[take]
        keys, to_keys = to_keys, keys
        first, to_first = to_first, first
        second, to_second = to_second, second
        width *= 2
    if keys is not ids:  # the last merge went into the scratch
        for k in range(n):
            ids[k], values[k], slices[k] = keys[k], first[k], second[k]


_MODULE = '''"""Written by simulator/engine/fused.py: the tick loop for {names}. Not to be edited:
a change to any model or engine module gives the loop a new name."""

from numba import njit

from simulator.engine.cycles import cycle_count
from simulator.engine.fused import (ROUTING_CYCLES, STASH, STOPPED_EXCHANGE, clear_inputs,
                                    count_tick, deliver_tick, group_events, group_inputs,
                                    record_state, record_tick, room_for_tick, stamp_emissions,
                                    stash_tick)
{imports}


@njit(cache=True, _nrt={nrt})
def run_ticks(start, end, states, probes, a):
    """Ticks start .. end - 1; returns the first tick not run (before `end` when the
    recording or the stash is full, or an exchange stopped for room)."""
    depth_mask = a.ring.shape[0] - 1
    ring, groups, spiked, payload, fired, counters = (a.ring, a.groups, a.spiked, a.payload,
                                                      a.fired, a.counters)
    room, record_room, stash_room = a.tick_ids.size, a.record_ids.size, a.out_id.size
    stashing = (a.mode & STASH) != 0
    for tick in range(start, end):
        if not room_for_tick(counters, room, record_room, stashing, stash_room):
            return tick
        started = cycle_count()
        slot = tick & depth_mask
{body}
        updated = cycle_count()
        n = record_tick(tick, counters, started, updated, fired, groups, spiked, payload,
                        a.graded, a.local_slice, a.slice_dead_tick, a.global_id, a.tick_ids,
                        a.tick_values, a.tick_slices, a.sort_ids, a.sort_values,
                        a.sort_slices, a.record_ticks, a.record_ids)
{finish}
    return end
'''


def loop_for(kernels: list, n_probes: int, mode: int, counted: bool = False):
    """The compiled `run_ticks(start, end, states, probes, arrays)` for groups with these
    kernels (None for a group that Python steps before each one-tick call), `n_probes`
    state probes and `mode` (a key of FINISH); `states[k]` is group k's `kernel_state()`,
    `probes[p]` a (values, source) pair.

    The loop is compiled without Numba's reference counts (each array handed to a function
    has its count moved up and down, a tenth of a one-rank tick and a fifth of a two-rank
    one), so nothing it calls may allocate; `counted=True` gives the loop with them, for
    model kernels that do (it fails to compile otherwise)."""
    imports, body = [], []
    for k, kernel in enumerate(kernels):
        if kernel is not None:
            module, name = _location(kernel)
            imports.append(f"from {module} import {name} as kernel_{k}")
            body.append(f"        fired[{k}] = kernel_{k}(states[{k}], tick, "
                        f"group_inputs(ring, groups, {k}, slot), "
                        f"group_events(spiked, groups, {k}), group_events(payload, groups, {k}))")
        body.append(f"        clear_inputs(ring, groups, {k}, slot)")
    body += [f"        record_state(probes[{p}][0][tick], probes[{p}][1])"
             for p in range(n_probes)]
    names = ", ".join(_location(k)[1] if k is not None else "a Python group" for k in kernels)
    finish, finish_import = FINISH[mode]
    text = _MODULE.format(names=names or "no groups", nrt=counted,
                          imports="\n".join(([finish_import] if finish_import else []) + imports),
                          body="\n".join(body) or "        pass", finish="\n".join(finish))
    digest = hashlib.sha256(text.encode())
    digest.update(_sources_digest())
    return _load(f"neurochip_loop_{digest.hexdigest()[:20]}", text).run_ticks


def _location(kernel) -> tuple[str, str]:
    """Where a kernel can be imported from: (module, name)."""
    function = getattr(kernel, "py_func", None)
    module = sys.modules.get(getattr(function, "__module__", None))
    name = getattr(function, "__name__", "")
    if function is None or getattr(module, name, None) is not kernel:
        raise TypeError(f"ModelGroup.kernel must be a module-level @njit function, not "
                        f"{kernel!r}")
    return module.__name__, name


_DIGEST: list[bytes] = []


def _sources_digest() -> bytes:
    """A hash of every module of `networks`, of the engine and of the distribution (whose
    compiled MPI calls the exchange makes), read once a process."""
    if not _DIGEST:
        digest = hashlib.sha256()
        for folder in (Path(networks.__file__).parent, Path(__file__).parent,
                       Path(__file__).parents[1] / "distribution"):
            for path in sorted(folder.rglob("*.py")):
                digest.update(path.read_bytes())
        _DIGEST.append(digest.digest())
    return _DIGEST[0]


def cache_folder() -> Path:
    """Where generated loops (and their Numba caches) are kept: under NUMBA_CACHE_DIR when it
    is set, else the user's cache folder, else the temporary folder."""
    numba_cache = os.environ.get("NUMBA_CACHE_DIR")
    home = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    for folder in ([Path(numba_cache) / "neurochip"] if numba_cache else []) + \
            [home / "neurochip" / "loops",
             Path(tempfile.gettempdir()) / f"neurochip-loops-{os.getuid()}"]:
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError:
            continue
        if os.access(folder, os.W_OK):
            return folder
    raise OSError("no writable folder for neurochip's compiled loops: set NUMBA_CACHE_DIR")


def _load(name: str, text: str):
    """Import the generated module `name`, writing it first if it is not there yet."""
    if name in sys.modules:
        return sys.modules[name]
    path = cache_folder() / f"{name}.py"
    if not path.exists() or path.read_text() != text:
        write_atomically(path, lambda temporary: Path(temporary).write_text(text))
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module
