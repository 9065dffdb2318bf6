"""Which slices send packets to which: the slice pairs joined by at least one synapse."""

from dataclasses import dataclass
from typing import Iterator

import numpy as np

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
    for target in post_slices:
        pre_ids = [slices.population_offset[projection.pre.index] + syn.pre
                   for projection, syn in slice_synapses(network, slices, int(target), seed)]
        if not pre_ids:
            continue
        pre_ids = np.concatenate(pre_ids)
        source, count = np.unique(slices.containing(pre_ids), return_counts=True)
        row_source = slices.containing(np.unique(pre_ids))
        sources.append(source)
        targets.append(np.full(len(source), target, dtype=np.int64))
        counts.append(count)
        rows.append(np.bincount(row_source - source[0], minlength=source[-1] - source[0] + 1)
                    [source - source[0]] if len(source) else count)
    return merge_edges(sources, targets, counts, rows)


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
