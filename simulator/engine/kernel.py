"""One rank's share of a run, stepped tick by tick in a SimPy environment.

Each tick: every model group updates its neurons (one Numba call per model), the spikes
leave as packets through the fabric, ranks exchange the spikes their neighbours need, and
the synaptic rows of all spikes that reach this rank are added to the input ring at
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
        self.spiked_views = [self.spiked[g.first_neuron:g.first_neuron + g.size]
                             for g in layout.groups]
        self.group_first = np.array([g.first_neuron for g in layout.groups], dtype=np.int64)
        self.fired = np.zeros(len(layout.groups), dtype=np.int64)
        self.local_slice = mapping.slices.containing(layout.global_id)
        n_windows = -(-run.duration_ticks // run.window_ticks)
        self.fabric = FunctionalFabric(mapping, n_windows, run.window_ticks)
        self.recorder = SpikeRecorder()
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
        routes = self.fabric.routes
        ids, slices, _ = emit(0, self.spiked, self.group_first, self.fired,
                              self.layout.global_id, self.local_slice, self.recorder.ticks,
                              self.recorder.ids, 0, routes.link_ptr, routes.links,
                              routes.router_ptr, routes.routers, self.fabric.link_packets[0],
                              self.fabric.router_packets[0])
        m = self.matrix
        deliver(ids, m.row_ptr, m.target, m.weight, m.delay_ticks, self.ring, 0)
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
        """Update the neurons for `tick`, send their spikes and deliver what arrives."""
        slot = tick % self.ring.shape[0]
        for k, group in enumerate(self.groups):
            self.fired[k] = group.step(tick, self.input_views[k][slot], self.spiked_views[k])
        self.ring[slot] = 0.0
        self.recorder.reserve(self.layout.n_neurons)
        window = tick // self.fabric.window_ticks
        routes = self.fabric.routes
        ids, slices, self.recorder.count = emit(
            tick, self.spiked, self.group_first, self.fired, self.layout.global_id,
            self.local_slice, self.recorder.ticks, self.recorder.ids, self.recorder.count,
            routes.link_ptr, routes.links, routes.router_ptr, routes.routers,
            self.fabric.link_packets[window], self.fabric.router_packets[window])
        if self.comm.size > 1:
            ids = self._exchange(ids, slices)
        if len(ids):
            m = self.matrix
            self.synaptic_events += deliver(ids, m.row_ptr, m.target, m.weight, m.delay_ticks,
                                            self.ring, tick)

    def _exchange(self, ids: np.ndarray, slices: np.ndarray) -> np.ndarray:
        """Send each spike to the ranks that own its target cores; return all spikes this
        rank must deliver, in ascending global id (the order every rank count shares)."""
        spike, rank = expand_rows(slices, self.destination_ptr, self.destinations)
        order = np.argsort(rank, kind="stable")
        counts = np.bincount(rank, minlength=self.comm.size)
        outgoing = np.split(ids[spike[order]], np.cumsum(counts)[:-1])
        return np.sort(np.concatenate(self.comm.alltoallv(outgoing)))


@njit(cache=True)
def emit(tick, spiked, group_first, fired, global_id, local_slice, record_ticks, record_ids,
         recorded, link_ptr, links, router_ptr, routers, link_packets, router_packets):
    """Record the tick's spikes and send their packets through the functional fabric.

    Returns their global ids in ascending order, their slices, and the new record count.
    """
    total = fired.sum()
    local = np.empty(total, dtype=np.int64)
    at = 0
    for k in range(fired.size):
        for i in range(fired[k]):
            local[at] = group_first[k] + spiked[group_first[k] + i]
            at += 1
    ids = global_id[local]
    order = np.argsort(ids, kind="mergesort")
    ids = ids[order]
    slices = local_slice[local[order]]
    record_ticks[recorded:recorded + total] = tick
    record_ids[recorded:recorded + total] = ids
    count_packets(slices, link_ptr, links, router_ptr, routers, link_packets, router_packets)
    return ids, slices, recorded + total


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
