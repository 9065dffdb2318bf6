"""The exchanges between MPI ranks made from compiled code. At functional fidelity a batch's
events go to the ranks that hold their targets, and the events that arrive are delivered in
the order one rank would have delivered them; at timed fidelity the ranks of a fabric domain
share the batch's spikes (`share_in_domain`).

The compiled loop calls `exchange_stash` at the end of each batch (`batch_ends`) and so runs
the whole exchange itself, MPI called from compiled code (simulator/distribution/native.py):
a one-tick-delay network exchanges every tick, and a return to Python for each would cost
more than the tick. Where compiled MPI is not available, the loop only stashes the events
and the kernel exchanges them from Python with `pack_by_rank` and delivers them with
`deliver_merged`.
"""

import numpy as np
from numba import njit

from ..distribution.mailbox import BOXES, HEADER_INTS, ack_at, box_at
from ..distribution.native import (STATUS_INTS, load_acquire, mpi_get_count, mpi_iallgather,
                                   mpi_iallgatherv, mpi_isend, mpi_recv, mpi_testall, probe,
                                   give_way, store_release, wait_all)
from .cycles import cycle_count
from .fused import (BYTES_SENT, COMMUNICATION_CYCLES, DELIVERY_CYCLES, EXCHANGES, STASHED,
                    SYNAPTIC_EVENTS, WAITING_CYCLES)
from .synapses import add_synapses

EXCHANGE_TAG = 22  # on the exchange's own communicator
ROW_INTS = 3       # an event on the wire: tick, global id, payload bits


@njit(cache=True, inline="always")
def batch_ends(tick, window_ticks, batch_ticks, duration_ticks):
    """Whether `tick` closes a batch: min-delay ticks from its window's start, or the
    window's or the run's last tick."""
    in_window = tick % window_ticks
    return (in_window + 1) % batch_ticks == 0 or in_window + 1 == window_ticks or \
        tick + 1 == duration_ticks


PACK_ROOM, ARRIVAL_ROOM = 1, 2  # an exchange stopped: its rows, or those arriving, need room


@njit(cache=True, inline="always")
def _index(a):
    """The exchange's scratch in `exchange_index`: per-rank bounds and cursors of the packed
    rows, where each rank's arrivals begin, and the MPI sends in flight."""
    n = a.n_ranks
    index = a.exchange_index
    return (index[:n + 1], index[n + 1:2 * n + 2], index[2 * n + 2:3 * n + 3],
            index[3 * n + 3:3 * n + 4])


