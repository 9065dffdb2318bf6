"""One rank's share of a run, stepped tick by tick in a SimPy environment.

Each tick: every model group updates its neurons (one Numba call per model), the events
leave as packets through the fabric, ranks exchange the events their neighbours need, and
the synaptic rows of all events that reach this rank are added to the input ring at
`tick + delay`. Because every delay is at least one tick, one exchange per tick suffices
(the min-delay lookahead of NEST).
"""

import numpy as np
import simpy
from numba import njit

from networks import Network

from ..csr import unique_rows
from ..mapping import Mapping
from ..options import RunOptions
from .fabric import FunctionalFabric, count_packets
from .layout import build_groups, lay_out
from .probes import make_probes
from .recorder import SpikeRecorder
from .synapses import build_synaptic_matrix, deliver


class RankSimulation:
    """The neurons, synapses and fabric of the chips that one rank owns."""

    def __init__(self, network: Network, mapping: Mapping, run: RunOptions, comm) -> None:
        self.run_options = run
        self.comm = comm
        self.layout = layout = lay_out(network, mapping, comm.rank)
        self.groups = build_groups(network, mapping, layout, run.timestep_ms, run.seed)
        self.matrix = build_synaptic_matrix(network, mapping, layout, run.seed)
        depth = self.matrix.max_delay_ticks + 1
        self.ring = np.zeros((depth, layout.n_inputs), dtype=np.float64)
        self.input_views = [[self.ring[slot, g.inputs].reshape(g.size, g.receptors)
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
        self.fabric = FunctionalFabric(mapping, n_windows, run.window_ticks)
        self.recorder = SpikeRecorder()
        self.probes = make_probes(network, mapping, layout, run.duration_ticks)
        self.probe_sources = [self.groups[p.group].state(p.variable)[p.start:p.stop]
                              for p in self.probes]
        self.synaptic_events = 0
        if comm.size > 1:
            chip_rank = mapping.chip_rank[mapping.routes.cores // mapping.machine.chip.cores]
            self.destination_ptr, self.destinations = unique_rows(mapping.routes.core_ptr,
                                                                  chip_rank)
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

    def run(self) -> None:
        """Simulate every tick of the run."""
        env = simpy.Environment()
        env.process(self._clock(env))
        env.run()

    def _clock(self, env: simpy.Environment):
        timestep_ns = self.run_options.timestep_ns
        for tick in range(self.run_options.duration_ticks):
            self.step(tick)
            yield env.timeout(timestep_ns)

    def step(self, tick: int) -> None:
        """Update the neurons for `tick`, send their events and deliver what arrives."""
        slot = tick % self.ring.shape[0]
        for k, group in enumerate(self.groups):
            self.fired[k] = group.step(tick, self.input_views[k][slot], self.spiked_views[k],
                                       self.payload_views[k])
        self.ring[slot] = 0.0
        for probe, source in zip(self.probes, self.probe_sources):
            probe.values[tick] = source
        self.recorder.reserve(self.layout.n_neurons)
        ids, values, slices = self._emit(tick)
        if self.comm.size > 1:
            ids, values = self._exchange(ids, values, slices)
        if len(ids):
            m = self.matrix
            self.synaptic_events += deliver(ids, values, m.row_ptr, m.target, m.weight,
                                            m.delay_ticks, self.ring, tick)

    def _emit(self, tick: int):
        window = tick // self.fabric.window_ticks
        routes = self.fabric.routes
        ids, values, slices, self.recorder.count = emit(
            tick, self.spiked, self.payload, self.group_first, self.fired, self.group_graded,
            self.layout.global_id, self.local_slice, self.recorder.ticks, self.recorder.ids,
            self.recorder.count, routes.link_ptr, routes.links, routes.router_ptr,
            routes.routers, self.fabric.link_packets[window], self.fabric.router_packets[window])
        return ids, values, slices

    def _exchange(self, ids: np.ndarray, values: np.ndarray, slices: np.ndarray):
        """Send each event to the ranks that own its target cores; return all events this
        rank must deliver, in ascending global id (the order every rank count shares)."""
        spike, rank = expand_rows(slices, self.destination_ptr, self.destinations)
        order = spike[np.argsort(rank, kind="stable")]
        split = np.cumsum(np.bincount(rank, minlength=self.comm.size))[:-1]
        ids = np.concatenate(self.comm.alltoallv(np.split(ids[order], split)))
        values = np.concatenate(self.comm.alltoallv(np.split(values[order], split)))
        order = np.argsort(ids, kind="stable")
        return ids[order], values[order]


@njit(cache=True)
def emit(tick, spiked, payload, group_first, fired, graded, global_id, local_slice,
         record_ticks, record_ids, recorded, link_ptr, links, router_ptr, routers, link_packets,
         router_packets):
    """Record the tick's events and send their packets through the functional fabric.

    Returns their global ids in ascending order, their payloads (1 for plain spikes), their
    slices, and the new record count.
    """
    total = fired.sum()
    local = np.empty(total, dtype=np.int64)
    value = np.ones(total, dtype=np.float64)
    at = 0
    for k in range(fired.size):
        for i in range(fired[k]):
            local[at] = group_first[k] + spiked[group_first[k] + i]
            if graded[k]:
                value[at] = payload[group_first[k] + i]
            at += 1
    ids = global_id[local]
    order = np.argsort(ids, kind="mergesort")
    ids = ids[order]
    slices = local_slice[local[order]]
    record_ticks[recorded:recorded + total] = tick
    record_ids[recorded:recorded + total] = ids
    count_packets(slices, link_ptr, links, router_ptr, routers, link_packets, router_packets)
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
