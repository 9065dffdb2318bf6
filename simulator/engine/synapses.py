"""The synapses a rank holds, as rows keyed by the pre-synaptic neuron (as a core looks up
the row of an arriving packet's key), and the kernel that applies them."""

from dataclasses import dataclass

import numpy as np
from numba import njit

from networks import Network

from ..csr import pointers
from ..mapping import Mapping, slice_synapses
from .layout import LocalLayout


@dataclass(frozen=True, eq=False)
class SynapticMatrix:
    """Row g (a global neuron id) lists the synapses from neuron g onto this rank's inputs,
    core by core (in machine-wide core order), then by projection, then in generation order.
    For any one input the order is (projection, generation): the order its weights are
    summed in, the same on any number of ranks. 10 bytes a synapse, as a core would hold
    its rows."""

    row_ptr: np.ndarray      # int64 [global neurons + 1]
    target: np.ndarray       # int32 [synapses]: local input number
    weight: np.ndarray       # float32 [synapses]
    delay_ticks: np.ndarray  # uint16 [synapses]

    @property
    def max_delay_ticks(self) -> int:
        return int(self.delay_ticks.max(initial=1))

    @property
    def min_delay_ticks(self) -> int:
        """The shortest delay here (a very large number when there are no synapses)."""
        return int(self.delay_ticks.min(initial=np.iinfo(np.uint16).max))

    def __len__(self) -> int:
        return len(self.target)


def build_synaptic_matrix(network: Network, mapping: Mapping, layout: LocalLayout,
                          seed: int) -> SynapticMatrix:
    """Generate the synapses onto this rank's neurons, twice: once to count each row, once
    to write every synapse straight into its place, so that memory holds the finished rows
    and one slice's synapses at a time, never a copy of everything."""
    n_neurons = mapping.slices.n_neurons
    counts = np.zeros(n_neurons, dtype=np.int64)
    for pre, _, _, _ in _generate(network, mapping, layout, seed):
        count_rows(pre, counts)
    row_ptr = pointers(counts)
    target = np.empty(row_ptr[-1], dtype=np.int32)
    weight = np.empty(row_ptr[-1], dtype=np.float32)
    delay = np.empty(row_ptr[-1], dtype=np.uint16)
    cursor = row_ptr[:-1].copy()
    for pre, inputs, weights, delays in _generate(network, mapping, layout, seed):
        scatter_rows(pre, inputs, weights, delays, cursor, target, weight, delay)
    return SynapticMatrix(row_ptr, target, weight, delay)


def _generate(network: Network, mapping: Mapping, layout: LocalLayout, seed: int):
    """(pre global id, input, weight, delay) of the synapses onto each local core in turn."""
    slices = mapping.slices
    for s in layout.local_slices:
        if layout.slice_receptors[s] > 0:
            for projection, syn in slice_synapses(network, slices, int(s), seed):
                receptor = projection.post.model.receptors.index(projection.receptor)
                yield (slices.population_offset[projection.pre.index] + syn.pre,
                       layout.slice_first_input[s] + (syn.post - slices.start[s])
                       + receptor * layout.slice_receptor_stride[s],
                       syn.weight, syn.delay_ticks)


@njit(cache=True)
def count_rows(pre, counts):
    for g in pre:
        counts[g] += 1


@njit(cache=True)
def scatter_rows(pre, inputs, weights, delays, cursor, target, weight, delay):
    """Append each synapse at the end of its row so far."""
    for k in range(pre.size):
        at = cursor[pre[k]]
        cursor[pre[k]] = at + 1
        target[at] = inputs[k]
        weight[at] = weights[k]
        delay[at] = delays[k]


@njit(cache=True)
def deliver(spikes, payload, row_ptr, target, weight, delay_ticks, ring, tick):
    """Add the row of every event (ascending global ids), each weight times the event's
    payload (1 for a spike), into the input ring at `tick + delay` (the ring's depth is a
    power of two, so that a slot is found with a mask). Returns the number of synaptic
    events."""
    events = 0
    for i in range(spikes.size):
        g = spikes[i]
        add_synapses(ring, row_ptr[g], row_ptr[g + 1], target, weight, delay_ticks, tick,
                     payload[i])
        events += row_ptr[g + 1] - row_ptr[g]
    return events


@njit(cache=True, inline="always")
def add_synapses(ring, start, stop, target, weight, delay_ticks, tick, value):
    """Add synapses `start .. stop - 1`, each weight times `value`, into the ring at
    `tick + delay`. Indices are unsigned so that Numba checks none for wrapping around
    (negative indices): 2.5x the synaptic events per second."""
    mask = ring.shape[0] - 1
    width = ring.shape[1]
    flat = ring.reshape(ring.size)
    for k in range(np.uint64(start), np.uint64(stop)):
        flat[np.uint64(((tick + delay_ticks[k]) & mask) * width + target[k])] += \
            weight[k] * value