@njit(cache=True)
def exchange_stash(a):
    """Send the stashed events to the ranks that need them, receive every rank's that sends
    here and deliver all of them in (tick, id) order; empty the stash. The rows go through
    the ranks' shared-memory boxes where there are any (`mailbox.py`; a batch larger than a
    box goes by MPI), else by MPI. Nothing is allocated (the tick loop that calls it runs
    without reference counts): where the batch's rows, or those arriving, outgrow the
    buffers, returns PACK_ROOM (nothing sent yet) or ARRIVAL_ROOM (sent, nothing received
    yet), and `finish_exchange` goes on once Python has grown them; else 0."""
    begun = cycle_count()
    bounds, cursor, first, in_flight = _index(a)
    n = a.counters[STASHED]
    if count_by_rank(n, a.out_slice, a.destination_ptr, a.destinations, a.n_ranks,
                     bounds) > a.exchange_rows.shape[0]:
        return PACK_ROOM
    rows = a.exchange_rows
    pack_into(n, a.out_tick, a.out_id, a.out_value, a.out_slice, a.destination_ptr,
              a.destinations, a.n_ranks, rows, bounds, cursor)
    a.counters[STASHED] = 0
    n_send = a.send_to.size
    scratch = a.exchange_scratch
    requests, flag = scratch[:n_send], scratch[n_send:n_send + 1]
    count, status = scratch[n_send + 1:n_send + 2], scratch[n_send + 2:n_send + 2 + STATUS_INTS]
    statuses = scratch[n_send + 2 + STATUS_INTS:]
    row_bytes = ROW_INTS * 8
    mail, by_mail = a.mail, a.mail.size > 0
    sequence = a.mail_sequence[0] + 1
    if by_mail:
        a.mail_sequence[0] = sequence
    waited = 0
    mpi_sends = 0  # requests[:mpi_sends] are in flight
    for k in range(n_send):
        r = a.send_to[k]
        lo, hi = bounds[r], bounds[r + 1]
        a.counters[BYTES_SENT] += (hi - lo) * row_bytes
        box = box_at(a.mail_segment, a.mail_box, a.rank, r, sequence)
        if by_mail and not a.mail_both_ways[r]:  # once r has taken the box's last batch out
            looking = cycle_count()
            ack = ack_at(a.mail_segment, a.mail_box, a.n_ranks, r, a.rank)
            while load_acquire(mail, ack) < sequence - BOXES:
                _progress(mpi_sends, requests, flag, statuses, a.yield_while_waiting)
            waited += cycle_count() - looking
        if by_mail and hi - lo <= a.mail_capacity:
            for i in range(hi - lo):
                for c in range(ROW_INTS):
                    mail[box + HEADER_INTS + ROW_INTS * i + c] = rows[lo + i, c]
            mail[box + 1] = hi - lo
        else:
            mpi_isend(rows.ctypes.data + lo * row_bytes, ROW_INTS * (hi - lo), a.mpi_int64, r,
                      EXCHANGE_TAG, a.mpi_comm, requests[mpi_sends:].ctypes.data)
            mpi_sends += 1
            if by_mail:
                mail[box + 1] = -(hi - lo)  # the box says how many rows come by MPI
        if by_mail:
            store_release(mail, box, sequence)
    in_flight[0] = mpi_sends
    # how many of the batch's events each rank sends here (this rank's own in its place)
    sizes = a.exchange_sizes
    sizes[:] = 0
    sizes[a.rank] = bounds[a.rank + 1] - bounds[a.rank]
    for k in range(a.receive_from.size):
        s = a.receive_from[k]
        looking = cycle_count()
        if by_mail:
            box = box_at(a.mail_segment, a.mail_box, s, a.rank, sequence)
            while load_acquire(mail, box) != sequence:
                _progress(mpi_sends, requests, flag, statuses, a.yield_while_waiting)
            sizes[s] = abs(mail[box + 1])
        else:
            probe(s, EXCHANGE_TAG, a.mpi_comm, status, flag, a.yield_while_waiting)
            mpi_get_count(status.ctypes.data, a.mpi_int64, count.ctypes.data)
            sizes[s] = count[0] // ROW_INTS
        waited += cycle_count() - looking
    first[0] = 0
    for r in range(a.n_ranks):
        first[r + 1] = first[r] + sizes[r]
    a.counters[WAITING_CYCLES] += waited
    a.counters[COMMUNICATION_CYCLES] += cycle_count() - begun - waited
    if first[a.n_ranks] > a.exchange_arrived.shape[0]:
        return ARRIVAL_ROOM
    receive_batch(a)
    return 0


