"""The multicast packet router of a chip."""

from dataclasses import dataclass

from .errors import check


@dataclass(frozen=True)
class Router:
    """A key/mask multicast router with `table_entries` entries.

    With `default_routing`, a packet that matches no entry leaves on the link opposite the one
    it came in on, so straight-through hops need no entry (as on SpiNNaker).
    """

    table_entries: int
    latency_ns: int = 100
    default_routing: bool = True

    def __post_init__(self) -> None:
        check(self.table_entries > 0, "table_entries", "be > 0", self.table_entries)
        check(self.latency_ns >= 0, "latency_ns", "be >= 0", self.latency_ns)
