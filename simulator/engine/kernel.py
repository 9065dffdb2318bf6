"""One rank's share of a run, stepped tick by tick in a SimPy environment.

Each tick: every model group updates its neurons (one Numba call per model), the events
leave as packets through the fabric, ranks exchange the events their neighbours need, and
the synaptic rows of all events that reach this rank are added to the input ring at
`tick + delay`. Because every delay is at least one tick, one exchange per tick suffices
(the min-delay lookahead of NEST).
"""

import time

import numpy as np
import simpy
from numba import njit

from networks import Network

from ..csr import unique_rows
from ..errors import ConfigError
from ..mapping import Mapping, Routes
from ..options import RunOptions
from .cores import copy_target, core_load, row_segments
from .fabric import FunctionalFabric, count_packets
from .layout import build_groups, lay_out
from .packet import PacketFabric
from .probes import make_probes
from .recorder import SpikeRecorder
from .synapses import build_synaptic_matrix, deliver, deliver_batch
from .timed import NEVER, TimedFabric, fabric_spec, fault_times

TIMING_FABRICS = {"timed": TimedFabric, "packet": PacketFabric}
STOP_CHECK_TICKS = 64  # how often ranks agree on whether to stop early
# Where a rank's wall time goes; "other" is the rest of the loop: SimPy and Python glue.
PROFILE_PHASES = ("neurons", "routing", "delivery", "communication", "waiting", "other")
NEURONS, ROUTING, DELIVERY, COMMUNICATION, WAITING, OTHER = range(len(PROFILE_PHASES))


