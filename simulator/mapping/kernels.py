"""Convolutions stored as shared kernels (`[mapping] conv_storage = "kernels"`): which
projections, the bytes their kernels take on a core and what a synaptic event of theirs costs.

As sPyNNaker's local-only convolution does (chips/presets.py, SPYNNCONV), a core receiving a
convolution keeps the kernel weights of the output channels it holds, once, and a small
description of the connection, instead of a synaptic row per source neuron: out channels on
the core x in channels per group x kernel positions x `kernel_weight_bytes` (rounded up to a
word) plus `kernel_header_bytes`. sPyNNaker's target populations are one channel each, so a
core there holds exactly the kernels of its own channels; here a slice may cut channels, and
holds the kernels of every channel it touches. Each synaptic event of such a projection costs
`cycles_per_kernel_event` (a kernel-indexed update) instead of `cycles_per_synaptic_event`;
the spikes are the same, since the engine applies the same weights either way.
"""

import numpy as np

from networks import FromList, Network

from ..errors import MappingError

WORD_BYTES = 4


def convolution_of(projection):
    """The `Convolution` a projection's list describes, or None."""
    connector = projection.connector
    return connector.convolution if isinstance(connector, FromList) else None


def kernel_projections(network: Network, conv_storage: str) -> np.ndarray:
    """Which projections are stored as kernels (bool [projections]): with "kernels", every
    projection whose list describes a convolution; others keep their synapses. Refuses a
    pair of populations joined by a kernel and by synapses too (one row format a pair)."""
    kernels = np.array([conv_storage == "kernels" and convolution_of(p) is not None
                        for p in network.projections], dtype=bool)
    stored: dict[tuple[int, int], list] = {}
    for p in network.projections:
        stored.setdefault((p.pre.index, p.post.index), []).append(p)
    for group in stored.values():
        if len({bool(kernels[p.index]) for p in group}) > 1:
            conv = next(p for p in group if kernels[p.index])
            other = next(p for p in group if not kernels[p.index])
            raise MappingError(
                f"{conv.label} is a convolution stored as a kernel but {other.label} joins the "
                f"same populations with explicit synapses; with [mapping] conv_storage = "
                f"\"kernels\" merge them into one projection or set conv_storage = "
                f"\"synapses\"")
    return kernels


def kernel_pairs(network: Network, kernels: np.ndarray | None) -> np.ndarray:
    """Sorted keys pre x populations + post of the population pairs stored as kernels."""
    n = len(network.populations)
    if kernels is None:
        return np.empty(0, dtype=np.int64)
    return np.unique(np.array([p.pre.index * n + p.post.index for p in network.projections
                               if kernels[p.index]], dtype=np.int64))


def is_kernel_pair(pairs: np.ndarray, pre_population, post_population,
                   n_populations: int) -> np.ndarray:
    """Whether each (pre, post) population pair (arrays) is stored as kernels."""
    key = np.asarray(pre_population, dtype=np.int64) * n_populations \
        + np.asarray(post_population, dtype=np.int64)
    at = np.minimum(np.searchsorted(pairs, key), max(len(pairs) - 1, 0))
    return pairs[at] == key if len(pairs) else np.zeros(key.shape, dtype=bool)


def cycles_per_event(pairs: np.ndarray, pre_population, post_population,
                     n_populations: int, core) -> np.ndarray:
    """Cycles one synaptic event costs a core, for each (pre, post) population pair."""
    return np.where(is_kernel_pair(pairs, pre_population, post_population, n_populations),
                    core.cycles_per_kernel_event, core.cycles_per_synaptic_event
                    ).astype(np.int64)


def kernel_bytes(conv, channels, core) -> np.ndarray:
    """Bytes the kernels of `channels` (array) output channels of `conv` take with their
    description (none for no channel)."""
    channels = np.asarray(channels, dtype=np.int64)
    weights = channels * conv.kernel_weights_per_channel * core.kernel_weight_bytes
    words = -(-weights // WORD_BYTES) * WORD_BYTES
    return np.where(channels > 0, words + core.kernel_header_bytes, 0)


def estimated_kernel_bytes(projection, n, core) -> np.ndarray:
    """The most bytes a slice of `n` (array) neighbouring posts needs for the kernels of
    `projection` (the most output channels that many posts can touch)."""
    conv = convolution_of(projection)
    return kernel_bytes(conv, conv.most_channels(n), core).astype(np.float64)


def slice_kernel_bytes(network: Network, slices, kernels: np.ndarray | None,
                       core) -> np.ndarray:
    """Bytes the kernels onto each slice take on its core (int64 [slices])."""
    out = np.zeros(len(slices), dtype=np.int64)
    if kernels is None:
        return out
    for p in network.projections:
        if not kernels[p.index]:
            continue
        mine = np.flatnonzero(slices.population == p.post.index)
        conv = convolution_of(p)
        out[mine] += kernel_bytes(conv, conv.channels_of(slices.start[mine], slices.stop[mine]),
                                  core)
    return out


def edge_cycles_per_event(network: Network, mapping) -> np.ndarray:
    """Cycles one synaptic event of each edge of `mapping` costs its target core."""
    pops = mapping.slices.population.astype(np.int64)
    edges = mapping.edges
    return cycles_per_event(kernel_pairs(network, mapping.kernels),
                            pops[edges.source.astype(np.int64)],
                            pops[edges.target.astype(np.int64)], len(network.populations),
                            mapping.machine.chip.core)


def segment_cycles_per_event(network: Network, mapping, core_slice: np.ndarray, seg_ptr,
                             seg_core) -> np.ndarray:
    """Cycles one synaptic event of each row segment costs its core (int32 [segments]): an
    event from the row's population onto the population of the slice the segment's core
    runs or serves (`core_slice[core]`). Rows past the neurons are delay stages of the
    neuron `row mod neurons`."""
    slices = mapping.slices
    n = len(network.populations)
    row = np.repeat(np.arange(len(seg_ptr) - 1, dtype=np.int64), np.diff(seg_ptr))
    row %= max(int(slices.n_neurons), 1)
    pre = np.searchsorted(np.asarray(slices.population_offset[:n]), row, side="right") - 1
    post = slices.population.astype(np.int64)[core_slice[np.asarray(seg_core, np.int64)]]
    return cycles_per_event(kernel_pairs(network, mapping.kernels), pre, post, n,
                            mapping.machine.chip.core).astype(np.int32)