@njit(cache=True)
def receive_batch(a):
    """The rest of `exchange_stash` once the arrivals' sizes are known and fit: take every
    rank's rows, acknowledge the boxes that need it, finish the sends and deliver."""
    begun = cycle_count()
    bounds, cursor, first, in_flight = _index(a)
    rows, arrived, mail, by_mail = a.exchange_rows, a.exchange_arrived, a.mail, a.mail.size > 0
    n_send = a.send_to.size
    scratch = a.exchange_scratch
    requests, flag = scratch[:n_send], scratch[n_send:n_send + 1]
    status = scratch[n_send + 2:n_send + 2 + STATUS_INTS]
    statuses = scratch[n_send + 2 + STATUS_INTS:]
    row_bytes = ROW_INTS * 8
    sequence = a.mail_sequence[0]
    for i in range(bounds[a.rank + 1] - bounds[a.rank]):
        for c in range(ROW_INTS):
            arrived[first[a.rank] + i, c] = rows[bounds[a.rank] + i, c]
    for k in range(a.receive_from.size):  # every message is received, empty ones too
        s = a.receive_from[k]
        size = first[s + 1] - first[s]
        box = box_at(a.mail_segment, a.mail_box, s, a.rank, sequence)
        if by_mail and mail[box + 1] >= 0:
            for i in range(size):
                for c in range(ROW_INTS):
                    arrived[first[s] + i, c] = mail[box + HEADER_INTS + ROW_INTS * i + c]
        else:
            mpi_recv(arrived.ctypes.data + first[s] * row_bytes, ROW_INTS * size, a.mpi_int64,
                     s, EXCHANGE_TAG, a.mpi_comm, status.ctypes.data)
        if by_mail and not a.mail_both_ways[s]:  # s may fill the box again
            store_release(mail, ack_at(a.mail_segment, a.mail_box, a.n_ranks, a.rank, s),
                          sequence)
    looking = cycle_count()
    wait_all(requests[:in_flight[0]], statuses, flag, a.yield_while_waiting)
    in_flight[0] = 0
    delivering = cycle_count()
    a.counters[SYNAPTIC_EVENTS] += deliver_merged(arrived, first, a.n_ranks, cursor,
                                                  a.row_ptr, a.target, a.weight,
                                                  a.delay_ticks, a.ring)
    a.counters[DELIVERY_CYCLES] += cycle_count() - delivering
    a.counters[WAITING_CYCLES] += delivering - looking
    a.counters[COMMUNICATION_CYCLES] += looking - begun
    a.counters[EXCHANGES] += 1


def finish_exchange(a, why: int) -> int:
    """Go on with an exchange that stopped for room (`why`, from `exchange_stash`), on
    `a` whose buffers have grown (`exchange_room`); returns 0, or why it stopped again."""
    if why == PACK_ROOM:
        return exchange_stash(a)
    receive_batch(a)
    return 0


def exchange_room(a, why: int) -> dict:
    """The `TickArrays` field, grown, that lets a stopped exchange go on: the packed rows
    (none sent yet), or the arrivals' (the packed rows are in flight and stay)."""
    n = a.n_ranks + 1  # bounds[n_ranks] and first[n_ranks] of `_index`
    if why == PACK_ROOM:
        name, needed = "exchange_rows", a.exchange_index[n - 1]
    else:
        name, needed = "exchange_arrived", a.exchange_index[3 * n - 1]
    rows = max(int(needed), 2 * getattr(a, name).shape[0])
    return {name: np.zeros((rows, ROW_INTS), np.int64)}


@njit(cache=True, inline="always")
def _progress(in_flight, requests, flag, statuses, yield_while_waiting):
    """While a rank waits on a box: let MPI move the batches it sends by MPI (a large
    message moves only while its sender calls MPI), and give the core away where ranks
    outnumber cores."""
    if in_flight:
        mpi_testall(in_flight, requests.ctypes.data, flag.ctypes.data, statuses.ctypes.data)
    give_way(yield_while_waiting)