class RankSimulation:
    """The neurons, synapses and fabric of the chips that one rank owns."""

    def __init__(self, network: Network, mapping: Mapping, run: RunOptions, comm) -> None:
        self.run_options = run
        self.comm = comm
        self.layout = layout = lay_out(network, mapping, comm.rank)
        self.groups = build_groups(network, mapping, layout, run.timestep_ms, run.seed)
        self.matrix = build_synaptic_matrix(network, mapping, layout, run.seed)
        # A late packet lands one tick further on: room for delay + 1 ahead of the current tick.
        depth = self.matrix.max_delay_ticks + 2
        self.ring = np.zeros((depth, layout.n_inputs), dtype=np.float64)
        self.input_views = [[self.ring[slot, g.inputs].reshape(g.receptors, g.size)
                             for slot in range(depth)] for g in layout.groups]
        self.spiked = np.empty(layout.n_neurons, dtype=np.int32)
        self.payload = np.ones(layout.n_neurons, dtype=np.float64)
        bounds = [(g.first_neuron, g.first_neuron + g.size) for g in layout.groups]
        self.spiked_views = [self.spiked[a:b] for a, b in bounds]
        self.payload_views = [self.payload[a:b] for a, b in bounds]
        self.group_first = np.array([a for a, _ in bounds], dtype=np.int64)
        self.group_graded = np.array([g.model_class.graded for g in layout.groups])
        self.fired = np.zeros(len(layout.groups), dtype=np.int64)
        self.local_slice = mapping.slices.containing(layout.global_id)
        n_windows = -(-run.duration_ticks // run.window_ticks)
        self.timed = run.fidelity in TIMING_FABRICS
        self.slice_dead_tick = _dead_ticks(mapping, run)
        graded = np.array([network.populations[p].model.graded
                           for p in mapping.slices.population], dtype=bool)
        if self.timed:
            spec = fabric_spec(mapping, run, graded, comm.rank)
            if comm.size == 1:
                self.fabric = TIMING_FABRICS[run.fidelity](spec, n_windows)
            elif run.fidelity == "timed":
                self.fabric = TimedFabric(spec, n_windows, comm, mapping.chip_rank)
            else:
                raise ConfigError("[run] fidelity packet runs on one MPI rank (it is the slow "
                                  "reference); use fidelity = \"timed\" under mpiexec")
            self.cores = core_load(mapping.machine, layout, mapping.slices.size, run, n_windows)
            cores_per_chip = mapping.machine.chip.cores
            core_local = np.full(mapping.machine.n_chips * cores_per_chip, -1, dtype=np.int64)
            core_local[mapping.placement.global_core(cores_per_chip)[layout.local_slices]] = \
                np.arange(len(layout.local_slices))
            self.copies_to = copy_target(self.cores, core_local,
                                         row_segments(self.matrix, layout), self.matrix,
                                         self.ring, run)
            no_hops = np.zeros(len(mapping.slices) + 1, dtype=np.int64)
            self.no_routes = Routes(no_hops, np.empty(0, np.int32), no_hops,
                                    np.empty(0, np.int32), no_hops, np.empty(0, np.int64))
            self.no_bits = np.zeros(len(mapping.slices), dtype=np.int64)
        else:
            chip = mapping.machine.chip
            bits = np.where(graded, chip.packet_bits(True), chip.packet_bits(False))
            self.fabric = FunctionalFabric(mapping, n_windows, run.window_ticks, bits)
        self.recorder = SpikeRecorder()
        self.probes = make_probes(network, mapping, layout, run.duration_ticks)
        self.probe_sources = [self.groups[p.group].state(p.variable)[p.start:p.stop]
                              for p in self.probes]
        self.synaptic_events = 0
        self.profile = np.zeros(len(PROFILE_PHASES))
        self.completed_ticks = run.duration_ticks
        self.checkpoint = {name: np.zeros_like(array) for name, array in self._whole_run()}
        if comm.size > 1:
            chip_rank = mapping.chip_rank[mapping.routes.cores // mapping.machine.chip.cores]
            self.destination_ptr, self.destinations = unique_rows(mapping.routes.core_ptr,
                                                                  chip_rank)
            # Spikes take at least this many ticks to matter anywhere: exchange that often.
            self.exchange_every = max(1, min(int(comm.min(self.matrix.min_delay_ticks)),
                                             run.duration_ticks))
            self.outgoing: list[tuple[int, np.ndarray, np.ndarray, np.ndarray]] = []
        self._warm_up()

    def _warm_up(self) -> None:
        """Compile every kernel before the clock starts, on inputs that change nothing."""
        for group in self.groups:
            group.warm_up()
        self.fired[:] = 0
        ids, values, slices = self._emit(0)
        m = self.matrix
        deliver(ids, values, m.row_ptr, m.target, m.weight, m.delay_ticks, self.ring, 0)
        if self.comm.size > 1:
            expand_rows(slices, self.destination_ptr, self.destinations)
            deliver_batch(ids, ids, values, m.row_ptr, m.target, m.weight, m.delay_ticks,
                          self.ring)
        if self.timed:
            self.fabric.warm_up(self.copies_to)
            self.cores.finish_tick(0, self.run_options.window_ticks)
            for table in (self.cores.cycles, self.cores.packets, self.cores.synaptic_events,
                          self.cores.overruns, self.cores.max_excess_cycles):
                table[:] = 0

    def run(self, progress=None, stop=None) -> None:
        """Simulate every tick of the run, telling `progress` (a `Progress`) as it goes. When
        `stop` (a `StopRequest`) is set on any rank, every rank ends at the same tick and
        `completed_ticks` is the end of the last traffic window they all finished."""
        started = time.perf_counter()
        env = simpy.Environment()
        env.process(self._clock(env, progress, stop))
        env.run()
        if progress:
            progress.close()
        stats = self.comm.stats
        if self.timed:  # the fabric exchanges events inside its routing time
            self.profile[ROUTING] -= stats.waiting_s + stats.transfer_s
            self.profile[COMMUNICATION] = stats.transfer_s
        else:
            self.profile[COMMUNICATION] -= stats.waiting_s
        self.profile[WAITING] = stats.waiting_s
        self.profile[OTHER] = time.perf_counter() - started - self.profile[:OTHER].sum()

    def _clock(self, env: simpy.Environment, progress, stop):
        """One SimPy event per traffic window: the ticks inside it are stepped in order."""
        run = self.run_options
        for first in range(0, run.duration_ticks, run.window_ticks):
            last = min(first + run.window_ticks, run.duration_ticks)
            for tick in range(first, last):
                self.step(tick)
                done = tick + 1
                if done == last and last % run.window_ticks == 0:
                    self.checkpoint = {name: array.copy() for name, array in self._whole_run()}
                if done % STOP_CHECK_TICKS and done != last:
                    continue
                if progress:
                    progress.update(done)
                if stop is not None and self.comm.any(stop.requested):
                    self.completed_ticks = first if done != last else done
                    return
            yield env.timeout((last - first) * run.timestep_ns)

    def _whole_run(self):
        """Counters kept for the whole run rather than per window (the latency histograms)."""
        if not self.timed:
            return []
        counts = self.fabric.counts()
        return [(name, counts[name]) for name in ("latency_histogram",
                                                  "link_latency_histogram")]

    def whole_run_counts(self) -> dict:
        """The whole-run counters as they stood at `completed_ticks`."""
        if self.completed_ticks == self.run_options.duration_ticks:
            return dict(self._whole_run())
        return self.checkpoint

    def step(self, tick: int) -> None:
        """Update the neurons for `tick`, send their events and deliver what arrives."""
        profile = self.profile
        t0 = time.perf_counter()
        slot = tick % self.ring.shape[0]
        for k, group in enumerate(self.groups):
            self.fired[k] = group.step(tick, self.input_views[k][slot], self.spiked_views[k],
                                       self.payload_views[k])
        self.ring[slot] = 0.0
        for probe, source in zip(self.probes, self.probe_sources):
            probe.values[tick] = source
        self.recorder.reserve(self.layout.n_neurons)
        t1 = time.perf_counter()
        profile[NEURONS] += t1 - t0
        ids, values, slices = self._emit(tick)
        if self.timed:
            self.fabric.tick(tick, ids, slices, values, self.copies_to)
            self.cores.finish_tick(tick, self.run_options.window_ticks)
            profile[ROUTING] += time.perf_counter() - t1
            return
        t2 = time.perf_counter()
        profile[ROUTING] += t2 - t1
        m = self.matrix
        if self.comm.size == 1:
            if len(ids):
                self.synaptic_events += deliver(ids, values, m.row_ptr, m.target, m.weight,
                                                m.delay_ticks, self.ring, tick)
            profile[DELIVERY] += time.perf_counter() - t2
            return
        self.outgoing.append((tick, ids, values, slices))
        if (tick + 1) % self.exchange_every and tick + 1 < self.run_options.duration_ticks:
            return
        ticks, ids, values = self._exchange()
        t3 = time.perf_counter()
        profile[COMMUNICATION] += t3 - t2
        self.synaptic_events += deliver_batch(ticks, ids, values, m.row_ptr, m.target, m.weight,
                                              m.delay_ticks, self.ring)
        profile[DELIVERY] += time.perf_counter() - t3

    def _emit(self, tick: int):
        """Record the spikes of live cores; at functional fidelity also count their packets."""
        if self.timed:
            routes, bits = self.no_routes, self.no_bits
            packets = link_bits = router_packets = slice_population = _NO_COUNTS
            population_links = _NO_COUNTS_2D
        else:
            window = tick // self.fabric.window_ticks
            routes, bits = self.fabric.routes, self.fabric.slice_bits
            packets = self.fabric.link_packets[window]
            link_bits = self.fabric.link_bits[window]
            router_packets = self.fabric.router_packets[window]
            slice_population = self.fabric.slice_population
            population_links = self.fabric.population_link_packets[window]
        ids, values, slices, self.recorder.count = emit(
            tick, self.spiked, self.payload, self.group_first, self.fired, self.group_graded,
            self.layout.global_id, self.local_slice, self.slice_dead_tick, self.recorder.ticks,
            self.recorder.ids, self.recorder.count, bits, routes.link_ptr, routes.links,
            routes.router_ptr, routes.routers, packets, link_bits, router_packets,
            slice_population, population_links)
        return ids, values, slices

    def _exchange(self):
        """Send the events of the ticks since the last exchange to the ranks that own their
        target cores; return every event this rank must deliver as (tick, global id,
        payload), sorted by tick then id: the order in which one rank would have delivered
        them."""
        ticks = np.concatenate([np.full(len(ids), t) for t, ids, _, _ in self.outgoing])
        ids = np.concatenate([ids for _, ids, _, _ in self.outgoing])
        values = np.concatenate([v for _, _, v, _ in self.outgoing])
        slices = np.concatenate([s for _, _, _, s in self.outgoing])
        self.outgoing = []
        spike, rank = expand_rows(slices, self.destination_ptr, self.destinations)
        order = spike[np.argsort(rank, kind="stable")]
        rows = np.stack([ticks[order], ids[order], values[order].view(np.int64)], axis=1)
        split = np.cumsum(np.bincount(rank, minlength=self.comm.size))[:-1]
        incoming = self.comm.alltoallv([part.ravel() for part in np.split(rows, split)])
        rows = np.concatenate(incoming).reshape(-1, 3)
        rows = rows[np.lexsort((rows[:, 1], rows[:, 0]))]
        return rows[:, 0].copy(), rows[:, 1].copy(), rows[:, 2].view(np.float64).copy()


_NO_COUNTS = np.zeros(0, dtype=np.int64)
_NO_COUNTS_2D = np.zeros((0, 0), dtype=np.int64)


def _dead_ticks(mapping: Mapping, run: RunOptions) -> np.ndarray:
    """For every slice, the first tick its core no longer runs (a huge number if never)."""
    _, _, core_dead_ps = fault_times(mapping.machine)
    dead_ps = core_dead_ps[mapping.placement.global_core(mapping.machine.chip.cores)]
    tick_ps = run.timestep_ns * 1000
    return np.where(dead_ps == NEVER, NEVER, -(-dead_ps // tick_ps)).astype(np.int64)


@njit(cache=True)
def emit(tick, spiked, payload, group_first, fired, graded, global_id, local_slice,
         slice_dead_tick, record_ticks, record_ids, recorded, slice_bits, link_ptr, links,
         router_ptr, routers, link_packets, link_bits, router_packets, slice_population,
         population_link_packets):
    """Record the tick's events from live cores and count their packets on the functional
    fabric (pass empty routes to skip counting).

    Returns their global ids in ascending order, their payloads (1 for plain spikes), their
    slices, and the new record count.
    """
    total = fired.sum()
    local = np.empty(total, dtype=np.int64)
    value = np.ones(total, dtype=np.float64)
    at = 0
    for k in range(fired.size):
        for i in range(fired[k]):
            j = group_first[k] + spiked[group_first[k] + i]
            if slice_dead_tick[local_slice[j]] <= tick:
                continue
            local[at] = j
            if graded[k]:
                value[at] = payload[group_first[k] + i]
            at += 1
    total = at
    local = local[:total]
    value = value[:total]
    ids = global_id[local]
    order = np.argsort(ids, kind="mergesort")
    ids = ids[order]
    slices = local_slice[local[order]]
    record_ticks[recorded:recorded + total] = tick
    record_ids[recorded:recorded + total] = ids
    count_packets(slices, slice_bits, link_ptr, links, router_ptr, routers, link_packets,
                  link_bits, router_packets, slice_population, population_link_packets)
    return ids, value[order], slices, recorded + total


@njit(cache=True)
def expand_rows(rows, ptr, values):
    """For every entry of `rows`, each value of its CSR row: (entry index, value) pairs."""
    total = 0
    for r in rows:
        total += ptr[r + 1] - ptr[r]
    entry = np.empty(total, dtype=np.int64)
    value = np.empty(total, dtype=np.int64)
    at = 0
    for i in range(rows.size):
        r = rows[i]
        for k in range(ptr[r], ptr[r + 1]):
            entry[at] = i
            value[at] = values[k]
            at += 1
    return entry, value
