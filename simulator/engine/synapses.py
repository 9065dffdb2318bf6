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
    sorted by input, then projection, then generation order: the order in which their
    weights are summed, the same on any number of ranks."""

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
    """Generate the synapses onto this rank's neurons and sort them into rows."""
    slices = mapping.slices
    pre, target, weight, delay = [], [], [], []
    for group in layout.groups:
        for s in group.slices:
            for projection, syn in slice_synapses(network, slices, int(s), seed):
                receptor = projection.post.model.receptors.index(projection.receptor)
                pre.append(slices.population_offset[projection.pre.index] + syn.pre)
                target.append(layout.slice_first_input[s]
                              + (syn.post - slices.start[s]) * layout.slice_receptors[s]
                              + receptor)
                weight.append(syn.weight)
                delay.append(syn.delay_ticks)
    if not pre:
        return SynapticMatrix(np.zeros(slices.n_neurons + 1, dtype=np.int64),
                              np.empty(0, np.int32), np.empty(0, np.float32),
                              np.empty(0, np.uint16))
    pre = np.concatenate(pre)
    target = np.concatenate(target)
    order = np.lexsort((target, pre))
    return SynapticMatrix(
        row_ptr=pointers(np.bincount(pre, minlength=slices.n_neurons)),
        target=target[order].astype(np.int32),
        weight=np.concatenate(weight)[order],
        delay_ticks=np.concatenate(delay)[order].astype(np.uint16))


@njit(cache=True)
def deliver_batch(ticks, spikes, payload, row_ptr, target, weight, delay_ticks, ring):
    """`deliver` for events of several ticks, sorted by (tick, global id)."""
    events = 0
    for i in range(spikes.size):
        events += deliver(spikes[i:i + 1], payload[i:i + 1], row_ptr, target, weight,
                          delay_ticks, ring, ticks[i])
    return events


@njit(cache=True)
def deliver(spikes, payload, row_ptr, target, weight, delay_ticks, ring, tick):
    """Add the row of every event (ascending global ids), each weight times the event's
    payload (1 for a spike), into the input ring at `tick + delay`. Returns the number of
    synaptic events."""
    depth = ring.shape[0]
    events = 0
    for i in range(spikes.size):
        g = spikes[i]
        value = payload[i]
        for k in range(row_ptr[g], row_ptr[g + 1]):
            ring[(tick + delay_ticks[k]) % depth, target[k]] += weight[k] * value
        events += row_ptr[g + 1] - row_ptr[g]
    return events
