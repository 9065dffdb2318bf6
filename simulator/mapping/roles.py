"""Helper cores beside the neuron cores, as sPyNNaker places them on the chip of the slice
they serve: split synapse cores (`[mapping] synapse_cores` per receiving slice: they hold
its synaptic rows and input rings and take its incoming packets, the neuron core keeps the
state) and delay-extension cores (`[mapping] delay_extensions`: one per sending slice whose
delays exceed what a core's ring holds, `[machine.core] ring_delay_ticks`; it takes the
slice's packets and sends them on, delayed, under its own keys along its own tree).

Every slice gets a group of `width` cores of one chip (its neuron core first, then its
helpers), so placers place groups; helpers a slice does not need stay unused.
"""

from dataclasses import dataclass

import numpy as np

from networks import Network

from ..csr import pointers, unique_rows
from ..errors import MappingError
from .resources import KEY_BYTES, largest_delay_ticks
from .slices import Slices

SYNAPSE, DELAY = 0, 1
ROLES = ("synapse", "delay")


@dataclass(frozen=True, eq=False)
class HelperCores:
    """Helper core h has role `role[h]` (SYNAPSE or DELAY), serves slice `serves[h]` and
    runs on core `core[h]` of chip `chip[h]`."""

    role: np.ndarray    # int8
    serves: np.ndarray  # int32
    chip: np.ndarray    # int32
    core: np.ndarray    # int32

    def __len__(self) -> int:
        return len(self.role)

    def global_core(self, cores_per_chip: int) -> np.ndarray:
        return self.chip.astype(np.int64) * cores_per_chip + self.core

    def count(self, role: int) -> int:
        return int((self.role == role).sum())


NO_HELPERS = HelperCores(*(np.empty(0, dtype=t) for t in (np.int8, np.int32, np.int32,
                                                           np.int32)))


def delay_pairs(network: Network, ring_delay_ticks: int) -> tuple[np.ndarray, np.ndarray]:
    """bool [pre, post] population pairs with a projection whose delays can exceed the ring
    (`long`), and with one whose delays can fit it (`short`)."""
    n = len(network.populations)
    long, short = np.zeros((n, n), dtype=bool), np.zeros((n, n), dtype=bool)
    for p in network.projections:
        largest = largest_delay_ticks(p)
        fixed = isinstance(p.delay_ticks, (int, np.integer)) \
            and p.connector.explicit_values(0, p.post.size) is None
        long[p.pre.index, p.post.index] |= largest > ring_delay_ticks
        short[p.pre.index, p.post.index] |= largest <= ring_delay_ticks or not fixed
    return long, short


def helper_needs(network: Network, slices: Slices, options, core) -> tuple[np.ndarray, ...]:
    """Synapse cores and delay cores (0 or 1) each slice needs."""
    receives = np.zeros(len(network.populations), dtype=bool)
    for p in network.projections:
        receives[p.post.index] = True
    synapse = np.where(receives[slices.population], options.synapse_cores, 0)
    if options.delay_extensions:
        long, _ = delay_pairs(network, core.ring_delay_ticks)
        delay = long.any(axis=1)[slices.population].astype(np.int64)
    else:
        delay = np.zeros(len(slices), dtype=np.int64)
    return synapse.astype(np.int64), delay


