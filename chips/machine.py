"""A whole machine: a grid of identical chips joined by links."""

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from .chip import Chip
from .errors import check
from .faults import Faults
from .topology import BOARD48_COLUMNS, Topology, build_topology

LAYOUTS = ("rectangle", "board48")


@dataclass(frozen=True)
class Machine:
    """`width` x `height` chips on a triangular 2D grid, a torus when `wrap` is set.

    `layout = "board48"` keeps only the 48 chips of a SpiNNaker board inside its 8 x 8 box.
    `faults` lists the links, chips and cores that are dead, from the start or from a time.
    """

    chip: Chip
    width: int = 1
    height: int = 1
    wrap: bool = True
    layout: str = "rectangle"
    faults: Faults = Faults()

    def __post_init__(self) -> None:
        check(self.width >= 1, "width", "be >= 1", self.width)
        check(self.height >= 1, "height", "be >= 1", self.height)
        check(self.layout in LAYOUTS, "layout", f"be one of {', '.join(LAYOUTS)}", self.layout)
        if self.layout == "board48":
            size = (len(BOARD48_COLUMNS), max(stop for _, stop in BOARD48_COLUMNS))
            check((self.width, self.height) == size, "width and height",
                  f"be {size[0]} x {size[1]} for layout board48",
                  (self.width, self.height))
            check(not self.wrap, "wrap", "be false for a single 48-chip board", self.wrap)
        self.faults.check_against(self.topology, self.chip.cores)

    @cached_property
    def topology(self) -> Topology:
        """Chips and links as arrays (built once, on first use)."""
        return build_topology(self.width, self.height, self.wrap, self.layout)

    @property
    def n_chips(self) -> int:
        return self.topology.n_chips

    @cached_property
    def ethernet_chips(self) -> np.ndarray:
        """Chips with an Ethernet port, one per board: (0, 0), and on a machine of whole
        12 x 12 three-board tiles also (8, 4) and (4, 8) of each tile (SpiNNaker boards)."""
        xy = self.topology.chip_xy
        if self.width % 12 or self.height % 12:
            at = (xy[:, 0] == 0) & (xy[:, 1] == 0)
        else:
            at = np.isin((xy[:, 0] % 12) * 12 + xy[:, 1] % 12, [0, 8 * 12 + 4, 4 * 12 + 8])
        return np.flatnonzero(at)

    def system_cores(self) -> np.ndarray:
        """bool [chips, cores]: the cores the system keeps (monitor, extra monitor, and the
        data gatherer on Ethernet chips), numbered first on their chip."""
        chip = self.chip
        reserved = np.zeros((self.n_chips, chip.cores), dtype=bool)
        reserved[:, :chip.reserved_cores] = True
        reserved[self.ethernet_chips, :chip.reserved_cores + chip.ethernet_reserved_cores] = True
        return reserved

    @property
    def application_cores(self) -> int:
        """Cores of the whole machine that can run slices."""
        return (self.n_chips * self.chip.application_cores
                - len(self.ethernet_chips) * self.chip.ethernet_reserved_cores)
