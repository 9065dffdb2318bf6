"""A directed chip-to-chip link: its description and its queueing rule."""

from dataclasses import dataclass

from numba import njit

from .errors import check


@dataclass(frozen=True)
class Link:
    """A link that serialises packets at `bandwidth_bps` after a `latency_ns` wire delay,
    holding at most `buffer_packets` packets in its output queue. With `frame_bits`, a packet
    takes whole frames of that many bits (one packet per frame or more). A link between two
    boards runs at `board_bandwidth_bps` with `board_latency_ns` instead."""

    bandwidth_bps: int
    latency_ns: int = 50
    buffer_packets: int = 16
    frame_bits: int = 0
    board_bandwidth_bps: int = 0
    board_latency_ns: int = 0

    def __post_init__(self) -> None:
        check(self.bandwidth_bps > 0, "bandwidth_bps", "be > 0", self.bandwidth_bps)
        check(self.latency_ns >= 0, "latency_ns", "be >= 0", self.latency_ns)
        check(self.buffer_packets >= 1, "buffer_packets", "be >= 1", self.buffer_packets)
        check(self.frame_bits >= 0, "frame_bits", "be >= 0 (0: no frames)", self.frame_bits)
        check(self.board_bandwidth_bps >= 0, "board_bandwidth_bps",
              "be >= 0 (0: as bandwidth_bps)", self.board_bandwidth_bps)
        check(self.board_latency_ns >= 0, "board_latency_ns", "be >= 0",
              self.board_latency_ns)

    def serialisation_ps(self, bits: int, board_to_board: bool = False) -> int:
        """Time to put a packet of `bits` on the wire, in whole picoseconds (rounded to
        nearest): whole frames where the link has them."""
        rate = self.rate_bps(board_to_board)
        if self.frame_bits:
            bits = -(-bits // self.frame_bits) * self.frame_bits
        return (bits * 10**12 + rate // 2) // rate

    def rate_bps(self, board_to_board: bool = False) -> int:
        """Bandwidth of an on-board link, or of one between boards."""
        if board_to_board and self.board_bandwidth_bps:
            return self.board_bandwidth_bps
        return self.bandwidth_bps

    def wire_latency_ns(self, board_to_board: bool = False) -> int:
        return self.board_latency_ns if board_to_board else self.latency_ns


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
