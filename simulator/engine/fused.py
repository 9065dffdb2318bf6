"""One compiled loop for a run of ticks: every model group's kernel, the input ring, state
and spike recording, packet counts and (on one rank) delivery in one Numba call, so that
Python runs only between batches.

Numba cannot cache a function that takes compiled functions as arguments, so the loop is
written out for each combination of model kernels (and number of state probes) a rank
holds: a few lines that import those kernels and call each in turn, then `finish_tick`. The
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
from .cores import emission_ps
from .cycles import cycle_count
from .fabric import count_packets
from .synapses import deliver

DELIVER, COUNT, STASH, EMISSION = 1, 2, 4, 8  # bits of TickArrays.mode
# TickArrays.counters
RECORDED, STASHED, SYNAPTIC_EVENTS, NEURON_CYCLES, ROUTING_CYCLES, DELIVERY_CYCLES = range(6)
# columns of TickArrays.groups
FIRST_NEURON, SIZE, RECEPTORS, FIRST_INPUT, FIRST_EVENT, ROOM = range(6)


class TickArrays(NamedTuple):
    """Everything the loop reads and writes besides the groups' own state."""

    mode: int                  # DELIVER | COUNT | STASH | EMISSION
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
    record_ticks: np.ndarray   # int64 [capacity]: spike recording
    record_ids: np.ndarray     # int64 [capacity]
    window_ticks: int          # COUNT: functional fabric counters per traffic window
    slice_bits: np.ndarray
    link_ptr: np.ndarray
    links: np.ndarray
    router_ptr: np.ndarray
    routers: np.ndarray
    link_packets: np.ndarray   # int64 [windows, links]
    link_bits: np.ndarray      # int64 [windows, links]
    router_packets: np.ndarray  # int64 [windows, chips]
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
    counters: np.ndarray       # int64 [6]: the indices above


@njit(cache=True)
def room_for_tick(a):
    """Whether the recording (and the stash) hold one more tick's events."""
    room = a.tick_ids.size
    if a.counters[RECORDED] + room > a.record_ids.size:
        return False
    return not (a.mode & STASH) or a.counters[STASHED] + room <= a.out_id.size


@njit(cache=True)
def group_inputs(a, k, slot):
    """Group k's inputs for ring slot `slot`, [receptors, neurons]."""
    g = a.groups[k]
    row = a.ring[slot]
    return row[g[FIRST_INPUT]:g[FIRST_INPUT] + g[SIZE] * g[RECEPTORS]].reshape(g[RECEPTORS],
                                                                               g[SIZE])


@njit(cache=True)
def clear_inputs(a, k, slot):
    """Zero group k's inputs in slot `slot` once its kernel has read them."""
    g = a.groups[k]
    a.ring[slot, g[FIRST_INPUT]:g[FIRST_INPUT] + g[SIZE] * g[RECEPTORS]] = 0.0


@njit(cache=True)
def group_events(array, a, k):
    """Group k's part of `spiked` or `payload`."""
    g = a.groups[k]
    return array[g[FIRST_EVENT]:g[FIRST_EVENT] + g[ROOM]]


@njit(cache=True)
def finish_tick(tick, a, started, updated):
    """After the kernels of `tick` (cycles `started`, `updated`): record the tick's events
    from live cores in ascending global id, count their packets, and deliver or stash them."""
    counters = a.counters
    counters[NEURON_CYCLES] += updated - started
    n = gather_events(tick, a)
    ids, values, slices = a.tick_ids[:n], a.tick_values[:n], a.tick_slices[:n]
    recorded = counters[RECORDED]
    a.record_ticks[recorded:recorded + n] = tick
    a.record_ids[recorded:recorded + n] = ids
    counters[RECORDED] = recorded + n
    if a.mode & COUNT:
        window = tick // a.window_ticks
        count_packets(slices, a.slice_bits, a.link_ptr, a.links, a.router_ptr, a.routers,
                      a.link_packets[window], a.link_bits[window], a.router_packets[window])
    if a.mode & STASH:
        at = counters[STASHED]
        a.out_tick[at:at + n] = tick
        a.out_id[at:at + n] = ids
        a.out_value[at:at + n] = values
        a.out_slice[at:at + n] = slices
        if a.mode & EMISSION:
            a.out_emit_ps[at:at + n] = emission_ps(
                tick, a.tick_ps, ids, slices, a.slice_local_core, a.slice_first_id,
                a.cycles_per_tick, a.cycles_per_neuron, a.clock_hz)
        counters[STASHED] = at + n
    routed = cycle_count()
    counters[ROUTING_CYCLES] += routed - updated
    if a.mode & DELIVER and n:
        counters[SYNAPTIC_EVENTS] += deliver(ids, values, a.row_ptr, a.target, a.weight,
                                             a.delay_ticks, a.ring, tick)
        counters[DELIVERY_CYCLES] += cycle_count() - routed


