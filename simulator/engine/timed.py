"""The packet network at `timed` fidelity: a discrete-event simulation of every packet hop,
run in Numba on the burst of packets each tick sends.

Semantics (shared with the SimPy reference in `packet.py`, which must agree bit for bit):

- A spike of neuron i of a slice leaves its core when the core's update reaches it, at
  tick start + (cycles_per_tick + (i + 1) x its model's cycles per neuron) / the clock of the
  core's performance level in that tick (`cores.emission_ps`, computed by the rank that owns
  the core), crosses the NoC to the router (hops x noc_hop) and is looked up after the
  router's pipeline latency.
- The router sends a copy out of every link of the slice's tree entry and to every target
  core on its chip (NoC hops to that core). Hops that default routing carries straight on
  have no entry; they are counted as default-routed.
- A link is a FIFO at its bandwidth. A copy offered to it waits in the router until the
  link's buffer has room; if that takes longer than `emergency_wait` (or the link is dead) it
  goes round the two other sides of the triangle instead, and the router on the far corner
  sends it on as if it had come through the original link. An emergency leg that is not
  available within `drop_wait` drops the copy (counted at that router and on the link it
  was meant for). A link that dies affects the copies offered after its death.
- Events are handled in the order (time, emission time, source neuron, kind, chip, link):
  a total order, so simultaneous events never depend on how they were scheduled, and copies
  reach each core in the same order whatever runs the fabric.
- Fabric time is in integer picoseconds, so link serialisation needs no rounding per hop.

A rank runs the fabric of its fabric domain (`TimedFabric`), a batch of ticks at a time: the
neurons of a batch never wait for its fabric, because every synaptic delay is at least as
long as a batch (docs/timing.md, "Distribution").
"""

import math
import time
from typing import NamedTuple

import numpy as np
from numba import njit

from chips.link import buffer_entry_ps
from chips.router import emergency_legs

from ..csr import pointers, reorder_rows
from ..mapping import Mapping, build_tables
from ..mapping.roles import delay_senders
from .cores import apply_copy, apply_packet, prefetch_row, prefetch_row_pointers
from .dispatch import compiled_entry

ROUTE, DETOUR, DETOUR_SECOND = 0, 1, 2                  # event kinds
APPLY, RECORD = 1, 2                                    # what advance does with copies
TIME, EMIT, GID, KIND, CHIP, LINK, SLICE, TICK = range(8)  # columns of an event
L_SOURCE, L_TARGET, L_DIRECTION, L_DEAD_PS = range(4)   # columns of FabricSpec.links
S_GRADED, S_CORE, S_FIRST_ID, S_SENDS, S_POPULATION = range(5)  # FabricSpec.slices columns
E_LINKS, E_DEFAULT, E_REACH_PS, E_FIRST_DEAD_PS = range(4)  # columns of FabricSpec.entries
PACKETS, BITS, BUSY_PS, MAX_QUEUE, DROPS = range(5)     # rows of FabricStats.links
ROUTED, DEFAULT_ROUTED, EMERGENCY_ROUTED, DROPPED = range(4)  # rows of FabricStats.routers
HEAD, COUNT, LAST_END = range(3)                        # columns of a link's queue state
LINK_COUNTERS = ("link_packets", "link_bits", "link_busy_ps", "link_max_queue", "link_drops")
ROUTER_COUNTERS = ("router_packets", "router_default_routed", "router_emergency_routed",
                   "router_dropped")
NEVER = np.iinfo(np.int64).max
PREFETCH_AHEAD = 4  # packets: the queue's rows asked for this far ahead of use (and the
                    # pointers to them twice as far)
DENSE_INDEX_LIMIT = 1 << 22
QUARTER_OCTAVES = (2.0 ** 0.25, 2.0 ** 0.5, 2.0 ** 0.75)
LATENCY_BINS_PER_OCTAVE = 4
LATENCY_BINS = 2 + 32 * LATENCY_BINS_PER_OCTAVE


class FabricSpec(NamedTuple):
    """Everything the fabric needs to know, as numbers and a few tables (Numba reads it, and
    each array costs a little on every call, hence the packed tables)."""

    tick_ps: int
    window_ps: int
    end_ps: int
    n_chips: int
    cores_per_chip: int
    router_latency_ps: int
    emergency_wait_ps: int
    drop_wait_ps: int
    noc_hop_ps: int
    buffer_packets: int
    packet_bits: int
    payload_packet_bits: int
    link_serialisation_ps: np.ndarray  # [links, 2]: key-only, with payload
    link_wire_ps: np.ndarray     # [links]: wire latency (on a board or between boards)
    n_populations: int
    links: np.ndarray            # [links, 4]: source, target, direction, dead from (ps)
    link_of: np.ndarray          # [chips, 6]
    chip_dead_ps: np.ndarray     # [chips]
    chip_local: np.ndarray       # [chips]: 1 on the chips of this rank's fabric domain
    core_dead_ps: np.ndarray     # [chips x cores]
    core_noc_hops: np.ndarray    # [cores per chip]
    entry_id: np.ndarray         # [entries] sorted slice * n_chips + chip
    entry_index: np.ndarray      # [slices * chips]: the entry of each, -1 if none; empty on
                                 # machines too large for it (entry_id is searched instead)
    entries: np.ndarray          # [entries, 4]: link direction bits, default-routed, NoC time
                                 # to the farthest target core, first death among them (ps)
    entry_core_ptr: np.ndarray   # [entries + 1]
    entry_cores: np.ndarray      # machine-wide core numbers, ascending within an entry
    entry_hop_ptr: np.ndarray    # [entries + 1]: the entry's cores counted by NoC hops:
    entry_hops: np.ndarray       #   each distinct hop count, ascending
    entry_hop_count: np.ndarray  #   and how many of its cores are that far
    slices: np.ndarray           # [slices, 5]: graded, machine-wide core, first global id,
                                 # whether it has targets (a slice with none sends nothing),
                                 # population
    latency_ranks: int           # the ranks of the domain share the copies' latency histogram
    latency_rank: int            # out by spike: this one counts those of gids equal to it
                                 # modulo latency_ranks


