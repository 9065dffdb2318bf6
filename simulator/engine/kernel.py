"""One rank's share of a run, stepped a batch of ticks at a time in a SimPy environment.

A batch is as long as the shortest synaptic delay (and ends with its traffic window): a spike
made in a batch cannot reach any neuron before the next batch, so every rank updates its
neurons through the whole batch without waiting for anyone (the min-delay lookahead of
NEST). Then, at `functional` fidelity, the ranks send the batch's spikes to the ranks that
hold their targets and add their synaptic rows to the input ring. At `timed` and `packet`
fidelity the ranks of each fabric domain share the batch's spikes and each runs the domain's
fabric over the batch, applying the packet copies that reach its own cores; domains
synchronise in lookahead windows (`timed.py`, `distribution/sync.py`).
"""

import time

import numpy as np
import simpy
from numba import njit

from networks import Network

from ..costs import slice_cycles_per_neuron
from ..csr import unique_rows
from ..distribution import Partition, WindowSync, lookahead_ps, partition_work, slice_costs
from ..errors import ConfigError
from ..mapping import Mapping, Routes
from ..options import RunOptions
from .cores import copy_target, core_load, emission_ps, row_segments
from .fabric import FunctionalFabric, count_packets
from .layout import build_groups, lay_out
from .packet import PacketFabric
from .probes import make_probes
from .recorder import SpikeRecorder
from .synapses import build_synaptic_matrix, deliver, deliver_batch
from .timed import CHIP, NEVER, S_SENDS, TimedFabric, fabric_spec, fault_times

STOP_CHECK_TICKS = 64  # about how often ranks agree on whether to stop early
# Where a rank's wall time goes; "other" is the rest of the loop: SimPy and Python glue.
PROFILE_PHASES = ("neurons", "routing", "delivery", "communication", "waiting", "other")
NEURONS, ROUTING, DELIVERY, COMMUNICATION, WAITING, OTHER = range(len(PROFILE_PHASES))


def partition_for(mapping: Mapping, run: RunOptions, n_ranks: int) -> Partition:
    """Share the mapped slices out over `n_ranks`, in `run.fabric_domains` fabric domains."""
    edges = mapping.edges
    cost = slice_costs(mapping.slices.size, edges.source, edges.target, edges.synapses,
                       mapping.rates_hz[mapping.slices.population], run.timestep_ms)
    domains = run.fabric_domains if run.fidelity != "functional" else 1
    return partition_work(mapping.machine, mapping.placement.chip, mapping.placement.core,
                          cost, n_ranks, domains)


