"""Geometry of the chip grid: which chips exist, which links join them, shortest paths.

Chips sit on a triangular (hexagonal) grid. Each chip has six links, numbered as on
SpiNNaker: 0 east (1,0), 1 north-east (1,1), 2 north (0,1), 3 west (-1,0), 4 south-west
(-1,-1), 5 south (0,-1); the link opposite direction d is (d + 3) mod 6.
"""

from collections import deque
from dataclasses import dataclass, field

import numpy as np

DIRECTIONS: tuple[tuple[int, int], ...] = ((1, 0), (1, 1), (0, 1), (-1, 0), (-1, -1), (0, -1))
DIRECTION_NAMES: tuple[str, ...] = ("E", "NE", "N", "W", "SW", "S")

# The 48-chip SpiNNaker board inside its 8 x 8 bounding box: for each x, the range of y.
BOARD48_COLUMNS: tuple[tuple[int, int], ...] = (
    (0, 4), (0, 5), (0, 6), (0, 7), (0, 8), (1, 8), (2, 8), (3, 8))


def opposite(direction: int) -> int:
    """The direction of the link that runs back along `direction`."""
    return (direction + 3) % 6


@dataclass(frozen=True, eq=False)
class Topology:
    """Chips and directed links of a machine, as arrays indexed by chip and link number.

    Chips are numbered in (x, y) order; links in (source chip, direction) order. A link that
    would leave the grid (no wrap-around) or come back to its own chip does not exist.
    """

    width: int
    height: int
    chip_xy: np.ndarray          # int32 [chips, 2]
    chip_at: np.ndarray          # int32 [width, height], -1 where no chip
    link_source: np.ndarray      # int32 [links]
    link_direction: np.ndarray   # int8  [links]
    link_target: np.ndarray      # int32 [links]
    link_of: np.ndarray          # int32 [chips, 6], -1 where no link
    _trees: dict = field(default_factory=dict, repr=False)

    @property
    def n_chips(self) -> int:
        return len(self.chip_xy)

    @property
    def n_links(self) -> int:
        return len(self.link_source)

    def chip_index(self, x: int, y: int) -> int:
        """Index of the chip at (x, y), or -1 where there is none."""
        if 0 <= x < self.width and 0 <= y < self.height:
            return int(self.chip_at[x, y])
        return -1

    def shortest_paths(self, source: int) -> tuple[np.ndarray, np.ndarray]:
        """For every chip, the link by which a shortest path from `source` enters it, and the
        number of hops on that path.

        Breadth-first search with the links tried in direction order, so the paths are
        deterministic. Parent link -1 marks the source and unreachable chips; hops -1 marks
        unreachable chips.
        """
        cached = self._trees.get(source)
        if cached is not None:
            return cached
        parent = np.full(self.n_chips, -1, dtype=np.int32)
        hops = np.full(self.n_chips, -1, dtype=np.int32)
        hops[source] = 0
        queue = deque([source])
        while queue:
            chip = queue.popleft()
            for link in self.link_of[chip]:
                if link < 0:
                    continue
                nxt = self.link_target[link]
                if hops[nxt] < 0:
                    hops[nxt] = hops[chip] + 1
                    parent[nxt] = link
                    queue.append(nxt)
        parent.setflags(write=False)
        hops.setflags(write=False)
        self._trees[source] = (parent, hops)
        return parent, hops


def build_topology(width: int, height: int, wrap: bool, layout: str) -> Topology:
    """Lay out the chips of a `width` x `height` machine and join neighbours with links."""
    present = np.zeros((width, height), dtype=bool)
    if layout == "board48":
        for x, (y0, y1) in enumerate(BOARD48_COLUMNS):
            present[x, y0:y1] = True
    else:
        present[:, :] = True
    xs, ys = np.nonzero(present)
    chip_xy = np.stack([xs, ys], axis=1).astype(np.int32)
    chip_at = np.full((width, height), -1, dtype=np.int32)
    chip_at[xs, ys] = np.arange(len(xs), dtype=np.int32)

    sources, directions, targets = [], [], []
    for chip, (x, y) in enumerate(chip_xy):
        for d, (dx, dy) in enumerate(DIRECTIONS):
            tx, ty = x + dx, y + dy
            if wrap:
                tx, ty = tx % width, ty % height
            elif not (0 <= tx < width and 0 <= ty < height):
                continue
            target = chip_at[tx, ty]
            if target < 0 or target == chip:
                continue
            sources.append(chip)
            directions.append(d)
            targets.append(target)
    link_source = np.array(sources, dtype=np.int32)
    link_direction = np.array(directions, dtype=np.int8)
    link_target = np.array(targets, dtype=np.int32)
    link_of = np.full((len(chip_xy), 6), -1, dtype=np.int32)
    link_of[link_source, link_direction] = np.arange(len(link_source), dtype=np.int32)
    for array in (chip_xy, chip_at, link_source, link_direction, link_target, link_of):
        array.setflags(write=False)
    return Topology(width, height, chip_xy, chip_at, link_source, link_direction, link_target,
                    link_of)


TRIAD_ORIGINS: tuple[tuple[int, int], ...] = ((0, 0), (4, 8), (8, 4))


def board_of_chips(topology: Topology) -> np.ndarray:
    """The 48-chip board of every chip of a grid whose sides are multiples of 12: boards of
    the `BOARD48_COLUMNS` shape at the three origins of each 12 x 12 triad, as SpiNNaker
    machines tile them. Boards are numbered by the chip they start at, in (x, y) order."""
    starts = np.full(topology.n_chips, -1, dtype=np.int64)
    for chip, (x, y) in enumerate(topology.chip_xy):
        for ox, oy in TRIAD_ORIGINS:
            dx, dy = (x - ox) % 12, (y - oy) % 12
            if dx < len(BOARD48_COLUMNS) and BOARD48_COLUMNS[dx][0] <= dy < BOARD48_COLUMNS[dx][1]:
                bx, by = (x - dx) % topology.width, (y - dy) % topology.height
                starts[chip] = bx * topology.height + by
    return np.unique(starts, return_inverse=True)[1].astype(np.int64)