class FabricStats(NamedTuple):
    """What the fabric counts: per traffic window, and histograms over the whole run."""

    links: np.ndarray                   # [5, windows, links], rows PACKETS .. DROPS
    routers: np.ndarray                 # [4, windows, chips], rows ROUTED .. DROPPED
    population_links: np.ndarray        # [windows, populations, links]: packets by source
    latency_histogram: np.ndarray       # [bins]: emission to delivery at a core
    link_latency_histogram: np.ndarray  # [links, bins]: offer to arrival at the next router


def new_stats(n_windows: int, n_links: int, n_chips: int, n_populations: int) -> FabricStats:
    return FabricStats(np.zeros((len(LINK_COUNTERS), n_windows, n_links), dtype=np.int64),
                       np.zeros((len(ROUTER_COUNTERS), n_windows, n_chips), dtype=np.int64),
                       np.zeros((n_windows, n_populations, n_links), dtype=np.int64),
                       np.zeros(LATENCY_BINS, dtype=np.int64),
                       np.zeros((n_links, LATENCY_BINS), dtype=np.int64))


def stats_counts(stats: FabricStats) -> dict:
    """The counters under their result-file names (busy time still in ps)."""
    counts = dict(zip(LINK_COUNTERS, stats.links))
    counts.update(zip(ROUTER_COUNTERS, stats.routers))
    counts["population_link_packets"] = stats.population_links
    counts["latency_histogram"] = stats.latency_histogram
    counts["link_latency_histogram"] = stats.link_latency_histogram
    return counts


def fabric_spec(mapping: Mapping, run, graded_slices: np.ndarray, chip_local: np.ndarray,
                domain_rank: int = 0, domain_ranks: int = 1) -> FabricSpec:
    """The machine, the routes and the run, as the timed fabric of a domain reads them
    (`chip_local`: 1 on the domain's chips), for rank `domain_rank` of the domain's
    `domain_ranks`."""
    machine = mapping.machine
    topology = machine.topology
    chip = machine.chip
    tick_ps = run.timestep_ns * 1000
    noc_hop_ps = chip.noc_hop_ps
    link_dead, chip_dead, core_dead = fault_times(machine)
    senders = mapping.senders
    # with helper cores, the tables deliver to them (`Mapping.delivery`)
    tables = mapping.tables if mapping.delivery is None else \
        build_tables(machine, senders.keys, senders.routes)
    # senders: the slices, then the delay-extension cores (each sends for the slice it serves)
    served, _, delay_helper = delay_senders(mapping.slices, mapping.helpers,
                                            len(mapping.slices.population_offset) - 1)
    serves = np.concatenate([np.arange(len(mapping.slices)), served])
    sender_core = np.concatenate([mapping.placement.global_core(chip.cores),
                                  mapping.helpers.global_core(chip.cores)[delay_helper]])
    entry_id = tables.slice.astype(np.int64) * topology.n_chips + tables.chip
    order = np.argsort(entry_id, kind="stable")
    core_ptr, cores = reorder_rows(tables.core_ptr, tables.cores, order)
    entry_of_core = np.repeat(np.arange(len(order)), np.diff(core_ptr))
    entry_cores = tables.chip[order].astype(np.int64)[entry_of_core] * chip.cores + cores
    entry_cores = entry_cores[np.lexsort((entry_cores, entry_of_core))]
    hops = chip.noc_hops()[entry_cores % chip.cores]
    reach = np.zeros(len(order), dtype=np.int64)
    np.maximum.at(reach, entry_of_core, hops * noc_hop_ps)
    first_dead = np.full(len(order), NEVER, dtype=np.int64)
    np.minimum.at(first_dead, entry_of_core, core_dead[entry_cores])
    by_hops, hop_counts = np.unique(np.stack([entry_of_core, hops], axis=1).reshape(-1, 2),
                                    axis=0, return_counts=True)
    return FabricSpec(
        tick_ps=tick_ps, window_ps=run.window_ticks * tick_ps,
        end_ps=run.duration_ticks * tick_ps, n_chips=topology.n_chips, cores_per_chip=chip.cores,
        router_latency_ps=chip.router.latency_ns * 1000,
        emergency_wait_ps=chip.router.emergency_wait_ns * 1000,
        drop_wait_ps=chip.router.drop_wait_ns * 1000, noc_hop_ps=noc_hop_ps,
        buffer_packets=chip.link.buffer_packets,
        packet_bits=chip.packet_bits(False), payload_packet_bits=chip.packet_bits(True),
        link_serialisation_ps=np.stack([machine.link_serialisation_ps(chip.packet_bits(False)),
                                        machine.link_serialisation_ps(chip.packet_bits(True))],
                                       axis=1).reshape(-1, 2).astype(np.int64),
        link_wire_ps=(machine.link_latency_ns * 1000).astype(np.int64),
        n_populations=len(mapping.slices.population_offset) - 1,
        links=np.stack([topology.link_source, topology.link_target, topology.link_direction,
                        link_dead], axis=1).astype(np.int64),
        link_of=topology.link_of.astype(np.int64), chip_dead_ps=chip_dead,
        chip_local=chip_local.astype(np.int64), core_dead_ps=core_dead,
        core_noc_hops=chip.noc_hops(), entry_id=entry_id[order],
        entry_index=dense_index(entry_id[order], len(senders.senders) * topology.n_chips),
        entries=np.stack([tables.link_bits[order], tables.default_routed[order], reach,
                          first_dead], axis=1).astype(np.int64),
        entry_core_ptr=core_ptr, entry_cores=entry_cores,
        entry_hop_ptr=pointers(np.bincount(by_hops[:, 0], minlength=len(order))),
        entry_hops=by_hops[:, 1].astype(np.int64), entry_hop_count=hop_counts.astype(np.int64),
        slices=np.stack([graded_slices[serves], sender_core, mapping.slices.first_id[serves],
                         np.diff(senders.routes.router_ptr) > 0,
                         mapping.slices.population[serves]], axis=1).astype(np.int64),
        latency_ranks=domain_ranks, latency_rank=domain_rank)


