"""The multicast packet router of a chip."""

from dataclasses import dataclass

from numba import njit

from .errors import check


@dataclass(frozen=True)
class Router:
    """A key/mask multicast router with `table_entries` entries and a pipeline of
    `latency_ns`.

    With `default_routing`, a packet that matches no entry leaves on the link opposite the one
    it came in on, so straight-through hops need no entry (as on SpiNNaker). A packet whose
    output link stays full (or dead) for `emergency_wait_ns` is sent round the two other sides
    of the triangle (emergency routing); if that leg stays unavailable for `drop_wait_ns`
    the packet is dropped.
    """

    table_entries: int
    latency_ns: int = 100
    default_routing: bool = True
    emergency_wait_ns: int = 200
    drop_wait_ns: int = 400

    def __post_init__(self) -> None:
        check(self.table_entries > 0, "table_entries", "be > 0", self.table_entries)
        for name in ("latency_ns", "emergency_wait_ns", "drop_wait_ns"):
            check(getattr(self, name) >= 0, name, "be >= 0", getattr(self, name))


@njit(cache=True)
def emergency_legs(direction):
    """Directions of the two legs that go round a link in `direction`: the neighbouring side
    of the triangle, then back across. (d+1) then (d-1) adds up to d on the hexagonal grid."""
    return (direction + 1) % 6, (direction + 5) % 6