@njit(cache=True)
def deliver_merged(arrived, first, n_ranks, cursor, row_ptr, target, weight, delay_ticks,
                   ring):
    """Deliver every rank's arrived rows (rank r's at `first[r] .. first[r + 1] - 1`, each
    rank's in (tick, id) order) merged into (tick, id) order, the order one rank would
    deliver them in, without a copy: straight through when they are in that order already
    (ranks that hold ascending ids, the usual case). `cursor`: int64 [n_ranks] scratch.
    Returns the synaptic events."""
    total = first[n_ranks]
    payload = arrived.view(np.float64)
    ordered = True
    for i in range(1, total):
        if arrived[i, 0] < arrived[i - 1, 0] or (arrived[i, 0] == arrived[i - 1, 0]
                                                 and arrived[i, 1] < arrived[i - 1, 1]):
            ordered = False
            break
    for r in range(n_ranks):
        cursor[r] = first[r]
    events = 0
    for k in range(total):
        i = k
        if not ordered:  # the rank whose next row comes first
            best = -1
            for r in range(n_ranks):
                j = cursor[r]
                if j < first[r + 1] and (best < 0 or arrived[j, 0] < arrived[i, 0] or (
                        arrived[j, 0] == arrived[i, 0] and arrived[j, 1] < arrived[i, 1])):
                    best, i = r, j
            cursor[best] = i + 1
        g = arrived[i, 1]
        add_synapses(ring, row_ptr[g], row_ptr[g + 1], target, weight, delay_ticks,
                     arrived[i, 0], payload[i, 2])
        events += row_ptr[g + 1] - row_ptr[g]
    return events


@njit(cache=True)
def pack_by_rank(n, ticks, ids, values, slices, ptr, ranks, n_ranks):
    """The first `n` stashed events as (tick, id, payload bits) rows, one copy for each rank
    of its slice's CSR row in `ptr`/`ranks`, grouped by rank (in stash order within each);
    rank r's rows are `rows[bounds[r]:bounds[r + 1]]`."""
    bounds = np.zeros(n_ranks + 1, dtype=np.int64)
    rows = np.empty((count_by_rank(n, slices, ptr, ranks, n_ranks, bounds), ROW_INTS),
                    np.int64)
    pack_into(n, ticks, ids, values, slices, ptr, ranks, n_ranks, rows, bounds,
              np.empty(n_ranks + 1, np.int64))
    return rows, bounds


@njit(cache=True)
def count_by_rank(n, slices, ptr, ranks, n_ranks, bounds):
    """Where each rank's rows of `pack_by_rank` begin and end, in `bounds` (int64
    [n_ranks + 1]); returns how many rows there are."""
    bounds[:] = 0
    for i in range(n):
        for k in range(ptr[slices[i]], ptr[slices[i] + 1]):
            bounds[ranks[k] + 1] += 1
    for r in range(n_ranks):
        bounds[r + 1] += bounds[r]
    return bounds[n_ranks]


@njit(cache=True)
def pack_into(n, ticks, ids, values, slices, ptr, ranks, n_ranks, rows, bounds, cursor):
    """`pack_by_rank` into `rows` (room for them all), by the `bounds` of `count_by_rank`;
    `cursor` (int64 [n_ranks + 1]) is scratch."""
    for r in range(n_ranks):
        cursor[r] = bounds[r]
    bits = values[:n].view(np.int64)
    for i in range(n):
        for k in range(ptr[slices[i]], ptr[slices[i] + 1]):
            at = cursor[ranks[k]]
            cursor[ranks[k]] = at + 1
            rows[at, 0] = ticks[i]
            rows[at, 1] = ids[i]
            rows[at, 2] = bits[i]


SHARED_INTS = 5  # a spike shared in a domain: tick, global id, slice, payload bits, emission


@njit(cache=True)
def kept_rows(n, ticks, ids, slices, values, emits, sends):
    """The first `n` stashed spikes whose slices send, as rows of SHARED_INTS."""
    mine = np.empty((n, SHARED_INTS), np.int64)
    bits = values[:n].view(np.int64)
    kept = 0
    for i in range(n):
        if sends[slices[i]]:
            mine[kept, 0], mine[kept, 1], mine[kept, 2] = ticks[i], ids[i], slices[i]
            mine[kept, 3], mine[kept, 4] = bits[i], emits[i]
            kept += 1
    return mine[:kept]


