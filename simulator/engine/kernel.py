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
from functools import partial

import numpy as np
import simpy
from numba.core.errors import NumbaError

from networks import Network

from ..costs import slice_cycles_per_neuron
from ..csr import row_of, unique_rows
from ..distribution import Partition, WindowSync, lookahead_ps, partition_work, slice_costs
from ..distribution.mailbox import shared_mailboxes
from ..distribution.native import STATUS_INTS
from ..errors import ConfigError
from ..mapping import Mapping
from ..mapping.kernels import segment_cycles_per_event
from ..options import RunOptions
from .cores import copy_target, core_load, emission_ps, row_segments
from .dispatch import compiled_entry
from .exchange import (ROW_INTS, SHARED_INTS, deliver_merged, exchange_room, finish_exchange,
                       pack_by_rank, share_by_mail, share_in_domain)
from .fabric import FunctionalFabric
from .fused import (BYTES_SENT, COUNT, DELIVER, EMISSION, EXCHANGE, EXCHANGES, PHASE_CYCLES,
                    RECORDED, STASH, STASHED, STOPPED_EXCHANGE, SYNAPTIC_EVENTS, TickArrays,
                    loop_for)
from .helpers import (base_cycles, core_columns, delay_stages, local_cores, resends,
                      stage_rows, synapse_receivers)
from .layout import build_groups, lay_out
from .packet import PacketFabric
from .probes import make_probes
from .recorder import SpikeRecorder
from .synapses import SynapticMatrix, build_synaptic_matrix
from .timed import CHIP, NEVER, S_SENDS, TimedFabric, fabric_spec, fault_times

