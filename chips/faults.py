"""Faults of the modelled hardware: links, chips and cores that stop working at a given time.

Faults are part of the machine, not errors: the mapping never uses what is dead from the
start, and the timed fabric routes around (or drops and counts) what dies during a run.
"""

from dataclasses import dataclass

from .errors import check
from .topology import Topology


@dataclass(frozen=True)
class DeadLink:
    """The link leaving chip (x, y) in `direction` (0-5) carries nothing from `from_ms` on."""

    x: int
    y: int
    direction: int
    from_ms: float = 0.0

    def __post_init__(self) -> None:
        check(0 <= self.direction < 6, "dead_links.direction", "be in 0..5", self.direction)
        check(self.from_ms >= 0, "dead_links.from_ms", "be >= 0", self.from_ms)


@dataclass(frozen=True)
class DeadChip:
    """Chip (x, y): its cores, router and links stop at `from_ms`."""

    x: int
    y: int
    from_ms: float = 0.0

    def __post_init__(self) -> None:
        check(self.from_ms >= 0, "dead_chips.from_ms", "be >= 0", self.from_ms)


@dataclass(frozen=True)
class DeadCore:
    """Core `core` of chip (x, y) stops at `from_ms`."""

    x: int
    y: int
    core: int
    from_ms: float = 0.0

    def __post_init__(self) -> None:
        check(self.core >= 0, "dead_cores.core", "be >= 0", self.core)
        check(self.from_ms >= 0, "dead_cores.from_ms", "be >= 0", self.from_ms)


@dataclass(frozen=True)
class Faults:
    """Every fault of a machine; empty by default."""

    dead_links: tuple[DeadLink, ...] = ()
    dead_chips: tuple[DeadChip, ...] = ()
    dead_cores: tuple[DeadCore, ...] = ()

    def check_against(self, topology: Topology, cores_per_chip: int) -> None:
        """Raise unless every fault names a chip, link or core that exists."""
        for kind, items in (("dead_links", self.dead_links), ("dead_chips", self.dead_chips),
                            ("dead_cores", self.dead_cores)):
            for item in items:
                chip = topology.chip_index(item.x, item.y)
                check(chip >= 0, f"{kind}", "name chips that exist", (item.x, item.y))
                if kind == "dead_links":
                    check(topology.link_of[chip, item.direction] >= 0, "dead_links",
                          "name links that exist", (item.x, item.y, item.direction))
                if kind == "dead_cores":
                    check(item.core < cores_per_chip, "dead_cores.core",
                          f"be below the {cores_per_chip} cores of a chip", item.core)

    def dead_at_start(self, topology: Topology) -> tuple[set[int], set[int], set[tuple[int, int]]]:
        """Chip indices, link indices and (chip, core) pairs that are dead from time 0."""
        chips_ = {topology.chip_index(c.x, c.y) for c in self.dead_chips if c.from_ms == 0}
        links = {int(topology.link_of[topology.chip_index(d.x, d.y), d.direction])
                 for d in self.dead_links if d.from_ms == 0}
        cores = {(topology.chip_index(c.x, c.y), c.core) for c in self.dead_cores
                 if c.from_ms == 0}
        return chips_, links, cores
