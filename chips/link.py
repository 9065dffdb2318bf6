"""A directed chip-to-chip link."""

from dataclasses import dataclass

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