@njit(cache=True)
def share_by_mail(n, ticks, ids, slices, values, emits, sends, mail, sequence, segment,
                  box_ints, capacity, rank, size, yield_while_waiting):
    """`share_in_domain` through the domain's shared-memory boxes (`mailbox.py`): every
    rank writes its spikes into its box for each other rank, then takes theirs, in rank
    order. Every rank sends to every other, so the boxes need no acknowledgements. Where
    any rank's spikes outgrow a box every rank learns it from the boxes and the last value
    returned is False: the batch is then shared by MPI (`share_in_domain`)."""
    begun = cycle_count()
    mine = kept_rows(n, ticks, ids, slices, values, emits, sends)
    kept = mine.shape[0]
    s = sequence[0] + 1
    sequence[0] = s
    for r in range(size):
        if r == rank:
            continue
        box = box_at(segment, box_ints, rank, r, s)
        if kept <= capacity:
            for i in range(kept):
                for c in range(SHARED_INTS):
                    mail[box + HEADER_INTS + SHARED_INTS * i + c] = mine[i, c]
        mail[box + 1] = kept if kept <= capacity else -1
        store_release(mail, box, s)
    counts = np.empty(size, np.int64)
    counts[rank] = kept
    fits = kept <= capacity
    looking = cycle_count()
    for r in range(size):
        if r == rank:
            continue
        box = box_at(segment, box_ints, r, rank, s)
        while load_acquire(mail, box) != s:
            give_way(yield_while_waiting)
        counts[r] = mail[box + 1]
        fits = fits and counts[r] >= 0
    waited = cycle_count() - looking
    total = counts.sum() if fits else 0
    rows = np.empty((total, SHARED_INTS), np.int64)
    at = 0
    for r in range(size if fits else 0):
        if r == rank:
            rows[at:at + kept] = mine
        else:
            box = box_at(segment, box_ints, r, rank, s) + HEADER_INTS
            for i in range(counts[r]):
                for c in range(SHARED_INTS):
                    rows[at + i, c] = mail[box + SHARED_INTS * i + c]
        at += counts[r]
    return (rows[:, 0].copy(), rows[:, 1].copy(), rows[:, 2].copy(),
            rows[:, 3].copy().view(np.float64), rows[:, 4].copy(), kept, waited,
            cycle_count() - begun, fits)


@njit(cache=True)
def share_in_domain(n, ticks, ids, slices, values, emits, sends, comm, int32, int64, size,
                    yield_while_waiting, scratch):
    """The first `n` stashed spikes of every rank of the domain whose slices send, in rank
    order, as (ticks, ids, slices, values, emits); then how many of them were this rank's,
    and the cycles spent waiting and in all. `scratch`: int32 [2 + 2 x size + STATUS_INTS]."""
    begun = cycle_count()
    mine = kept_rows(n, ticks, ids, slices, values, emits, sends)
    kept = mine.shape[0]
    request, flag = scratch[0:1], scratch[1:2]
    counts, first = scratch[2:2 + size], scratch[2 + size:2 + 2 * size]
    status = scratch[2 + 2 * size:]
    own = np.array([SHARED_INTS * kept], np.int32)
    mpi_iallgather(own.ctypes.data, 1, int32, counts.ctypes.data, 1, int32, comm,
                   request.ctypes.data)
    looking = cycle_count()
    wait_all(request, status, flag, yield_while_waiting)
    waited = cycle_count() - looking
    first[0] = 0
    for r in range(1, size):
        first[r] = first[r - 1] + counts[r - 1]
    rows = np.empty(((first[size - 1] + counts[size - 1]) // SHARED_INTS, SHARED_INTS),
                    np.int64)
    mpi_iallgatherv(mine.ctypes.data, SHARED_INTS * kept, int64, rows.ctypes.data,
                    counts.ctypes.data, first.ctypes.data, int64, comm, request.ctypes.data)
    looking = cycle_count()
    wait_all(request, status, flag, yield_while_waiting)
    waited += cycle_count() - looking
    return (rows[:, 0].copy(), rows[:, 1].copy(), rows[:, 2].copy(),
            rows[:, 3].copy().view(np.float64), rows[:, 4].copy(), kept, waited,
            cycle_count() - begun)
