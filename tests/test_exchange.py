"""The exchange's delivery: every rank's arrived rows merged into (tick, id) order without a
copy, against a NumPy reference that sorts them and adds each synapse in turn."""

import numpy as np
import pytest

from simulator.engine.exchange import ROW_INTS, deliver_merged

N_NEURONS, N_RANKS, TICKS = 60, 3, 4


def synapses(rng):
    """Rows of 0-6 synapses onto 8 inputs, with weights of very different sizes so that the
    order of the sums shows in their bits, and delays of 1-3 ticks."""
    lengths = rng.integers(0, 7, N_NEURONS)
    row_ptr = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    n = int(row_ptr[-1])
    weight = rng.choice([1e16, 1.0, -1e16, 0.3], n) * rng.random(n)
    return row_ptr, rng.integers(0, 8, n).astype(np.int32), weight, \
        rng.integers(1, 4, n).astype(np.int32)


def delivered_sorted(rows, row_ptr, target, weight, delay, ring):
    """The reference: the rows sorted by (tick, id), keeping their order otherwise, and each
    synapse of each row added in turn at tick + delay. Returns the synaptic events."""
    order = np.lexsort((rows[:, 1], rows[:, 0]))
    payload = rows[:, 2].copy().view(np.float64)
    for i in order:
        tick, g = rows[i, 0], rows[i, 1]
        for k in range(row_ptr[g], row_ptr[g + 1]):
            ring[(tick + delay[k]) % ring.shape[0], target[k]] += weight[k] * payload[i]
    return int(np.diff(row_ptr)[rows[:, 1]].sum())


def arrivals(rng, owner):
    """Each rank's events (neuron ids it owns, `owner`), in (tick, id) order, one block a
    rank in rank order, as (tick, id, payload bits) rows; and where each block begins."""
    blocks = []
    for r in range(N_RANKS):
        ids = np.flatnonzero(owner == r)
        events = [(t, g) for t in range(TICKS) for g in ids if rng.random() < 0.5]
        block = np.zeros((len(events), ROW_INTS), np.int64)
        block[:, :2] = events
        block[:, 2] = rng.random(len(events)).view(np.int64)
        blocks.append(block)
    first = np.concatenate([[0], np.cumsum([len(b) for b in blocks])]).astype(np.int64)
    return np.concatenate(blocks), first


@pytest.mark.parametrize("owner", ["interleaved", "contiguous"])
def test_merged_delivery_adds_every_row_in_the_order_one_rank_would(owner):
    rng = np.random.default_rng(7)
    row_ptr, target, weight, delay = synapses(rng)
    owners = np.arange(N_NEURONS) % N_RANKS if owner == "interleaved" else \
        np.arange(N_NEURONS) * N_RANKS // N_NEURONS
    rows, first = arrivals(rng, owners)
    room = np.zeros((len(rows) + 5, ROW_INTS), np.int64)  # a buffer bigger than the batch
    room[:len(rows)] = rows
    merged = np.zeros((8, 8))
    events = deliver_merged(room, first, N_RANKS, np.zeros(N_RANKS, np.int64), row_ptr,
                            target, weight, delay, merged)
    sorted_ring = np.zeros((8, 8))
    expected = delivered_sorted(rows, row_ptr, target, weight, delay, sorted_ring)
    assert events == expected == np.diff(row_ptr)[rows[:, 1]].sum() > 100
    np.testing.assert_array_equal(merged, sorted_ring)
    if owner == "interleaved":  # rank by rank, the sums would differ: the order matters
        by_rank = np.zeros((8, 8))
        deliver_merged(rows, np.array([0, len(rows), len(rows), len(rows)], np.int64),
                       N_RANKS, np.zeros(N_RANKS, np.int64), row_ptr, target, weight, delay,
                       by_rank)
        assert not np.array_equal(by_rank, sorted_ring)
