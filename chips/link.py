"""A directed chip-to-chip link: its description and its queueing rule."""

from dataclasses import dataclass

from numba import njit

from .errors import check


@dataclass(frozen=True)
class Link:
    """A link that serialises packets at `bandwidth_bps` after a `latency_ns` wire delay,
    holding at most `buffer_packets` packets in its output queue."""

    bandwidth_bps: int
    latency_ns: int = 50
    buffer_packets: int = 16

    def __post_init__(self) -> None:
        check(self.bandwidth_bps > 0, "bandwidth_bps", "be > 0", self.bandwidth_bps)
        check(self.latency_ns >= 0, "latency_ns", "be >= 0", self.latency_ns)
        check(self.buffer_packets >= 1, "buffer_packets", "be >= 1", self.buffer_packets)

    def serialisation_ps(self, bits: int) -> int:
        """Time to put `bits` on the wire, in whole picoseconds (rounded to nearest)."""
        return (bits * 10**12 + self.bandwidth_bps // 2) // self.bandwidth_bps


@njit(cache=True)
def buffer_entry_ps(ends, head, count, buffer_packets, now):
    """When a packet offered at `now` gets into a FIFO link buffer of `buffer_packets`.

    `ends[head .. head + count)` (a ring) are the end times of the packets already committed
    to the link and not yet sent at `now`, in FIFO order. The buffer has room now if fewer
    than `buffer_packets` of them are left; otherwise the newcomer enters when the packet
    `buffer_packets` places ahead of it has been sent. Later packets never overtake it, so
    this is decided at once.
    """
    if count < buffer_packets:
        return now
    return ends[(head + count - buffer_packets) % ends.size]
