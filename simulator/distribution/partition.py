"""Which MPI rank simulates which chips.

Recursive coordinate bisection: the chips are cut in two along the longer side of their
bounding box, in proportion to the ranks each side gets, and each side again, until every
rank has a block. Blocks are compact (about square), so they cut few links, and any number
of ranks and any layout (a torus, a board of 48 chips) works.
"""

import numpy as np

from chips import Machine

from ..errors import ConfigError


def chip_ranks(machine: Machine, n_ranks: int) -> np.ndarray:
    """Rank of every chip (chips in topology order)."""
    n_chips = machine.n_chips
    if n_ranks > n_chips:
        raise ConfigError(f"{n_ranks} MPI ranks need at least as many chips, but the machine "
                          f"has {n_chips}; run with mpiexec -n {n_chips} or fewer, or make "
                          f"[machine] width or height larger")
    ranks = np.empty(n_chips, dtype=np.int32)
    _bisect(machine.topology.chip_xy, np.arange(n_chips), 0, n_ranks, ranks)
    return ranks


def _bisect(xy: np.ndarray, chips: np.ndarray, first_rank: int, n_ranks: int,
            ranks: np.ndarray) -> None:
    if n_ranks == 1:
        ranks[chips] = first_rank
        return
    extent = xy[chips].max(axis=0) - xy[chips].min(axis=0)
    axis = 0 if extent[0] >= extent[1] else 1
    order = chips[np.lexsort((xy[chips, 1 - axis], xy[chips, axis]))]
    left_ranks = n_ranks // 2
    cut = len(order) * left_ranks // n_ranks
    _bisect(xy, order[:cut], first_rank, left_ranks, ranks)
    _bisect(xy, order[cut:], first_rank + left_ranks, n_ranks - left_ranks, ranks)


def cut_links(machine: Machine, ranks: np.ndarray) -> int:
    """How many directed links join chips of different ranks."""
    topology = machine.topology
    return int(np.sum(ranks[topology.link_source] != ranks[topology.link_target]))