@njit(cache=True)
def gather_events(tick, a):
    """The tick's events of live cores into the scratch arrays, in ascending global id (each
    group's are ascending; groups are merged by a stable sort only when they interleave).
    Returns how many."""
    n = 0
    for k in range(a.fired.size):
        g = a.groups[k]
        for i in range(a.fired[k]):
            j = g[FIRST_NEURON] + a.spiked[g[FIRST_EVENT] + i]
            s = a.local_slice[j]
            if a.slice_dead_tick[s] <= tick:
                continue
            a.tick_ids[n] = a.global_id[j]
            a.tick_values[n] = a.payload[g[FIRST_EVENT] + i] if a.graded[k] else 1.0
            a.tick_slices[n] = s
            n += 1
    for i in range(1, n):
        if a.tick_ids[i] < a.tick_ids[i - 1]:
            order = np.argsort(a.tick_ids[:n], kind="mergesort")
            a.tick_ids[:n] = a.tick_ids[:n][order]
            a.tick_values[:n] = a.tick_values[:n][order]
            a.tick_slices[:n] = a.tick_slices[:n][order]
            break
    return n


_MODULE = '''"""Written by simulator/engine/fused.py: the tick loop for {names}. Not to be edited:
a change to any model or engine module gives the loop a new name."""

from numba import njit

from simulator.engine.cycles import cycle_count
from simulator.engine.fused import (clear_inputs, finish_tick, group_events, group_inputs,
                                    room_for_tick)
{imports}


@njit(cache=True)
def run_ticks(start, end, states, probes, a):
    """Ticks start .. end - 1; returns the first tick not run (before `end` when the
    recording or the stash is full)."""
    depth_mask = a.ring.shape[0] - 1
    for tick in range(start, end):
        if not room_for_tick(a):
            return tick
        started = cycle_count()
        slot = tick & depth_mask
{body}
        finish_tick(tick, a, started, cycle_count())
    return end
'''


def loop_for(kernels: list, n_probes: int):
    """The compiled `run_ticks(start, end, states, probes, arrays)` for groups with these
    kernels (None for a group that Python steps before each one-tick call) and `n_probes`
    state probes; `states[k]` is group k's `kernel_state()`, `probes[p]` a (values, source)
    pair."""
    imports, body = [], []
    for k, kernel in enumerate(kernels):
        if kernel is not None:
            module, name = _location(kernel)
            imports.append(f"from {module} import {name} as kernel_{k}")
            body.append(f"        a.fired[{k}] = kernel_{k}(states[{k}], tick, "
                        f"group_inputs(a, {k}, slot), group_events(a.spiked, a, {k}), "
                        f"group_events(a.payload, a, {k}))")
        body.append(f"        clear_inputs(a, {k}, slot)")
    body += [f"        probes[{p}][0][tick] = probes[{p}][1]" for p in range(n_probes)]
    names = ", ".join(_location(k)[1] if k is not None else "a Python group" for k in kernels)
    text = _MODULE.format(names=names or "no groups", imports="\n".join(imports),
                          body="\n".join(body) or "        pass")
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
    """A hash of every module of `networks` and of the engine, read once a process."""
    if not _DIGEST:
        digest = hashlib.sha256()
        for folder in (Path(networks.__file__).parent, Path(__file__).parent):
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