def group_cores(free: np.ndarray, width: int) -> np.ndarray:
    """int [chips, groups, width]: the free cores of each chip in consecutive groups of
    `width` (-1 where a chip has fewer)."""
    n_chips, n_cores = free.shape
    groups = np.full((n_chips, n_cores // width, width), -1, dtype=np.int64)
    for chip in range(n_chips):
        cores = np.flatnonzero(free[chip])
        k = len(cores) // width
        groups[chip, :k] = cores[:k * width].reshape(k, width)
    return groups


def claim(free: np.ndarray, chip: int, n: int, what: str, machine) -> np.ndarray:
    """Take `n` free cores of `chip` out of `free`, refusing if it has fewer."""
    cores = np.flatnonzero(free[chip])
    if len(cores) < n:
        x, y = machine.topology.chip_xy[chip]
        raise MappingError(f"chip ({x}, {y}) has {len(cores)} free cores left but {what} "
                           f"needs {n} more for its synapse and delay cores; pin it to a "
                           f"chip with room or lower [mapping] synapse_cores")
    free[chip, cores[:n]] = False
    return cores[:n]


def helpers_from(chip: np.ndarray, cores: list, synapse: np.ndarray,
                 delay: np.ndarray) -> HelperCores:
    """The helper cores of every slice, from the cores each slice got beside its own."""
    role, serves, chip_of, core = [], [], [], []
    for s, spare in enumerate(cores):
        n_syn, n_delay = int(synapse[s]), int(delay[s])
        for k in range(n_syn + n_delay):
            role.append(SYNAPSE if k < n_syn else DELAY)
            serves.append(s)
            chip_of.append(chip[s])
            core.append(spare[k])
    return HelperCores(np.array(role, dtype=np.int8), np.array(serves, dtype=np.int32),
                       np.array(chip_of, dtype=np.int32), np.array(core, dtype=np.int32))


def delay_senders(slices: Slices, helpers: HelperCores, n_populations: int):
    """The delay cores in sender order (by partition, one per population with delay cores,
    numbered after the populations): the slice each serves, its partition, its helper."""
    helper = np.flatnonzero(helpers.role == DELAY)
    pops = slices.population[helpers.serves[helper]]
    partition = n_populations + np.searchsorted(np.unique(pops), pops)
    order = np.argsort(partition, kind="stable")
    return helpers.serves[helper[order]].astype(np.int64), partition[order], helper[order]


def delay_slices(slices: Slices, helpers: HelperCores, n_populations: int) -> Slices:
    """The neuron slices followed by one sender per delay core (the neurons it delays)."""
    served, partition, _ = delay_senders(slices, helpers, n_populations)
    return Slices(np.concatenate([slices.population, partition]).astype(np.int32),
                  np.concatenate([slices.start, slices.start[served]]),
                  np.concatenate([slices.stop, slices.stop[served]]),
                  np.concatenate([slices.first_id, slices.first_id[served]]),
                  slices.population_offset)


def delivery_targets(network: Network, slices: Slices, placement, edges, helpers,
                     n_senders: int, core, cores_per_chip: int):
    """Target cores (machine-wide, CSR by sender) of every sender: a slice's packets go to
    the synapse cores of the slices they reach (source population p to synapse core
    p mod n), or to their neuron cores, and to its own delay core where delays exceed the
    ring; a delay core's go on to the slices reached only through it."""
    n = len(slices)
    neuron_core = placement.global_core(cores_per_chip)
    helper_core = helpers.global_core(cores_per_chip)
    syn = np.flatnonzero(helpers.role == SYNAPSE)
    syn = syn[np.argsort(helpers.serves[syn], kind="stable")]
    syn_ptr = pointers(np.bincount(helpers.serves[syn], minlength=n))
    n_syn = np.diff(syn_ptr)
    source_pop = slices.population[edges.source].astype(np.int64)
    target = edges.target.astype(np.int64)
    into = neuron_core[target]
    split = n_syn[target] > 0
    if split.any():
        pick = syn_ptr[target[split]] + source_pop[split] % n_syn[target[split]]
        into[split] = helper_core[syn[pick]]
    served, _, delay_helper = delay_senders(slices, helpers, len(network.populations))
    direct = np.ones(len(edges), dtype=bool)
    senders, cores = [], []
    if len(served):
        long, short = delay_pairs(network, core.ring_delay_ticks)
        target_pop = slices.population[target]
        direct = short[source_pop, target_pop]
        delayed = long[source_pop, target_pop]
        sender_of = np.full(n, -1, dtype=np.int64)
        sender_of[served] = n + np.arange(len(served))
        helper_of = np.full(n, -1, dtype=np.int64)
        helper_of[served] = delay_helper
        to_delay = np.unique(edges.source[delayed]).astype(np.int64)
        senders += [to_delay, sender_of[edges.source[delayed]]]
        cores += [helper_core[helper_of[to_delay]], into[delayed]]
    senders.append(edges.source[direct].astype(np.int64))
    cores.append(into[direct])
    sender = np.concatenate(senders)
    order = np.argsort(sender, kind="stable")
    ptr = pointers(np.bincount(sender, minlength=n_senders))
    return unique_rows(ptr, np.concatenate(cores)[order])


def helper_memory(network: Network, slices: Slices, memory, helpers: HelperCores,
                  core) -> np.ndarray:
    """Data memory of each helper core: a synapse core holds its share of the slice's
    input ring, routing data, shared kernels and core-resident rows; a delay core a bit per neuron and
    delay tick beyond the ring (an estimate) and its keys."""
    n_syn = np.bincount(helpers.serves[helpers.role == SYNAPSE], minlength=len(slices))
    share = memory.ring_bytes + memory.routing_bytes + memory.kernel_bytes
    if not memory.synapses_in_sdram:
        share = share + memory.synaptic
    out = np.zeros(len(helpers), dtype=np.int64)
    syn = helpers.role == SYNAPSE
    out[syn] = -(-share[helpers.serves[syn]] // np.maximum(n_syn[helpers.serves[syn]], 1))
    delay = helpers.role == DELAY
    if delay.any():
        longest = np.zeros(len(network.populations), dtype=np.int64)
        for p in network.projections:
            longest[p.pre.index] = max(longest[p.pre.index], largest_delay_ticks(p))
        served = helpers.serves[delay]
        words = -(-slices.size[served] // 32)
        out[delay] = 4 * words * np.maximum(longest[slices.population[served]]
                                            - core.ring_delay_ticks, 0) + KEY_BYTES
    return out
