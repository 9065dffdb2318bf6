"""A whole machine: a grid of identical chips joined by links."""

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from .chip import Chip
from .errors import check
from .faults import Faults
from .topology import BOARD48_COLUMNS, Topology, board_of_chips, build_topology

LAYOUTS = ("rectangle", "board48")
BOARDS = ("none", "board48")


@dataclass(frozen=True)
class Machine:
    """`width` x `height` chips on a triangular 2D grid, a torus when `wrap` is set.

    `layout = "board48"` keeps only the 48 chips of a SpiNNaker board inside its 8 x 8 box.
    `faults` lists the links, chips and cores that are dead, from the start or from a time.
    `boards = "board48"` cuts a rectangle of 12 x 12 chips (or a multiple) into 48-chip boards
    as SpiNNaker machines are built (three boards a 12 x 12 torus); links between boards run
    at the link's board-to-board bandwidth and latency.
    """

    chip: Chip
    width: int = 1
    height: int = 1
    wrap: bool = True
    layout: str = "rectangle"
    faults: Faults = Faults()
    boards: str = "none"

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
        check(self.boards in BOARDS, "boards", f"be one of {', '.join(BOARDS)}", self.boards)
        if self.boards == "board48":
            check(self.layout == "rectangle" and self.width % 12 == 0
                  and self.height % 12 == 0, "boards",
                  "be board48 only on a rectangle layout whose width and height are multiples "
                  "of 12 (three 48-chip boards tile 12 x 12 chips)", (self.width, self.height))
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

    @cached_property
    def chip_board(self) -> np.ndarray:
        """The board (0, 1, ...) of every chip: one board unless `boards` cuts the grid."""
        if self.boards == "none":
            return np.zeros(self.n_chips, dtype=np.int64)
        return board_of_chips(self.topology)

    @property
    def n_boards(self) -> int:
        """Boards the machine is built of; without `boards`, the fewest that hold its chips."""
        if self.boards == "none":
            return -(-self.n_chips // self.chip.energy.chips_per_board)
        return int(self.chip_board.max()) + 1

    @cached_property
    def link_board_to_board(self) -> np.ndarray:
        """For every link, whether it joins two boards."""
        t = self.topology
        return self.chip_board[t.link_source] != self.chip_board[t.link_target]

    @cached_property
    def link_bandwidth_bps(self) -> np.ndarray:
        """Bandwidth of every link: on-board, or board to board."""
        link = self.chip.link
        return np.where(self.link_board_to_board, link.rate_bps(True),
                        link.rate_bps(False)).astype(np.int64)

    @cached_property
    def link_latency_ns(self) -> np.ndarray:
        """Wire latency of every link: on-board, or board to board."""
        link = self.chip.link
        return np.where(self.link_board_to_board, link.wire_latency_ns(True),
                        link.wire_latency_ns(False)).astype(np.int64)

    def link_serialisation_ps(self, bits: int) -> np.ndarray:
        """Time every link takes to send a packet of `bits`."""
        link = self.chip.link
        return np.where(self.link_board_to_board, link.serialisation_ps(bits, True),
                        link.serialisation_ps(bits, False)).astype(np.int64)
