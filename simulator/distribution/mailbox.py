"""Shared-memory mailboxes between the MPI ranks of one node, for the exchange the compiled
loop makes every batch: a sender writes a batch's rows into its box for the receiver and
then the box's sequence number (with release ordering), the receiver waits for that number
(acquire) and copies the rows out. A one-tick-delay network exchanges every tick, and MPI's
queues cost about 1 us a round on this project's 2-core machine where a cache line takes a
fraction of that, so each exchange touches as few cache lines as it can:

- the sequence number, the row count and the first two rows share a box's first line;
- each pair of ranks has two boxes, used in turn, so a sender needs to know that batch
  s - 2, not s - 1, was taken out before it writes batch s. Where the receiver also sends
  to it, the receiver's batch s - 1 says so (a rank sends batch s - 1 only once it has
  taken batch s - 2 in): no acknowledgement is written or read. Elsewhere the receiver
  acknowledges each batch on a line of its own.

A batch larger than a box goes by MPI instead (the box then says how many rows to receive);
ranks on several nodes, or `NEUROCHIP_SHARED_MEMORY=0`, use MPI for every batch.
"""

import ctypes
import os
from typing import NamedTuple

import numpy as np
from numba import njit

HEADER_INTS = 2        # a box's sequence number and row count, then its rows
LINE_INTS = 8          # a cache line: every box, and every acknowledgement, starts one
ACK_INTS = LINE_INTS
BOXES = 2              # for each sender and receiver, used in turn
CAPACITY_ROWS = 4096   # rows a box holds at most (a bigger batch goes by MPI) ...
WINDOW_BYTES = 64 << 20  # ... and fewer where the node's boxes would need more memory
MIN_CAPACITY_ROWS = 64


@njit(cache=True, inline="always")
def box_at(segment_ints, box_ints, sender, receiver, sequence):
    """Where the box that `sender` fills for `receiver` with batch `sequence` begins in
    the window: in the sender's segment, the receiver's pair of boxes, taken in turn."""
    return sender * segment_ints + (BOXES * receiver + sequence % BOXES) * box_ints


@njit(cache=True, inline="always")
def ack_at(segment_ints, box_ints, n_ranks, receiver, sender):
    """Where `receiver` acknowledges `sender`'s batches: in its own segment, after its
    boxes."""
    return receiver * segment_ints + BOXES * n_ranks * box_ints + ACK_INTS * sender


class Mailboxes(NamedTuple):
    """Every rank's boxes as one array (each rank's segment after the other's), and this
    process's count of exchanges made through them."""

    window: object        # the MPI window: kept so that the memory stays mapped
    mail: np.ndarray      # int64 [ranks x segment_ints]
    sequence: np.ndarray  # int64 [1]
    segment_ints: int     # a rank's boxes (BOXES for each rank) and then its acknowledgements
    box_ints: int
    capacity_rows: int


_SHARED: dict[int, Mailboxes] = {}  # by the communicator's handle


def shared_mailboxes(comm, row_ints: int) -> Mailboxes | None:
    """The mailboxes of mpi4py communicator `comm` (made once a process; every rank must ask
    together), or None where its ranks are not all on one node or the window's segments do
    not lie one after the other."""
    from mpi4py import MPI
    key = MPI._handleof(comm)
    if key in _SHARED:
        return _SHARED[key]
    node = comm.Split_type(MPI.COMM_TYPE_SHARED)
    one_node = node.Get_size() == comm.Get_size()
    node.Free()
    wanted = os.environ.get("NEUROCHIP_SHARED_MEMORY", "1") != "0"
    if not comm.allreduce(int(one_node and wanted), op=MPI.MIN):
        return None
    size, rank = comm.Get_size(), comm.Get_rank()
    capacity = max(MIN_CAPACITY_ROWS,
                   min(CAPACITY_ROWS, WINDOW_BYTES // (8 * row_ints * BOXES * size * size)))
    box_ints = -(-(HEADER_INTS + row_ints * capacity) // LINE_INTS) * LINE_INTS
    segment_ints = BOXES * size * box_ints + size * ACK_INTS
    window = MPI.Win.Allocate_shared(8 * segment_ints, 8, comm=comm)
    base = window.Shared_query(0)[0].address
    contiguous = all(window.Shared_query(r)[0].address == base + 8 * r * segment_ints
                     for r in range(size))
    if not comm.allreduce(int(contiguous), op=MPI.MIN):
        window.Free()
        return None
    mail = np.ctypeslib.as_array((ctypes.c_int64 * (size * segment_ints)).from_address(base))
    mail[rank * segment_ints:(rank + 1) * segment_ints] = 0
    comm.Barrier()
    _SHARED[key] = Mailboxes(window, mail, np.zeros(1, np.int64), segment_ints, box_ints,
                             capacity)
    return _SHARED[key]