class RankSimulation:
    """The neurons and synapses of one rank's cores, and the fabric of its domain."""

    def __init__(self, network: Network, mapping: Mapping, run: RunOptions, comm,
                 partition: Partition | None = None) -> None:
        if run.fidelity == "packet" and comm.size > 1:
            raise ConfigError("[run] fidelity packet runs on one MPI rank (it is the slow "
                              "reference); use fidelity = \"timed\" under mpiexec")
        self.run_options = run
        self.comm = comm
        self.partition = partition = partition or partition_for(mapping, run, comm.size)
        self.layout = layout = lay_out(network, mapping, partition.slices_of(comm.rank))
        self.groups = build_groups(network, mapping, layout, run.timestep_ms, run.seed)
        self.matrix = build_synaptic_matrix(network, mapping, layout, run.seed)
        self.batch_ticks = max(1, min(int(comm.min(self.matrix.min_delay_ticks)),
                                      run.window_ticks, run.duration_ticks))
        if run.fidelity != "functional" and \
                mapping.machine.chip.core.dvfs_policy == "lowest_meeting_tick":
            self.batch_ticks = 1  # a tick's clocks follow from the work of the tick before
        # Rows land up to max delay after a batch's last tick: room for those and the batch,
        # rounded up to a power of two so that a slot is found with a mask.
        depth = 1 << (self.matrix.max_delay_ticks + self.batch_ticks).bit_length()
        self.ring = np.zeros((depth, layout.n_inputs), dtype=np.float64)
        self.input_views = [[self.ring[slot, g.inputs].reshape(g.receptors, g.size)
                             for slot in range(depth)] for g in layout.groups]
        # Room for each group's events of a tick: a source may repeat a neuron in a tick.
        room = np.array([g.max_events_per_tick for g in self.groups], dtype=np.int64)
        self.event_first = np.concatenate([[0], np.cumsum(room)[:-1]]).astype(np.int64)
        self.spiked = np.empty(int(room.sum()), dtype=np.int32)
        self.payload = np.ones(int(room.sum()), dtype=np.float64)
        self.spiked_views = [self.spiked[a:a + n] for a, n in zip(self.event_first, room)]
        self.payload_views = [self.payload[a:a + n] for a, n in zip(self.event_first, room)]
        self.group_first = np.array([g.first_neuron for g in layout.groups], dtype=np.int64)
        self.group_graded = np.array([g.model_class.graded for g in layout.groups])
        self.fired = np.zeros(len(layout.groups), dtype=np.int64)
        self.local_slice = mapping.slices.containing(layout.global_id)
        n_windows = -(-run.duration_ticks // run.window_ticks)
        self.timed = run.fidelity != "functional"
        self.slice_dead_tick = _dead_ticks(mapping, run)
        graded = np.array([network.populations[p].model.graded
                           for p in mapping.slices.population], dtype=bool)
        cores_per_chip = mapping.machine.chip.cores
        core_rank = np.full(mapping.machine.n_chips * cores_per_chip, -1, dtype=np.int64)
        core_rank[mapping.placement.global_core(cores_per_chip)] = partition.slice_rank
        if self.timed:
            self._set_up_fabric(network, mapping, run, graded, n_windows, core_rank)
        else:
            chip = mapping.machine.chip
            bits = np.where(graded, chip.packet_bits(True), chip.packet_bits(False))
            self.fabric = FunctionalFabric(mapping, n_windows, run.window_ticks, bits)
            self.reports_fabric = True
            self.destination_ptr, self.destinations = unique_rows(
                mapping.routes.core_ptr, core_rank[mapping.routes.cores])
        self.recorder = SpikeRecorder()
        self.probes = make_probes(network, mapping, layout, run.duration_ticks)
        self.probe_sources = [self.groups[p.group].state(p.variable)[p.start:p.stop]
                              for p in self.probes]
        self.batch: list[tuple[int, np.ndarray, np.ndarray, np.ndarray]] = []
        self.synaptic_events = 0
        self.profile = np.zeros(len(PROFILE_PHASES))
        self.exchanges = self.bytes_sent = 0
        self.completed_ticks = run.duration_ticks
        self.checkpoint = {name: np.zeros_like(array) for name, array in self._whole_run()}
        self._warm_up()

    def _set_up_fabric(self, network, mapping, run, graded, n_windows, core_rank) -> None:
        """The fabric of this rank's domain, its core counters and where copies go."""
        comm, partition, layout = self.comm, self.partition, self.layout
        domain = partition.domain_of(comm.rank)
        chip_local = partition.chip_domain == domain
        spec = fabric_spec(mapping, run, graded, chip_local)
        self.group = comm.split(domain) if comm.size > 1 else comm
        self.reports_fabric = partition.is_domain_leader(comm.rank)
        if run.fidelity == "packet":
            self.fabric = PacketFabric(spec, n_windows)
        else:
            sync = None
            if partition.n_domains > 1:
                sync = WindowSync(comm, partition, CHIP,
                                  lookahead_ps(mapping.machine, partition.chip_domain))
            self.fabric = TimedFabric(spec, n_windows, sync)
        self.sends = spec.slices[:, S_SENDS].astype(bool)
        neuron_cycles = slice_cycles_per_neuron(network, mapping.machine,
                                                mapping.slices.population)
        self.cores = core_load(mapping.machine, layout, mapping.slices.size, neuron_cycles,
                               run, n_windows, self.batch_ticks)
        self.slice_first_id = mapping.slices.first_id
        self.cycles_per_tick = mapping.machine.chip.core.cycles_per_tick
        self.slice_local_core = np.full(len(mapping.slices), -1, dtype=np.int64)
        self.slice_local_core[layout.local_slices] = np.arange(len(layout.local_slices))
        self.batch_clock_hz = self.cores.clock_hz()
        cores_per_chip = mapping.machine.chip.cores
        core_local = np.full(len(core_rank), -1, dtype=np.int64)
        core_local[mapping.placement.global_core(cores_per_chip)[layout.local_slices]] = \
            np.arange(len(layout.local_slices))
        self.copies_to = copy_target(self.cores, core_local, cores_per_chip,
                                     spec.entry_core_ptr, spec.entry_cores,
                                     row_segments(self.matrix, layout), self.matrix,
                                     self.ring, run)
        no_hops = np.zeros(len(mapping.slices) + 1, dtype=np.int64)
        self.no_routes = Routes(no_hops, np.empty(0, np.int32), no_hops,
                                np.empty(0, np.int32), no_hops, np.empty(0, np.int64))
        self.no_bits = np.zeros(len(mapping.slices), dtype=np.int64)

    def _warm_up(self) -> None:
        """Compile every kernel before the clock starts, on inputs that change nothing."""
        for group in self.groups:
            group.warm_up()
        self.fired[:] = 0
        ids, values, slices = self._emit(0)
        m = self.matrix
        deliver(ids, values, m.row_ptr, m.target, m.weight, m.delay_ticks, self.ring, 0)
        if self.comm.size > 1 and not self.timed:
            expand_rows(slices, self.destination_ptr, self.destinations)
            deliver_batch(ids, ids, values, m.row_ptr, m.target, m.weight, m.delay_ticks,
                          self.ring)
        if self.timed:
            self._emission_ps(0, ids, slices)
            self.fabric.warm_up(self.copies_to)
            start_level = self.cores.level.copy()
            self.cores.finish_tick(0, self.run_options.window_ticks, self.copies_to)
            self.cores.finish_batch()
            self.cores.clear()
            self.cores.level[:] = start_level

    def run(self, progress=None, stop=None) -> None:
        """Simulate every tick of the run, telling `progress` (a `Progress`) as it goes. When
        `stop` (a `StopRequest`) is set on any rank, every rank ends at the same tick and
        `completed_ticks` is the end of the last traffic window they all finished."""
        before = self.comm.stats.snapshot()
        started = time.perf_counter()
        env = simpy.Environment()
        env.process(self._clock(env, progress, stop))
        env.run()
        if progress:
            progress.close()
        waiting, transfer, self.exchanges, self.bytes_sent = (
            now - then for now, then in zip(self.comm.stats.snapshot(), before))
        if self.timed:
            self.profile[ROUTING] += self.fabric.advance_s
        self.profile[COMMUNICATION] = transfer
        self.profile[WAITING] = waiting
        self.profile[OTHER] = 0.0
        self.profile[OTHER] = max(0.0, time.perf_counter() - started - self.profile.sum())
        np.maximum(self.profile, 0.0, out=self.profile)

    def _clock(self, env: simpy.Environment, progress, stop):
        """One SimPy event per traffic window; inside it, batches of ticks."""
        run = self.run_options
        checked = 0
        for first in range(0, run.duration_ticks, run.window_ticks):
            last = min(first + run.window_ticks, run.duration_ticks)
            for start in range(first, last, self.batch_ticks):
                end = min(start + self.batch_ticks, last)
                self.step_batch(start, end)
                if end == last and last % run.window_ticks == 0:
                    self.checkpoint = {name: array.copy() for name, array in self._whole_run()}
                if end - checked < STOP_CHECK_TICKS and end != last:
                    continue
                checked = end
                if progress:
                    progress.update(end)
                if stop is not None and self.comm.any(stop.requested):
                    self.completed_ticks = first if end != last else end
                    return
            yield env.timeout((last - first) * run.timestep_ns)

    def _whole_run(self):
        """Counters kept for the whole run rather than per window (the latency histograms)."""
        if not self.timed:
            return []
        counts = self.traffic_counts()
        return [(name, counts[name]) for name in ("latency_histogram",
                                                  "link_latency_histogram")]

    def whole_run_counts(self) -> dict:
        """The whole-run counters as they stood at `completed_ticks`."""
        if self.completed_ticks == self.run_options.duration_ticks:
            return dict(self._whole_run())
        return self.checkpoint

    def traffic_counts(self) -> dict:
        """This rank's share of the fabric's counters: the sum over ranks is the whole."""
        counts = self.fabric.counts()
        if self.reports_fabric:
            return counts
        return {name: np.zeros_like(array) for name, array in counts.items()}

    def step_batch(self, start: int, end: int) -> None:
        """Update the neurons for ticks `start .. end - 1`, then send their events and
        deliver what arrives."""
        for tick in range(start, end):
            self.step_neurons(tick)
        if self.timed:
            self._route_batch(start, end)
        elif self.comm.size > 1:
            self._exchange_batch()

    def step_neurons(self, tick: int) -> None:
        """Update the neurons for `tick` and record their events; on one rank at functional
        fidelity, also deliver them."""
        profile = self.profile
        t0 = time.perf_counter()
        slot = tick % self.ring.shape[0]
        for k, group in enumerate(self.groups):
            self.fired[k] = group.step(tick, self.input_views[k][slot], self.spiked_views[k],
                                       self.payload_views[k])
        self.ring[slot] = 0.0
        for probe, source in zip(self.probes, self.probe_sources):
            probe.values[tick] = source
        self.recorder.reserve(len(self.spiked))
        t1 = time.perf_counter()
        profile[NEURONS] += t1 - t0
        ids, values, slices = self._emit(tick)
        t2 = time.perf_counter()
        profile[ROUTING] += t2 - t1
        if self.timed:
            if len(ids):
                self.batch.append((tick, ids, values, slices, self._emission_ps(tick, ids,
                                                                                slices)))
            return
        if self.comm.size > 1:
            if len(ids):
                self.batch.append((tick, ids, values, slices))
            return
        if len(ids):
            m = self.matrix
            self.synaptic_events += deliver(ids, values, m.row_ptr, m.target, m.weight,
                                            m.delay_ticks, self.ring, tick)
        profile[DELIVERY] += time.perf_counter() - t2

    def _emission_ps(self, tick: int, ids: np.ndarray, slices: np.ndarray) -> np.ndarray:
        """When the tick's spikes leave their cores, at the cores' clocks of this batch."""
        return emission_ps(tick, self.copies_to.tick_ps, ids, slices, self.slice_local_core,
                           self.slice_first_id, self.cycles_per_tick,
                           self.cores.cycles_per_neuron, self.batch_clock_hz)

    def _route_batch(self, start: int, end: int) -> None:
        """Share the batch's spikes within the fabric domain, run its fabric and close the
        batch's ticks on this rank's cores."""
        ticks, ids, values, slices, emits = self._take_batch()
        sending = self.sends[slices]
        columns = [ticks[sending], ids[sending], slices[sending],
                   values[sending].view(np.int64), emits[sending]]
        if self.group.size > 1:
            rows = np.stack(columns, axis=1)
            rows = np.concatenate(self.group.allgather(rows.ravel())).reshape(-1, len(columns))
            columns = [rows[:, k].copy() for k in range(len(columns))]
        ticks, ids, slices, values, emits = columns
        self.fabric.run(end, ticks, ids, slices, values.view(np.float64), emits,
                        self.copies_to)
        for tick in range(start, end):
            self.cores.finish_tick(tick, self.run_options.window_ticks, self.copies_to)
        self.cores.finish_batch()
        self.batch_clock_hz = self.cores.clock_hz()

    def _take_batch(self):
        """The batch's spikes as (tick, global id, payload, slice[, emission ps]) arrays;
        empty it."""
        batch, self.batch = self.batch, []
        width = 5 if self.timed else 4
        if not batch:
            empty = np.empty(0, dtype=np.int64)
            return (empty, empty, np.empty(0), empty, empty)[:width]
        return (np.concatenate([np.full(len(spike[1]), spike[0]) for spike in batch]),
                *(np.concatenate([spike[k] for spike in batch]) for k in range(1, width)))

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
            tick, self.spiked, self.payload, self.group_first, self.event_first, self.fired,
            self.group_graded,
            self.layout.global_id, self.local_slice, self.slice_dead_tick, self.recorder.ticks,
            self.recorder.ids, self.recorder.count, bits, routes.link_ptr, routes.links,
            routes.router_ptr, routes.routers, packets, link_bits, router_packets,
            slice_population, population_links)
        return ids, values, slices

    def _exchange_batch(self) -> None:
        """Send the batch's events to the ranks that own their target cores and deliver every
        event this rank must, sorted by tick then id: the order in which one rank would have
        delivered them."""
        ticks, ids, values, slices = self._take_batch()
        spike, rank = expand_rows(slices, self.destination_ptr, self.destinations)
        order = spike[np.argsort(rank, kind="stable")]
        rows = np.stack([ticks[order], ids[order], values[order].view(np.int64)], axis=1)
        split = np.cumsum(np.bincount(rank, minlength=self.comm.size))[:-1]
        incoming = self.comm.alltoallv([part.ravel() for part in np.split(rows, split)])
        rows = np.concatenate(incoming).reshape(-1, 3)
        rows = rows[np.lexsort((rows[:, 1], rows[:, 0]))]
        started = time.perf_counter()
        m = self.matrix
        self.synaptic_events += deliver_batch(
            rows[:, 0].copy(), rows[:, 1].copy(), rows[:, 2].view(np.float64).copy(),
            m.row_ptr, m.target, m.weight, m.delay_ticks, self.ring)
        self.profile[DELIVERY] += time.perf_counter() - started


_NO_COUNTS = np.zeros(0, dtype=np.int64)
_NO_COUNTS_2D = np.zeros((0, 0), dtype=np.int64)


def _dead_ticks(mapping: Mapping, run: RunOptions) -> np.ndarray:
    """For every slice, the first tick its core no longer runs (a huge number if never)."""
    _, _, core_dead_ps = fault_times(mapping.machine)
    dead_ps = core_dead_ps[mapping.placement.global_core(mapping.machine.chip.cores)]
    tick_ps = run.timestep_ns * 1000
    return np.where(dead_ps == NEVER, NEVER, -(-dead_ps // tick_ps)).astype(np.int64)


@njit(cache=True)
def emit(tick, spiked, payload, group_first, event_first, fired, graded, global_id, local_slice,
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
            j = group_first[k] + spiked[event_first[k] + i]
            if slice_dead_tick[local_slice[j]] <= tick:
                continue
            local[at] = j
            if graded[k]:
                value[at] = payload[event_first[k] + i]
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
