"""Which slices send packets to which: the slice pairs joined by at least one synapse."""

from dataclasses import dataclass
from typing import Iterator

import numpy as np
from numba import njit

from networks import Network, Projection, Synapses, synapses

from .slices import Slices


@dataclass(frozen=True, eq=False)
class Edges:
    """Pairs of slices (source, target) with `synapses` > 0 synapses from one to the other,
    sorted by source then target; `rows` of the source's neurons have a synapse there."""

    source: np.ndarray    # int32
    target: np.ndarray    # int32
    synapses: np.ndarray  # int64
    rows: np.ndarray      # int64

    def __len__(self) -> int:
        return len(self.source)


def slice_synapses(network: Network, slices: Slices, post_slice: int,
                   seed: int) -> Iterator[tuple[Projection, Synapses]]:
    """The synapses of every projection onto the neurons of `post_slice`."""
    population = slices.population[post_slice]
    start, stop = int(slices.start[post_slice]), int(slices.stop[post_slice])
    for projection in network.projections:
        if projection.post.index == population:
            yield projection, synapses(projection, seed, start, stop)


def find_edges(network: Network, slices: Slices, post_slices: np.ndarray, seed: int) -> Edges:
    """The edges into `post_slices`, found by generating their synapses."""
    sources, targets, counts, rows = [], [], [], []
    slice_of = np.repeat(np.arange(len(slices), dtype=np.int32), slices.size)
    seen = np.full(slices.n_neurons, -1, dtype=np.int64)
    synapse_count = np.zeros(len(slices), dtype=np.int64)
    row_count = np.zeros(len(slices), dtype=np.int64)
    for target in post_slices:
        for projection, syn in slice_synapses(network, slices, int(target), seed):
            tally_sources(syn.pre, int(slices.population_offset[projection.pre.index]),
                          slice_of, seen, int(target), synapse_count, row_count)
        source = np.flatnonzero(synapse_count)
        if len(source) == 0:
            continue
        sources.append(source)
        targets.append(np.full(len(source), target, dtype=np.int64))
        counts.append(synapse_count[source].copy())
        rows.append(row_count[source].copy())
        synapse_count[source] = 0
        row_count[source] = 0
    return merge_edges(sources, targets, counts, rows)


@njit(cache=True)
def tally_sources(pre, offset, slice_of, seen, stamp, synapse_count, row_count):
    """Count, per source slice, the synapses of `pre` (population indices + `offset`) and
    the distinct neurons they come from (`seen` marks neurons met for target `stamp`)."""
    for k in range(pre.size):
        g = pre[k] + offset
        s = slice_of[g]
        synapse_count[s] += 1
        if seen[g] != stamp:
            seen[g] = stamp
            row_count[s] += 1


def merge_edges(sources, targets, counts, rows=None) -> Edges:
    """One edge per (source, target) pair, summing the synapse and row counts of repeated
    pairs."""
    if not sources:
        empty = np.empty(0, dtype=np.int64)
        return Edges(empty.astype(np.int32), empty.astype(np.int32), empty, empty.copy())
    source = np.concatenate(sources).astype(np.int64)
    target = np.concatenate(targets).astype(np.int64)
    count = np.concatenate(counts).astype(np.int64)
    row = count if rows is None else np.concatenate(rows).astype(np.int64)
    pair = source * (int(target.max(initial=0)) + 1) + target
    unique, first, inverse = np.unique(pair, return_index=True, return_inverse=True)
    total = np.zeros(len(unique), dtype=np.int64)
    np.add.at(total, inverse, count)
    row_total = np.zeros(len(unique), dtype=np.int64)
    np.add.at(row_total, inverse, row)
    return Edges(source[first].astype(np.int32), target[first].astype(np.int32), total,
                 row_total)
