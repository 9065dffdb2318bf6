"""Conservative synchronisation of fabric domains: one exchange per window.

Every rank of a domain holds the same events, so each event bound for another domain is
sent by one rank of the sending domain to each rank of the receiving domain (rank i of a
domain of n ranks serves the receivers whose index within their domain is i modulo n).
With the events travels each rank's earliest pending time, so that one exchange tells every
rank where the next window starts: at the earliest event pending anywhere, which skips idle
stretches at once.
"""

import numpy as np

from .partition import Partition

COLUMNS = 9  # an event's 8 columns and the bits of its value


class WindowSync:
    """The exchange between the fabric domains of a `Partition`, for the rank `comm.rank`."""

    def __init__(self, comm, partition: Partition, chip_column: int, lookahead_ps: int) -> None:
        self.comm = comm
        self.lookahead_ps = lookahead_ps
        self.chip_column = chip_column
        self.chip_domain = partition.chip_domain.astype(np.int64)
        domain = partition.domain_of(comm.rank)
        index = comm.rank - int(partition.rank_ptr[domain])
        senders = np.diff(partition.rank_ptr)[domain]
        # serve[d]: the ranks of domain d this rank sends domain d's events to
        self.serve = [np.array([r for r in partition.ranks_of(d)
                                if (r - partition.rank_ptr[d]) % senders == index],
                               dtype=np.int64) for d in range(partition.n_domains)]
        self.serve[domain] = np.empty(0, dtype=np.int64)

    def exchange(self, outbox: np.ndarray, pending_ps: int) -> tuple[np.ndarray, int]:
        """Send the events of `outbox` (rows, sent in a window that has ended) to the domains
        of their chips; return the events received for this domain and the earliest time
        pending anywhere (`pending_ps` here: this rank's own earliest, outbox included)."""
        size = self.comm.size
        parts = [[] for _ in range(size)]
        if len(outbox):
            domain = self.chip_domain[outbox[:, self.chip_column]]
            for d in np.unique(domain):
                rows = outbox[domain == d].ravel()
                for r in self.serve[d]:
                    parts[r].append(rows)
        payload = [np.concatenate(p) if p else np.empty(0, dtype=np.int64) for p in parts]
        received, earliest = self.comm.alltoallv_min(payload, pending_ps)
        rows = np.concatenate(received).reshape(-1, COLUMNS) if received else \
            np.empty((0, COLUMNS), dtype=np.int64)
        return rows, earliest
