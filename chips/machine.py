"""A whole machine: a grid of identical chips joined by links."""

from dataclasses import dataclass
from functools import cached_property

from .chip import Chip
from .errors import check
from .faults import Faults
from .topology import BOARD48_COLUMNS, Topology, build_topology

LAYOUTS = ("rectangle", "board48")
MAX_CHIPS = 2**16   # above the largest SpiNNaker2 machine built (720 boards, 34,560 chips)


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
        check(self.width * self.height <= MAX_CHIPS, "width x height",
              f"be at most {MAX_CHIPS:,} chips", (self.width, self.height))
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

    @property
    def application_cores(self) -> int:
        """Cores of the whole machine that can run slices."""
        return self.n_chips * self.chip.application_cores
