"""Routing keys as PACMAN allocates them: one key space per population, its slices inside.

Slice j of a population owns keys `population base | j << neuron_bits | i` (neuron i of the
slice), so one key/mask pair (mask clearing the neuron bits) matches every packet of a slice
and one wider pair (clearing the slice bits too) every packet of the population. Key spaces
are aligned blocks of `2 ** (slice_bits + neuron_bits)` keys, the largest first, so no two
populations' spaces overlap.
"""

from dataclasses import dataclass

import numpy as np

from ..errors import MappingError
from .slices import Slices

KEY_BITS = 32
FULL_MASK = 0xFFFF_FFFF


@dataclass(frozen=True, eq=False)
class Keys:
    """Key spaces: `base[s]` of every slice with the low `neuron_bits` bits free, and
    `population_base[p]` with the low `population_bits[p]` bits free."""

    neuron_bits: int
    base: np.ndarray              # uint32 [slices]
    population_base: np.ndarray   # uint32 [populations]
    population_bits: np.ndarray   # int64 [populations]: slice bits + neuron bits

    @property
    def mask(self) -> int:
        return (FULL_MASK << self.neuron_bits) & FULL_MASK

    @property
    def population_mask(self) -> np.ndarray:
        """uint32 [populations]: the mask matching every key of a population."""
        return ((FULL_MASK << self.population_bits.astype(np.uint64)) & FULL_MASK).astype(
            np.uint32)


def slice_index(slices: Slices) -> np.ndarray:
    """Each slice's number within its population (0, 1, ...)."""
    first = np.searchsorted(slices.population, slices.population)  # slices in population order
    return np.arange(len(slices)) - first


def allocate_keys(slices: Slices, n_populations: int) -> Keys:
    """Give every population an aligned key space wide enough for its slices, and every
    slice a range wide enough for the largest slice."""
    largest = int(slices.size.max(initial=1))
    neuron_bits = max(largest - 1, 0).bit_length()
    counts = np.bincount(slices.population, minlength=n_populations)
    slice_bits = np.array([max(int(c) - 1, 0).bit_length() for c in counts], dtype=np.int64)
    bits = slice_bits + neuron_bits
    order = np.argsort(-bits, kind="stable")
    block = np.left_shift(np.int64(1), bits[order])
    start = np.concatenate([[0], np.cumsum(block)[:-1]])  # descending sizes stay aligned
    if int(block.sum()) > 1 << KEY_BITS:
        raise MappingError(
            f"{len(slices)} slices of up to {largest} neurons in {n_populations} populations "
            f"need more than {KEY_BITS} key bits; lower [mapping] neurons_per_core or split "
            f"the network")
    population_base = np.empty(n_populations, dtype=np.int64)
    population_base[order] = start
    base = population_base[slices.population] + (slice_index(slices).astype(np.int64)
                                                 << neuron_bits)
    return Keys(neuron_bits, base.astype(np.uint32), population_base.astype(np.uint32), bits)