def dense_index(sorted_keys: np.ndarray, n_keys: int) -> np.ndarray:
    """Position of each key 0 .. n_keys - 1 in `sorted_keys` (-1 where absent), or an empty
    array when that table would be large (over 4 M keys)."""
    if n_keys > DENSE_INDEX_LIMIT:
        return np.empty(0, dtype=np.int64)
    index = np.full(n_keys, -1, dtype=np.int64)
    index[sorted_keys] = np.arange(len(sorted_keys))
    return index


def fault_times(machine) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """When each link, chip and core dies (ps; NEVER if it does not). A link dies with
    either of its chips, a core with its chip."""
    topology = machine.topology
    cores = machine.chip.cores
    link_dead = np.full(topology.n_links, NEVER, dtype=np.int64)
    chip_dead = np.full(topology.n_chips, NEVER, dtype=np.int64)
    core_dead = np.full(topology.n_chips * cores, NEVER, dtype=np.int64)
    for fault in machine.faults.dead_chips:
        c = topology.chip_index(fault.x, fault.y)
        chip_dead[c] = min(chip_dead[c], round(fault.from_ms * 1e9))
    for fault in machine.faults.dead_links:
        link = topology.link_of[topology.chip_index(fault.x, fault.y), fault.direction]
        link_dead[link] = min(link_dead[link], round(fault.from_ms * 1e9))
    for fault in machine.faults.dead_cores:
        c = topology.chip_index(fault.x, fault.y) * cores + fault.core
        core_dead[c] = min(core_dead[c], round(fault.from_ms * 1e9))
    link_dead = np.minimum(link_dead, np.minimum(chip_dead[topology.link_source],
                                                 chip_dead[topology.link_target]))
    core_dead = np.minimum(core_dead, np.repeat(chip_dead, cores))
    return link_dead, chip_dead, core_dead


def latency_bin_edges_ns() -> np.ndarray:
    """Edges of the latency histogram in ns: [0, 1) then quarter octaves up to 2**32 ns."""
    edges = 2.0 ** (np.arange(LATENCY_BINS, dtype=np.float64) / LATENCY_BINS_PER_OCTAVE)
    return np.concatenate([[0.0], edges])


