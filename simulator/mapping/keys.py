"""Routing keys: the 32-bit multicast key of every neuron.

The key of neuron i of slice s is `s << neuron_bits | i`, so one key/mask pair (mask clearing
the neuron bits) matches every packet a slice sends.
"""

from dataclasses import dataclass

import numpy as np

from ..errors import MappingError
from .slices import Slices

KEY_BITS = 32


@dataclass(frozen=True, eq=False)
class Keys:
    """Key space of the slices: `base[s]` with the low `neuron_bits` bits free."""

    neuron_bits: int
    base: np.ndarray  # uint32 [slices]

    @property
    def mask(self) -> int:
        return (0xFFFF_FFFF << self.neuron_bits) & 0xFFFF_FFFF


def allocate_keys(slices: Slices) -> Keys:
    """Give every slice a key range wide enough for its largest slice."""
    largest = int(slices.size.max(initial=1))
    neuron_bits = max(largest - 1, 0).bit_length()
    if len(slices) > 1 << (KEY_BITS - neuron_bits):
        raise MappingError(
            f"{len(slices)} slices of up to {largest} neurons need more than {KEY_BITS} key "
            f"bits; lower [mapping] neurons_per_core or split the network")
    base = (np.arange(len(slices), dtype=np.uint64) << np.uint64(neuron_bits)).astype(np.uint32)
    return Keys(neuron_bits, base)