STOP_CHECK_TICKS = 64  # about how often ranks agree on whether to stop early
CALL_TICKS = 256       # ticks a compiled call runs at most where nothing waits for them
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
        self.delay_stages = delay_stages(network, mapping) if run.fidelity != "functional" \
            else None
        if self.delay_stages is not None:
            self.matrix = stage_rows(self.matrix, self.delay_stages, mapping.slices)
        min_delay = int(comm.min(self.matrix.min_delay_ticks))
        # Under MPI at functional fidelity the compiled loop exchanges each batch itself
        # where it can call MPI; else, from Python, batches of half the min-delay let each
        # batch's exchange complete while the next batch runs (no event of it is due before).
        self.native = comm.native_exchange() if run.fidelity == "functional" else None
        # and, where every rank is on one node, through shared memory (distribution/mailbox.py)
        self.mailboxes = shared_mailboxes(self.native.comm, ROW_INTS) \
            if self.native is not None and comm.size > 1 else None
        self.exchange_lag = int(run.fidelity == "functional" and comm.size > 1
                                and min_delay >= 2 and self.native is None)
        self.in_flight: list = []
        self.batch_ticks = max(1, min(min_delay // 2 if self.exchange_lag else min_delay,
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
        self.group_table = np.array([[g.first_neuron, g.size, g.receptors, g.first_input, first,
                                      n] for g, first, n in zip(layout.groups, self.event_first,
                                                                room)],
                                    dtype=np.int64).reshape(len(layout.groups), 6)
        self.group_graded = np.array([g.model_class.graded for g in layout.groups], dtype=bool)
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
            self.send_to, self.receive_from = _peers(self.destination_ptr, self.destinations,
                                                     partition.slice_rank, comm.rank)
        self.recorder = SpikeRecorder()
        self.probes = make_probes(network, mapping, layout, run.duration_ticks)
        self.probe_sources = [self.groups[p.group].state(p.variable)[p.start:p.stop]
                              for p in self.probes]
        self.synaptic_events = 0
        self.profile = np.zeros(len(PROFILE_PHASES))
        self.exchanges = self.bytes_sent = 0
        self.completed_ticks = run.duration_ticks
        self.checkpoint = {name: np.zeros_like(array) for name, array in self._whole_run()}
        self._set_up_loop(mapping)
        self._warm_up()

    @property
    def exchange_kind(self) -> str:
        """How the ranks exchange a batch's spikes: "compiled, shared memory" or "compiled
        MPI" (from inside compiled code), "Python (mpi4py)" or "none" (one rank)."""
        if self.comm.size == 1:
            return "none"
        compiled = self.domain_native if self.timed else self.native
        if compiled is None:
            return "Python (mpi4py)"
        return "compiled, shared memory" if self.mailboxes is not None else "compiled MPI"

    def _set_up_fabric(self, network, mapping, run, graded, n_windows, core_rank) -> None:
        """The fabric of this rank's domain, its core counters and where copies go."""
        comm, partition, layout = self.comm, self.partition, self.layout
        domain = partition.domain_of(comm.rank)
        chip_local = partition.chip_domain == domain
        ranks = partition.ranks_of(domain)
        spec = fabric_spec(mapping, run, graded, chip_local, comm.rank - ranks.start, len(ranks))
        self.group = comm.split(domain) if comm.size > 1 else comm
        # the domain's spikes shared by compiled code where it can call MPI
        self.domain_native = self.group.native_exchange() if self.group.size > 1 else None
        # and, where the domain's ranks are on one node, through shared memory
        self.mailboxes = shared_mailboxes(self.domain_native.comm, SHARED_INTS) \
            if self.domain_native is not None else None
        self.share_scratch = np.zeros(2 + 2 * self.group.size + STATUS_INTS, np.int32)
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
        columns = core_columns(mapping)
        self.local_cores = cores = local_cores(columns, layout.local_slices, len(core_rank),
                                               len(mapping.slices))
        base, per_neuron, per_packet = base_cycles(mapping, columns, neuron_cycles,
                                                   self.delay_stages)
        self.cores = core_load(mapping.machine, base[cores.column], per_neuron[cores.column],
                               per_packet[cores.column], run, n_windows, self.batch_ticks)
        self.slice_first_id = mapping.slices.first_id
        self.n_neurons = mapping.slices.n_neurons
        self.cycles_per_tick = mapping.machine.chip.core.cycles_per_tick
        self.slice_local_core = cores.slice_local_core
        m = self.matrix
        receiver = synapse_receivers(mapping, cores, layout.input_core, layout.local_slices, m)
        if len(mapping.helpers):
            # a row's synapses core by core again, now by the core that takes them (the
            # order of any one input's synapses is kept, and with it every sum)
            order = np.lexsort((receiver, row_of(m.row_ptr)))
            self.matrix = m = SynapticMatrix(m.row_ptr, m.target[order], m.weight[order],
                                             m.delay_ticks[order])
            receiver = receiver[order]
        self.copies_to = copy_target(self.cores, cores.core_local, mapping.machine.chip.cores,
                                     spec.entry_core_ptr, spec.entry_cores,
                                     row_segments(m.row_ptr, receiver, partial(
                                         segment_cycles_per_event, network, mapping,
                                         columns.serves[cores.column])), m, self.ring, run)
        self.batch_clock_hz = self.cores.clock_hz().astype(np.int64)

    def _set_up_loop(self, mapping: Mapping) -> None:
        """The compiled tick loop of this rank's groups and the arrays it works on."""
        run, layout = self.run_options, self.layout
        kernels = [group.kernel for group in self.groups]
        self.python_groups = [k for k, kernel in enumerate(kernels) if kernel is None]
        self.states = tuple(() if kernel is None else group.kernel_state()
                            for group, kernel in zip(self.groups, kernels))
        self.probe_pairs = tuple((probe.values, source)
                                 for probe, source in zip(self.probes, self.probe_sources))
        # a serial functional run delivers as it goes, and a compiled exchange runs in the
        # loop, so a call can run many ticks
        serial = not self.timed and self.comm.size == 1
        native = self.native is not None
        self.call_ticks = max(self.batch_ticks, CALL_TICKS) if serial or native \
            else self.batch_ticks
        if self.timed:
            mode = STASH | EMISSION
        else:
            mode = COUNT | (DELIVER if serial else STASH | (EXCHANGE if native else 0))
        self.run_ticks = loop_for(kernels, len(self.probes), mode,
                                  counted=any(g.kernel_allocates for g in self.groups))
        room = len(self.spiked)
        none_int = np.zeros(0, np.int64)
        none_2d = np.zeros((0, 0), np.int64)
        none_rows = np.zeros((0, ROW_INTS), np.int64)
        counting = bool(mode & COUNT)
        fabric, routes = self.fabric, mapping.routes
        m = self.matrix
        stash = 4 * room if mode & STASH else 0
        self.recorder.reserve(4 * room)
        self.arrays = TickArrays(
            mode, self.ring, self.group_table, self.group_graded, self.spiked, self.payload,
            self.fired, layout.global_id, self.local_slice, self.slice_dead_tick,
            np.empty(room, np.int64), np.empty(room), np.empty(room, np.int64),
            np.empty(room, np.int64), np.empty(room), np.empty(room, np.int64),
            self.recorder.ticks, self.recorder.ids, run.window_ticks,
            fabric.slice_bits if counting else none_int,
            routes.link_ptr if counting else none_int, routes.links if counting else none_int,
            routes.router_ptr if counting else none_int,
            routes.routers if counting else none_int,
            fabric.link_packets if counting else none_2d,
            fabric.link_bits if counting else none_2d,
            fabric.router_packets if counting else none_2d,
            fabric.slice_population if counting else none_int,
            fabric.population_link_packets if counting else np.zeros((0, 0, 0), np.int64),
            m.row_ptr, m.target, m.weight, m.delay_ticks,
            np.empty(stash, np.int64), np.empty(stash, np.int64), np.empty(stash),
            np.empty(stash, np.int64), np.empty(stash if mode & EMISSION else 0, np.int64),
            run.timestep_ns * 1000,
            self.slice_local_core if self.timed else none_int,
            mapping.slices.first_id.astype(np.int64),
            int(self.cycles_per_tick) if self.timed else 0,
            self.cores.cycles_per_neuron if self.timed else none_int,
            self.batch_clock_hz if self.timed else none_int,
            np.zeros(11, dtype=np.int64), self.batch_ticks, run.duration_ticks,
            *(self._exchange_arrays(room) if native else (0, 0, False, 0, 1) + (none_int,) * 4
              + (np.zeros(0, np.int32), none_int, none_rows, none_rows, none_int, none_int,
                 np.zeros(1, np.int64), 0, 0, 0, np.zeros(0, bool))))
        self.loop_s = 0.0  # wall time inside the compiled loop

    def _exchange_arrays(self, room: int) -> tuple:
        """The fields of `TickArrays` from `mpi_comm` on, for the compiled exchange (its
        buffers hold four ticks of `room` events, at most 65,536 rows, for every rank; a
        bigger batch stops the loop, which grows them)."""
        native, comm = self.native, self.comm
        n_send = len(self.send_to)
        rows = min(4 * room, 1 << 16) * comm.size
        return (native.handle, native.int64, native.yield_while_waiting, comm.rank, comm.size,
                np.array(self.send_to, np.int64), np.array(self.receive_from, np.int64),
                self.destination_ptr, self.destinations,
                np.zeros(n_send + 2 + STATUS_INTS * (1 + max(1, n_send)), np.int32),
                np.zeros(comm.size, np.int64), np.zeros((rows, ROW_INTS), np.int64),
                np.zeros((rows, ROW_INTS), np.int64), np.zeros(4 * (comm.size + 1), np.int64),
                *self._mailbox_arrays())

    def _mailbox_arrays(self) -> tuple:
        """The `TickArrays` fields of the shared-memory mailboxes (empty where the ranks
        exchange through MPI only)."""
        boxes = self.mailboxes
        if boxes is None:
            return np.zeros(0, np.int64), np.zeros(1, np.int64), 0, 0, 0, np.zeros(0, bool)
        both_ways = np.zeros(self.comm.size, bool)
        both_ways[np.intersect1d(self.send_to, self.receive_from).astype(np.int64)] = True
        return (boxes.mail, boxes.sequence, boxes.segment_ints, boxes.box_ints,
                boxes.capacity_rows, both_ways)

    def _warm_up(self) -> None:
        """Compile every kernel before the clock starts, on inputs that change nothing."""
        try:
            self.run_ticks(0, 0, self.states, self.probe_pairs, self.arrays)
        except NumbaError as error:
            kernels = ", ".join(sorted({type(g).__name__ for g in self.groups
                                        if g.kernel is not None and not g.kernel_allocates}))
            raise TypeError(
                f"the tick loop of {kernels} does not compile without reference counts: a "
                f"kernel that allocates arrays must say so (kernel_allocates = True on its "
                f"ModelGroup) or keep them in kernel_state (Numba's error follows)") from error
        self.run_ticks = compiled_entry(self.run_ticks)
        m = self.matrix
        empty = np.empty(0, dtype=np.int64)
        if self.comm.size > 1 and not self.timed and self.native is None:
            a = self.arrays
            pack_by_rank(0, a.out_tick, a.out_id, a.out_value, a.out_slice,
                         self.destination_ptr, self.destinations, self.comm.size)
            deliver_merged(np.empty((0, 3), np.int64), np.zeros(2, np.int64), 1,
                           np.empty(1, np.int64), m.row_ptr, m.target, m.weight,
                           m.delay_ticks, self.ring)
        if self.timed:
            self.share_in_domain = share_in_domain
            native = self.domain_native
            if native is not None:  # every rank of the domain shares nothing here, together
                share_in_domain(0, empty, empty, empty, np.empty(0), empty, self.sends,
                                native.handle, native.int32, native.int64, self.group.size,
                                native.yield_while_waiting, self.share_scratch)
                self.share_in_domain = compiled_entry(share_in_domain)
            if self.mailboxes is not None:
                self.share_by_mail = share_by_mail
                self._share_by_mail(empty, empty, empty, np.empty(0), empty)
                self.share_by_mail = compiled_entry(share_by_mail)
            self.fabric.warm_up(self.copies_to)
            start_level = self.cores.level.copy()
            self.cores.warm_up(self.run_options.window_ticks, self.copies_to)
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
        while self.in_flight:
            self._deliver_exchanged()
        if progress:
            progress.close()
        waiting, transfer, exchanges, bytes_sent = (
            now - then for now, then in zip(self.comm.stats.snapshot(), before))
        counters = self.arrays.counters
        self.exchanges = exchanges + int(counters[EXCHANGES])
        self.bytes_sent = bytes_sent + int(counters[BYTES_SENT])
        self._share_loop_time()
        if self.timed:
            self.profile[ROUTING] += self.fabric.advance_s
        self.profile[COMMUNICATION] += transfer
        self.profile[WAITING] += waiting
        self.profile[OTHER] = 0.0
        self.profile[OTHER] = max(0.0, time.perf_counter() - started - self.profile.sum())
        np.maximum(self.profile, 0.0, out=self.profile)

    def _clock(self, env: simpy.Environment, progress, stop):
        """One SimPy event per traffic window; inside it, batches of ticks."""
        run = self.run_options
        checked = 0
        for first in range(0, run.duration_ticks, run.window_ticks):
            last = min(first + run.window_ticks, run.duration_ticks)
            for start in range(first, last, self.call_ticks):
                end = min(start + self.call_ticks, last)
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

    def delivered_synaptic_events(self) -> int:
        """Synaptic events (a packet's weight applied to one input) on this rank's cores."""
        if self.timed:
            return int(self.cores.synaptic_events.sum())
        return self.synaptic_events

    def traffic_counts(self) -> dict:
        """This rank's share of the fabric's counters: the sum over ranks is the whole (every
        rank of a domain counts the same, and its first reports them, but the copies'
        latencies, which each rank counts for its share of the spikes)."""
        counts = self.fabric.counts()
        if self.reports_fabric:
            return counts
        return {name: array if name == "latency_histogram" else np.zeros_like(array)
                for name, array in counts.items()}

    def step_batch(self, start: int, end: int) -> None:
        """Update the neurons for ticks `start .. end - 1` (on one rank at functional
        fidelity, delivering their events as they go), then send their events and deliver
        what arrives."""
        self.run_loop(start, end)
        if self.timed:
            self._route_batch(start, end)
        elif self.comm.size > 1 and self.native is None:
            self._exchange_batch()

    def run_loop(self, start: int, end: int) -> None:
        """Ticks `start .. end - 1` in the compiled loop, growing the recording and the
        stash when they fill; groups without a kernel are stepped here, a tick a call."""
        started = time.perf_counter()
        python_s = 0.0
        tick = start
        while tick < end:
            stop = end
            if self.python_groups:
                self._make_room()
                python_s += self._step_python_groups(tick)
                stop = tick + 1
            reached = self.run_ticks(tick, stop, self.states, self.probe_pairs, self.arrays)
            stopped = int(self.arrays.counters[STOPPED_EXCHANGE])
            self.arrays.counters[STOPPED_EXCHANGE] = 0
            while stopped:  # the batch's exchange needs bigger buffers
                self.arrays = self.arrays._replace(**exchange_room(self.arrays, stopped))
                stopped = finish_exchange(self.arrays, stopped)
            if reached < stop:
                self._make_room()
            tick = reached
        counters = self.arrays.counters
        self.recorder.count = int(counters[RECORDED])
        self.synaptic_events = int(counters[SYNAPTIC_EVENTS])
        self.loop_s += time.perf_counter() - started - python_s
        self.profile[NEURONS] += python_s

    def _share_loop_time(self) -> None:
        """The compiled loop's wall time, shared out over the phases as the cycles it
        counted in each."""
        cycles = self.arrays.counters[PHASE_CYCLES]
        total = cycles.sum()
        shares = cycles / total if total > 0 else np.eye(len(cycles))[0]
        self.profile[NEURONS:WAITING + 1] += self.loop_s * shares

    def _step_python_groups(self, tick: int) -> float:
        """Step the groups that have no compiled kernel over `tick`; returns the seconds."""
        started = time.perf_counter()
        slot = tick % self.ring.shape[0]
        for k in self.python_groups:
            self.fired[k] = self.groups[k].step(tick, self.input_views[k][slot],
                                                self.spiked_views[k], self.payload_views[k])
        return time.perf_counter() - started

    def _make_room(self) -> None:
        """Room in the recording and the stash for a few more ticks' events."""
        a = self.arrays
        room = 4 * len(a.tick_ids)
        if a.counters[RECORDED] + room <= len(a.record_ids) and \
                (not a.mode & STASH or a.counters[STASHED] + room <= len(a.out_id)):
            return
        self.recorder.count = int(a.counters[RECORDED])
        self.recorder.reserve(room)
        grown = {"record_ticks": self.recorder.ticks, "record_ids": self.recorder.ids}
        used = int(a.counters[STASHED])
        if a.mode & STASH and used + room > len(a.out_id):
            capacity = max(2 * len(a.out_id), used + room)
            for name in ("out_tick", "out_id", "out_value", "out_slice") + \
                    (("out_emit_ps",) if a.mode & EMISSION else ()):
                grown[name] = np.resize(getattr(a, name), capacity)
        self.arrays = a._replace(**grown)

    def _take_batch(self):
        """The stashed events as (tick, global id, payload, slice, emission ps) arrays in
        (tick, id) order, views of the stash valid until the loop runs again; empty the
        stash."""
        a = self.arrays
        n = int(a.counters[STASHED])
        a.counters[STASHED] = 0
        emits = a.out_emit_ps[:n] if a.mode & EMISSION else None
        return a.out_tick[:n], a.out_id[:n], a.out_value[:n], a.out_slice[:n], emits

    def _emission_ps(self, tick: int, ids: np.ndarray, slices: np.ndarray) -> np.ndarray:
        """When the tick's spikes leave their cores, at the cores' clocks of this batch (what
        the compiled loop stamps on them)."""
        return emission_ps(tick, self.copies_to.tick_ps, ids, slices, self.slice_local_core,
                           self.slice_first_id, self.cycles_per_tick,
                           self.cores.cycles_per_neuron, self.batch_clock_hz)

    def _route_batch(self, start: int, end: int) -> None:
        """Share the batch's spikes within the fabric domain, run its fabric and close the
        batch's ticks on this rank's cores."""
        ticks, ids, values, slices, emits = self._take_batch()
        if self.domain_native is not None:
            ticks, ids, slices, values, emits = self._share_compiled(ticks, ids, slices,
                                                                     values, emits)
        elif self.group.size > 1:  # the spikes that leave their cores, from every rank
            sending = self.sends[slices]
            rows = np.stack([ticks[sending], ids[sending], slices[sending],
                             values[sending].view(np.int64), emits[sending]], axis=1)
            rows = np.concatenate(self.group.allgather(rows.ravel())).reshape(-1, 5)
            ticks, ids, slices, bits, emits = (rows[:, k].copy() for k in range(5))
            values = bits.view(np.float64)
        if self.delay_stages is not None:
            more = resends(self.delay_stages, self.copies_to.tick_ps,
                           self.run_options.duration_ticks, self.n_neurons, ticks, ids,
                           slices, values.view(np.int64), emits)
            ticks, ids, slices, bits, emits = (
                np.concatenate([a, b]) for a, b in
                zip((ticks, ids, slices, values.view(np.int64), emits), more))
            values = bits.view(np.float64)
        # the fabric takes only the spikes of slices that send (`inject`)
        self.fabric.run(end, ticks, ids, slices, values, emits, self.copies_to)
        window_ticks = self.run_options.window_ticks
        for tick in range(start, end):
            self.cores.finish_tick(tick, window_ticks, self.copies_to)
        self.cores.finish_batch()
        self.batch_clock_hz[:] = self.cores.clock_hz()

    def _share_by_mail(self, ticks, ids, slices, values, emits) -> tuple:
        """`exchange.share_by_mail` of the batch on this rank's domain boxes."""
        boxes = self.mailboxes
        return self.share_by_mail(len(ticks), ticks, ids, slices, values, emits, self.sends,
                                  boxes.mail, boxes.sequence, boxes.segment_ints,
                                  boxes.box_ints, boxes.capacity_rows, self.group.rank,
                                  self.group.size, self.domain_native.yield_while_waiting)

    def _share_compiled(self, ticks, ids, slices, values, emits) -> tuple:
        """The batch's spikes of every rank of the domain whose slices send, shared by
        compiled code (through the domain's shared-memory boxes, else or where a rank's
        spikes outgrow a box by MPI: `exchange.share_in_domain`), its time split into
        waiting and communication as the cycles it counted."""
        native = self.domain_native
        started = time.perf_counter()
        fits, waited, total = False, 0, 0
        if self.mailboxes is not None:
            *shared, sent, waited, total, fits = self._share_by_mail(ticks, ids, slices,
                                                                     values, emits)
        if not fits:
            *shared, sent, more_waited, more_total = self.share_in_domain(
                len(ticks), ticks, ids, slices, values, emits, self.sends, native.handle,
                native.int32, native.int64, self.group.size, native.yield_while_waiting,
                self.share_scratch)
            waited, total = waited + more_waited, total + more_total
        elapsed = time.perf_counter() - started
        waiting = elapsed * waited / total if total > 0 else 0.0
        self.profile[WAITING] += waiting
        self.profile[COMMUNICATION] += elapsed - waiting
        counters = self.arrays.counters
        counters[EXCHANGES] += 1
        counters[BYTES_SENT] += 8 * SHARED_INTS * sent
        return tuple(shared)

    def _exchange_batch(self) -> None:
        """Send the batch's events to the ranks that hold their targets: one message to
        each rank that can need any. With a lag (`exchange_lag`), the batch before this one
        is received and delivered now, so its messages travelled while this batch ran."""
        a = self.arrays
        rows, bounds = pack_by_rank(int(a.counters[STASHED]), a.out_tick, a.out_id,
                                    a.out_value, a.out_slice, self.destination_ptr,
                                    self.destinations, self.comm.size)
        a.counters[STASHED] = 0
        me = self.comm.rank
        sends = self.comm.send_start({r: rows[bounds[r]:bounds[r + 1]].ravel()
                                      for r in self.send_to})
        self.in_flight.append((rows[bounds[me]:bounds[me + 1]], sends))
        if len(self.in_flight) > self.exchange_lag:
            self._deliver_exchanged()

    def _deliver_exchanged(self) -> None:
        """Receive the oldest batch in flight from every rank that sends here and deliver
        all of its events this rank must, merged into (tick, id) order: the order in which
        one rank would have delivered them."""
        own, sends = self.in_flight.pop(0)
        parts = [own] + [part.reshape(-1, 3) for part in self.comm.receive(self.receive_from)]
        self.comm.send_finish(sends)
        rows = np.concatenate(parts)
        first = np.concatenate([[0], np.cumsum([len(part) for part in parts])]).astype(np.int64)
        started = time.perf_counter()
        m = self.matrix
        self.synaptic_events += deliver_merged(rows, first, len(parts),
                                               np.empty(len(parts), np.int64), m.row_ptr,
                                               m.target, m.weight, m.delay_ticks, self.ring)
        self.arrays.counters[SYNAPTIC_EVENTS] = self.synaptic_events
        self.profile[DELIVERY] += time.perf_counter() - started


def _peers(destination_ptr: np.ndarray, destinations: np.ndarray, slice_rank: np.ndarray,
           me: int) -> tuple[list[int], list[int]]:
    """The other ranks that hold targets of this rank's slices, and those whose slices
    have targets here, in rank order: the only ones a functional exchange talks to."""
    source = np.repeat(slice_rank, np.diff(destination_ptr))
    send_to = np.unique(destinations[(source == me) & (destinations != me)])
    receive_from = np.unique(source[(destinations == me) & (source != me)])
    return [int(r) for r in send_to], [int(r) for r in receive_from]


def _dead_ticks(mapping: Mapping, run: RunOptions) -> np.ndarray:
    """For every slice, the first tick its core no longer runs (a huge number if never)."""
    _, _, core_dead_ps = fault_times(mapping.machine)
    dead_ps = core_dead_ps[mapping.placement.global_core(mapping.machine.chip.cores)]
    tick_ps = run.timestep_ns * 1000
    return np.where(dead_ps == NEVER, NEVER, -(-dead_ps // tick_ps)).astype(np.int64)