# the least latency (ns, as latency_bin computes it) of each bin from 1 on: quarter octaves
LATENCY_FLOORS_NS = np.array([0.0] + [math.ldexp(((1.0,) + QUARTER_OCTAVES)[(k - 1) % 4],
                                                 (k - 1) // 4)
                                      for k in range(1, LATENCY_BINS)])


@njit(cache=True)
def latency_bin(latency_ps):
    """Histogram bin of a latency: 0 below 1 ns, then quarter octaves, the last bin open."""
    if latency_ps < 1000:
        return 0
    # latency / 1 ns = m 2^e with 2m in [1, 2): e - 1 whole octaves, and the quarters of 2m
    mantissa, exponent = math.frexp(latency_ps / 1000.0)
    twice = 2.0 * mantissa
    k = 1 + LATENCY_BINS_PER_OCTAVE * (exponent - 1)
    for edge in QUARTER_OCTAVES:
        if twice >= edge:
            k += 1
    return min(k, LATENCY_BINS - 1)


@njit(cache=True, inline="always")
def latency_bin_near(latency_ps, k):
    """`latency_bin(latency_ps)`, found by walking from bin `k`: a step or none where the
    latency is close to the one that gave `k` (those of a packet's copies, and of the
    packets after it, usually are), without `frexp`."""
    ns = latency_ps / 1000.0
    while k > 0 and ns < LATENCY_FLOORS_NS[k]:
        k -= 1
    while k + 1 < LATENCY_BINS and ns >= LATENCY_FLOORS_NS[k + 1]:
        k += 1
    return k


def link_queue_capacity(spec: FabricSpec) -> int:
    """Largest number of packets a link can hold committed at once: its buffer plus those
    the router may hold for it while they wait up to the emergency wait."""
    fastest = max(int(spec.link_serialisation_ps.min(initial=NEVER)), 1)
    return spec.buffer_packets + spec.emergency_wait_ps // fastest + 2


class TimedFabric:
    """The fabric of one fabric domain (this rank's, or the whole machine), run a batch of
    ticks at a time.

    Every rank of a domain handles every event of the domain's chips, so they all count the
    same and each applies the copies that reach its own cores. With several domains, packets
    cross the links cut between them: the domains advance in windows that start at the
    earliest event pending anywhere and last one lookahead (`sync.lookahead_ps`, the
    shortest time a packet takes from one router to the next over a cut link), so every
    packet a domain receives lies beyond the window it was sent in (conservative
    synchronisation, as SST's and YAWNS's)."""

    def __init__(self, spec: FabricSpec, n_windows: int, sync=None) -> None:
        self.spec = spec
        self.sync = sync
        n_links = len(spec.links)
        self.stats = new_stats(n_windows, n_links, spec.n_chips, spec.n_populations)
        self.events = np.empty((1024, 8), dtype=np.int64)
        self.values = np.empty(1024, dtype=np.float64)
        self.n_events = 0
        self.link_ends = np.zeros((n_links, link_queue_capacity(spec)), dtype=np.int64)
        self.link_state = np.zeros((n_links, 3), dtype=np.int64)
        self.advance_s = 0.0
        self.windows = 0
        # compiled entries once warm
        self._inject, self._advance_events, self._push_rows = inject, advance, push_rows
        self._route_batch = route_batch

    def run(self, end_tick: int, ticks: np.ndarray, gids: np.ndarray, slices: np.ndarray,
            values: np.ndarray, emits: np.ndarray, to) -> None:
        """Send the packets of a batch of spikes (the domain's, of ticks before `end_tick`,
        leaving their cores at `emits` ps), handle every event before `end_tick` and apply
        the copies that reach this rank's cores to `to` (a `CopyTarget`).

        The spikes' first events are sorted once into a queue beside the heap (most events
        of a tick are these), and events left in it at the end go into the heap. With one
        domain all of it is one compiled call (each call from Python costs about 100 ns for
        every array of the spec, the counters and the copy target it is handed)."""
        end_ps = end_tick * self.spec.tick_ps
        if self.sync is None:
            started = time.perf_counter()
            self.events, self.values, self.n_events = self._route_batch(
                self.spec, self.stats, self.events, self.values, self.n_events, ticks, gids,
                slices, values, emits, self.link_ends, self.link_state, to, end_ps)
            self.advance_s += time.perf_counter() - started
            return
        self.queue, self.queue_values = self._inject(self.spec, ticks, gids, slices, values,
                                                     emits)
        self.queue_at = 0
        self._advance_in_windows(to, end_ps)
        self.events, self.values, self.n_events = self._push_rows(
            self.events, self.values, self.n_events, self.queue[self.queue_at:],
            self.queue_values[self.queue_at:])

    def _advance_in_windows(self, to, end_ps: int) -> None:
        outbox = np.empty((0, 9), dtype=np.int64)
        while True:
            pending = self.events[0, TIME] if self.n_events else NEVER
            if self.queue_at < len(self.queue):
                pending = min(pending, int(self.queue[self.queue_at, TIME]))
            if len(outbox):
                pending = min(pending, int(outbox[:, TIME].min()))
            received, earliest_ps = self.sync.exchange(outbox, pending)
            self.events, self.values, self.n_events = push_rows(
                self.events, self.values, self.n_events, received[:, :8],
                received[:, 8].copy().view(np.float64))
            if earliest_ps >= end_ps:
                return
            self._advance(to, min(earliest_ps + self.sync.lookahead_ps, end_ps))
            self.windows += 1
            outbox, self.events, self.values, self.n_events = take_remote(
                self.spec, self.events, self.values, self.n_events)

    def _advance(self, to, until_ps: int) -> None:
        started = time.perf_counter()
        advanced = self._advance_events(
            self.spec, self.stats, self.events, self.values, self.n_events, self.queue,
            self.queue_values, self.queue_at, self.link_ends, self.link_state, to, APPLY,
            NO_DELIVERIES, NO_VALUES, until_ps)
        self.events, self.values, self.n_events, self.queue_at = advanced[:4]
        self.advance_s += time.perf_counter() - started

    def counts(self) -> dict:
        return stats_counts(self.stats)

    def warm_up(self, to) -> None:
        """Compile the kernels on a batch before the run (it handles nothing)."""
        empty = np.empty(0, dtype=np.int64)
        queue, queue_values = inject(self.spec, empty, empty, empty, np.empty(0), empty)
        advance(self.spec, self.stats, self.events, self.values, 0, queue, queue_values, 0,
                self.link_ends, self.link_state, to, APPLY, NO_DELIVERIES, NO_VALUES, 0)
        push_rows(self.events, self.values, 0, queue[0:], queue_values[0:])
        route_batch(self.spec, self.stats, self.events, self.values, 0, empty, empty, empty,
                    np.empty(0), empty, self.link_ends, self.link_state, to, 0)
        # called once a tick with the spec's and the copy target's arrays: skip the typing
        self._inject, self._advance_events, self._push_rows, self._route_batch = (
            compiled_entry(inject), compiled_entry(advance), compiled_entry(push_rows),
            compiled_entry(route_batch))
        rows, _, _, _ = take_remote(self.spec, self.events, self.values, 0)
        push_rows(self.events, self.values, 0, rows[:, :8], NO_VALUES)  # windows' rows
        self.advance_s = 0.0


NO_DELIVERIES = np.empty((0, 4), dtype=np.int64)
NO_VALUES = np.empty(0, dtype=np.float64)


@njit(cache=True)
def route_batch(spec, stats, events, values, n, ticks, gids, slices, spike_values, emits,
                link_ends, link_state, to, until_ps):
    """`TimedFabric.run` of one fabric domain in one call: the batch's spikes injected, every
    event before `until_ps` handled (copies applied to `to`), the rest of the queue pushed
    onto the heap; returns the heap."""
    queue, queue_values = inject(spec, ticks, gids, slices, spike_values, emits)
    events, values, n, at, _, _, _ = advance(
        spec, stats, events, values, n, queue, queue_values, 0, link_ends, link_state, to,
        APPLY, np.empty((0, 4), dtype=np.int64), np.empty(0, dtype=np.float64), until_ps)
    return push_rows(events, values, n, queue[at:], queue_values[at:])


@njit(cache=True)
def inject(spec, ticks, gids, slices, values, emits):
    """The ROUTE event at the source router of every spike of a slice that has targets, as
    rows of an event array and their values, in event order: by time, emission and gid (a
    spike's kind, chip and link follow from its gid, so three keys give the total order;
    one stable sort by time, then the rare runs of equal times ordered by the other two)."""
    events = np.empty((gids.size, 8), dtype=np.int64)
    event_values = np.empty(gids.size, dtype=np.float64)
    n = 0
    for i in range(gids.size):
        s = slices[i]
        if not spec.slices[s, S_SENDS]:
            continue
        core = spec.slices[s, S_CORE]
        hops = spec.core_noc_hops[core % spec.cores_per_chip]
        events[n, TIME] = emits[i] + hops * spec.noc_hop_ps + spec.router_latency_ps
        events[n, EMIT], events[n, GID], events[n, KIND] = emits[i], gids[i], ROUTE
        events[n, CHIP], events[n, LINK] = core // spec.cores_per_chip, -1
        events[n, SLICE], events[n, TICK] = s, ticks[i]
        event_values[n] = values[i]
        n += 1
    order = np.argsort(events[:n, TIME], kind="mergesort")
    lo = 0
    for hi in range(1, n + 1):
        if hi < n and events[order[hi], TIME] == events[order[lo], TIME]:
            continue
        for i in range(lo + 1, hi):  # insertion sort by (emission, gid): stable
            j, moving = i, order[i]
            while j > lo and _later_emitted(events, order[j - 1], moving):
                order[j] = order[j - 1]
                j -= 1
            order[j] = moving
        lo = hi
    return events[order], event_values[order]


@njit(cache=True, inline="always")
def _later_emitted(events, a, b):
    """Whether event `a` comes after `b` by (emission, gid)."""
    if events[a, EMIT] != events[b, EMIT]:
        return events[a, EMIT] > events[b, EMIT]
    return events[a, GID] > events[b, GID]


@njit(cache=True)
def push_rows(events, values, n, rows, row_values):
    """Add events given as rows of an event array and their values to the heap of `n`."""
    for i in range(rows.shape[0]):
        if n == events.shape[0]:
            events, values = _grow(events, values)
        n = _push(events, values, n, rows[i, TIME], rows[i, EMIT], rows[i, GID],
                  rows[i, KIND], rows[i, CHIP], rows[i, LINK], rows[i, SLICE], rows[i, TICK],
                  row_values[i])
    return events, values, n


@njit(cache=True)
def take_remote(spec, events, values, n):
    """Take the events due at other domains' chips out of the heap, as rows of 8 columns and
    the value's bits; return them and the heap of the rest."""
    remote = 0
    for i in range(n):
        if not spec.chip_local[events[i, CHIP]]:
            remote += 1
    rows = np.empty((remote, 9), dtype=np.int64)
    if remote == 0:
        return rows, events, values, n
    bits = values.view(np.int64)
    kept = 0
    taken = 0
    for i in range(n):
        if spec.chip_local[events[i, CHIP]]:
            events[kept] = events[i]
            values[kept] = values[i]
            kept += 1
        else:
            rows[taken, :8] = events[i]
            rows[taken, 8] = bits[i]
            taken += 1
    for i in range(kept // 2 - 1, -1, -1):
        _sift_down(events, values, kept, i)
    return rows, events, values, kept


@njit(cache=True)
def advance(spec, stats, events, values, n, queue, queue_values, at, link_ends, link_state,
            to, copies, delivered, delivered_values, until_ps):
    """Handle the domain's events in order until `until_ps`: those of the heap of `n` and
    those of the sorted `queue` from position `at` on.

    Packet copies that reach this rank's cores are applied to `to` (a `CopyTarget`) at once
    when `copies` is APPLY, or every copy is listed as (time, gid, machine-wide core, tick of
    the spike) with its payload when RECORD (for inspection). Returns the heap, the queue's
    new position, that list and its length.

    The events are handled by `_handle_events`, which allocates nothing and so runs without
    reference counts; it stops, between two events, when the heap (or the list) might
    overflow on the next one, and is called again once they have grown."""
    row = np.empty(8, dtype=np.int64)
    per_hops = np.zeros(16, dtype=np.int64)
    most_copies = max_entry_cores(spec.entry_core_ptr) if copies == RECORD else 0
    n_delivered = 0
    while True:
        n, at, n_delivered, done = _handle_events(
            spec, stats, events, values, n, queue, queue_values, at, link_ends, link_state, to,
            copies, delivered, delivered_values, n_delivered, until_ps, row, per_hops,
            most_copies)
        if done:
            return events, values, n, at, delivered, delivered_values, n_delivered
        if n + MOST_PUSHES > events.shape[0]:
            events, values = _grow(events, values)
        if n_delivered + most_copies > delivered.shape[0]:
            delivered, delivered_values = _grow(delivered, delivered_values)


MOST_PUSHES = 8  # room kept in the heap before an event: it adds one for each of its six
                 # links at most


@njit(cache=True)
def max_entry_cores(entry_core_ptr):
    """The most cores a table entry sends to."""
    most = 0
    for e in range(entry_core_ptr.size - 1):
        most = max(most, entry_core_ptr[e + 1] - entry_core_ptr[e])
    return most


@njit(cache=True, _nrt=False)
def _handle_events(spec, stats, events, values, n, queue, queue_values, at, link_ends,
                   link_state, to, copies, delivered, delivered_values, n_delivered, until_ps,
                   row, per_hops, most_copies):
    """`advance`'s loop, compiled without Numba's reference counting (every array handed to
    a helper otherwise has its count moved up and down on each event, a fifth of the
    fabric's time): it must allocate nothing and return no array. Returns the heap's size,
    the queue's position, the list's length and whether it got to `until_ps` (else the heap
    or the list needs room first)."""
    # the tables' arrays, bound once: the helpers take arrays, never the tuples
    (links, slices, serialisation_ps, wire_ps, link_of, chip_dead_ps, entry_index, entry_id,
     entries, entry_core_ptr, entry_cores, entry_hop_ptr, entry_hops, entry_hop_count,
     core_noc_hops, core_dead_ps) = (
        spec.links, spec.slices, spec.link_serialisation_ps, spec.link_wire_ps, spec.link_of,
        spec.chip_dead_ps, spec.entry_index, spec.entry_id, spec.entries, spec.entry_core_ptr,
        spec.entry_cores, spec.entry_hop_ptr, spec.entry_hops, spec.entry_hop_count,
        spec.core_noc_hops, spec.core_dead_ps)
    link_stats, router_stats, latency_histogram = stats.links, stats.routers, \
        stats.latency_histogram
    population_links, link_histogram = stats.population_links, stats.link_latency_histogram
    (core_local, chip_core_ptr, entry_local_ptr, entry_local, seg_ptr, seg_core, seg_length,
     seg_cycles_per_event, row_ptr, target, weight, delay_ticks, ring, tick_packets,
     tick_events, tick_event_cycles, entry_packets, late_packets) = (
        to.core_local, to.chip_core_ptr, to.entry_local_ptr, to.entry_local, to.seg_ptr,
        to.seg_core, to.seg_length, to.seg_cycles_per_event, to.row_ptr, to.target, to.weight,
        to.delay_ticks, to.ring, to.tick_packets, to.tick_events, to.tick_event_cycles,
        to.entry_packets, to.late_packets)
    near_bin = 0  # the last copy's latency bin
    while True:
        if n + MOST_PUSHES > events.shape[0] or n_delivered + most_copies > delivered.shape[0]:
            return n, at, n_delivered, False
        from_heap = n > 0 and events[0, TIME] < until_ps
        from_queue = at < queue.shape[0] and queue[at, TIME] < until_ps
        if from_queue and (not from_heap or _earlier(queue, at, events, 0)):
            for c in range(8):
                row[c] = queue[at, c]
            value = queue_values[at]
            at += 1
            if copies == APPLY:
                if at + 2 * PREFETCH_AHEAD < queue.shape[0]:
                    prefetch_row_pointers(row_ptr, seg_ptr, queue[at + 2 * PREFETCH_AHEAD, GID])
                if at + PREFETCH_AHEAD < queue.shape[0]:
                    prefetch_row(row_ptr, target, weight, delay_ticks, seg_ptr,
                                 seg_core, seg_length, seg_cycles_per_event,
                                 queue[at + PREFETCH_AHEAD, GID])
        elif from_heap:
            value = _pop(events, values, n, row)
            n -= 1
        else:
            break
        now, kind, chip, link, s = row[TIME], row[KIND], row[CHIP], row[LINK], row[SLICE]
        counts_latency = row[GID] % spec.latency_ranks == spec.latency_rank
        window = now // spec.window_ps
        if now >= chip_dead_ps[chip]:
            router_stats[DROPPED, window, chip] += 1
            if kind != ROUTE:
                link_stats[DROPS, window, link] += 1
            continue
        if kind != ROUTE:
            first, second = emergency_legs(links[link, L_DIRECTION])
            leg = link_of[chip, first if kind == DETOUR else second]
            n = _offer(events, values, n, link_ends, link_state, leg, row, value, now,
                       spec.drop_wait_ps, link, links, slices, serialisation_ps, wire_ps,
                       spec.buffer_packets, spec.packet_bits, spec.payload_packet_bits,
                       spec.router_latency_ps, spec.window_ps, spec.end_ps, link_stats,
                       router_stats, population_links, link_histogram)
            continue
        router_stats[ROUTED, window, chip] += 1
        e = _entry(entry_index, entry_id, spec.n_chips, s, chip)
        if e < 0:
            router_stats[DROPPED, window, chip] += 1
            continue
        if entries[e, E_DEFAULT]:
            router_stats[DEFAULT_ROUTED, window, chip] += 1
        for d in range(6):
            if entries[e, E_LINKS] & (1 << d):
                n = _offer(
                    events, values, n, link_ends, link_state, link_of[chip, d], row,
                    value, now, spec.emergency_wait_ps, -1, links, slices, serialisation_ps,
                    wire_ps, spec.buffer_packets, spec.packet_bits, spec.payload_packet_bits,
                    spec.router_latency_ps, spec.window_ps, spec.end_ps, link_stats,
                    router_stats, population_links, link_histogram)
        if entry_core_ptr[e] == entry_core_ptr[e + 1]:
            continue
        reach = now + entries[e, E_REACH_PS]
        arrival = now // spec.tick_ps
        if copies == APPLY and reach // spec.tick_ps == arrival \
                and reach < entries[e, E_FIRST_DEAD_PS]:
            # every copy reaches a live core within this tick: count them by NoC distance
            if counts_latency:
                for k in range(entry_hop_ptr[e], entry_hop_ptr[e + 1]):
                    latency = now + entry_hops[k] * spec.noc_hop_ps - row[EMIT]
                    near_bin = latency_bin_near(latency, near_bin)
                    latency_histogram[near_bin] += entry_hop_count[k]
            apply_packet(e, chip, row[GID], row[TICK], arrival, value, to.n_ticks,
                         to.window_ticks, entry_packets, late_packets, entry_local_ptr,
                         entry_local, chip_core_ptr, seg_ptr, seg_core, seg_length,
                         seg_cycles_per_event, tick_events, tick_event_cycles, row_ptr, ring,
                         target, weight, delay_ticks)
            continue
        segment = last = start = 0
        if copies == APPLY:
            segment, last = seg_ptr[row[GID]], seg_ptr[row[GID] + 1]
            start = row_ptr[row[GID]]
        for k in range(entry_core_ptr[e], entry_core_ptr[e + 1]):
            core = entry_cores[k]
            hops = core_noc_hops[core % spec.cores_per_chip]
            arrive = now + hops * spec.noc_hop_ps
            if arrive >= core_dead_ps[core]:
                router_stats[DROPPED, window, chip] += 1
                continue
            per_hops[hops] += 1
            if copies == APPLY:
                local = core_local[core]
                if local < 0:
                    continue
                while segment < last and seg_core[segment] < local:
                    start += seg_length[segment]
                    segment += 1
                match = segment if segment < last and seg_core[segment] == local else -1
                apply_copy(arrive, row[TICK], local, match, start, value, to.tick_ps,
                           to.n_ticks, to.window_ticks, late_packets, tick_packets, seg_core,
                           seg_length, seg_cycles_per_event, tick_events, tick_event_cycles,
                           ring, target, weight, delay_ticks)
            elif copies == RECORD:
                delivered[n_delivered, 0] = arrive
                delivered[n_delivered, 1] = row[GID]
                delivered[n_delivered, 2] = core
                delivered[n_delivered, 3] = row[TICK]
                delivered_values[n_delivered] = value
                n_delivered += 1
        for hops in range(per_hops.size):
            if per_hops[hops]:
                if counts_latency:
                    latency = now + hops * spec.noc_hop_ps - row[EMIT]
                    latency_histogram[latency_bin(latency)] += per_hops[hops]
                per_hops[hops] = 0
    return n, at, n_delivered, True


@njit(cache=True)
def _offer(events, values, n, link_ends, link_state, out, row, value, now, wait_ps,
           detouring, links, slices, serialisation_ps, wire_ps, buffer_packets, packet_bits,
           payload_packet_bits, router_latency_ps, window_ps, end_ps, link_stats,
           router_stats, population_links, link_histogram):
    """Offer a copy to link `out` at `now`; commit it or, after `wait_ps`, reroute or drop.
    Returns the heap's new size (the heap has room for the event it may add).

    `detouring` is -1 for a copy on its tree, else the link it is going round. The rest are
    the spec's and the stats' arrays and numbers that a link needs (`FabricSpec`,
    `FabricStats`).
    """
    usable = out >= 0 and now < links[out, L_DEAD_PS]
    capacity = link_ends.shape[1]
    if usable:
        while link_state[out, COUNT] > 0 and link_ends[out, link_state[out, HEAD]] <= now:
            link_state[out, HEAD] = (link_state[out, HEAD] + 1) % capacity
            link_state[out, COUNT] -= 1
        usable = buffer_entry_ps(link_ends[out], link_state[out, HEAD],
                                 link_state[out, COUNT], buffer_packets, now) <= now + wait_ps
    if not usable:
        if detouring < 0:
            return _push(events, values, n, now + wait_ps, row[EMIT], row[GID], DETOUR,
                         row[CHIP], out, row[SLICE], row[TICK], value)
        drop_window = min(now + wait_ps, end_ps - 1) // window_ps
        router_stats[DROPPED, drop_window, row[CHIP]] += 1
        link_stats[DROPS, drop_window, detouring] += 1
        return n
    graded = slices[row[SLICE], S_GRADED]
    start = max(now, link_state[out, LAST_END])
    end = start + serialisation_ps[out, 1 if graded else 0]
    link_ends[out, (link_state[out, HEAD] + link_state[out, COUNT]) % capacity] = end
    link_state[out, COUNT] += 1
    link_state[out, LAST_END] = end
    window = now // window_ps
    link_stats[PACKETS, window, out] += 1
    population_links[window, slices[row[SLICE], S_POPULATION], out] += 1
    link_stats[BITS, window, out] += payload_packet_bits if graded else packet_bits
    link_stats[MAX_QUEUE, window, out] = max(link_stats[MAX_QUEUE, window, out],
                                             link_state[out, COUNT])
    _add_busy(link_stats, out, start, min(end, end_ps), window_ps)
    arrive = end + wire_ps[out] + router_latency_ps
    link_histogram[out, latency_bin(arrive - now)] += 1
    if detouring < 0:
        return _push(events, values, n, arrive, row[EMIT], row[GID], ROUTE,
                     links[out, L_TARGET], out, row[SLICE], row[TICK], value)
    if row[KIND] == DETOUR:
        router_stats[EMERGENCY_ROUTED, window, row[CHIP]] += 1
        return _push(events, values, n, arrive, row[EMIT], row[GID], DETOUR_SECOND,
                     links[out, L_TARGET], detouring, row[SLICE], row[TICK], value)
    return _push(events, values, n, arrive, row[EMIT], row[GID], ROUTE,
                 links[detouring, L_TARGET], detouring, row[SLICE], row[TICK], value)


@njit(cache=True)
def _add_busy(link_stats, link, start, end, window_ps):
    """Add the interval [start, end) to the busy time of `link`, split over windows."""
    while start < end:
        w = start // window_ps
        stop = min(end, (w + 1) * window_ps)
        link_stats[BUSY_PS, w, link] += stop - start
        start = stop


@njit(cache=True)
def _entry(entry_index, entry_id, n_chips, s, chip):
    """Index of the table entry for slice `s` at `chip`, or -1 (`FabricSpec.entry_index`,
    or where that is empty a search of `entry_id`)."""
    key = s * n_chips + chip
    if entry_index.size:
        return entry_index[key]
    i = np.searchsorted(entry_id, key)
    if i < entry_id.size and entry_id[i] == key:
        return i
    return -1


@njit(cache=True)
def _before(events, i, j):
    return _earlier(events, i, events, j)


@njit(cache=True)
def _earlier(a, i, b, j):
    """Whether event `a[i]` comes before `b[j]` in the total order (time, emit, gid, kind,
    chip, link). Read in place: a row view costs its reference count, on every comparison
    of the heap."""
    for c in range(6):
        if a[i, c] != b[j, c]:
            return a[i, c] < b[j, c]
    return False


@njit(cache=True)
def _swap(events, values, i, j):
    for c in range(events.shape[1]):
        events[i, c], events[j, c] = events[j, c], events[i, c]
    values[i], values[j] = values[j], values[i]


@njit(cache=True)
def _push(events, values, n, time, emit, gid, kind, chip, link, s, tick, value):
    """Add an event to the heap of `n`, which has room for it; returns the new size."""
    events[n, TIME], events[n, EMIT], events[n, GID] = time, emit, gid
    events[n, KIND], events[n, CHIP], events[n, LINK], events[n, SLICE] = kind, chip, link, s
    events[n, TICK] = tick
    values[n] = value
    i = n
    while i > 0:
        parent = (i - 1) // 2
        if not _before(events, i, parent):
            break
        _swap(events, values, i, parent)
        i = parent
    return n + 1


@njit(cache=True)
def _pop(events, values, n, row):
    """Copy the first event into `row`, remove it from the heap of `n`; return its value."""
    last = n - 1
    for c in range(8):
        row[c] = events[0, c]
        events[0, c] = events[last, c]
    value = values[0]
    values[0] = values[last]
    _sift_down(events, values, last, 0)
    return value


@njit(cache=True)
def _sift_down(events, values, n, i):
    """Move event `i` down the heap of `n` to its place."""
    while True:
        left, right, best = 2 * i + 1, 2 * i + 2, i
        if left < n and _before(events, left, best):
            best = left
        if right < n and _before(events, right, best):
            best = right
        if best == i:
            return
        _swap(events, values, i, best)
        i = best


@njit(cache=True)
def _grow(rows, values):
    """Twice the room for rows and their values."""
    n = rows.shape[0]
    room = max(2 * n, 64)
    bigger = np.empty((room, rows.shape[1]), dtype=np.int64)
    bigger[:n] = rows
    more = np.empty(room, dtype=np.float64)
    more[:n] = values[:n]
    return bigger, more
