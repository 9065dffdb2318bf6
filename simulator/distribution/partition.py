"""Which MPI rank simulates which chips."""

import numpy as np

from chips import Machine

from ..errors import ConfigError


def chip_ranks(machine: Machine, n_ranks: int) -> np.ndarray:
    """Rank of every chip: contiguous blocks of chips in (x, y) order, as equal as possible.

    Chips are numbered column by column, so a block is a band of whole columns where the
    counts allow, which cuts only the links between neighbouring bands.
    """
    n_chips = machine.n_chips
    if n_ranks > n_chips:
        raise ConfigError(f"{n_ranks} MPI ranks need at least as many chips, but the machine "
                          f"has {n_chips}; run with mpiexec -n {n_chips} or fewer, or make "
                          f"[machine] width or height larger")
    return (np.arange(n_chips, dtype=np.int64) * n_ranks // n_chips).astype(np.int32)
