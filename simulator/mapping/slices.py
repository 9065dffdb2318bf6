"""Partitioning: cut each population into slices, one slice per core."""

from dataclasses import dataclass

import numpy as np

from networks import Network


@dataclass(frozen=True, eq=False)
class Slices:
    """Slice s holds neurons `start[s] .. stop[s] - 1` of population `population[s]`.

    Neurons also have a global id: population offset + index, in population order; slice s
    holds global ids `first_id[s] ..`.
    """

    population: np.ndarray        # int32 [slices]
    start: np.ndarray             # int64 [slices]
    stop: np.ndarray              # int64 [slices]
    first_id: np.ndarray          # int64 [slices]
    population_offset: np.ndarray  # int64 [populations + 1]

    def __len__(self) -> int:
        return len(self.population)

    @property
    def size(self) -> np.ndarray:
        return self.stop - self.start

    @property
    def n_neurons(self) -> int:
        return int(self.population_offset[-1])

    def of_population(self, population: int) -> np.ndarray:
        """Indices of the slices of one population, in neuron order."""
        return np.flatnonzero(self.population == population)

    def containing(self, global_ids: np.ndarray) -> np.ndarray:
        """The slice of each global neuron id."""
        return np.searchsorted(self.first_id, global_ids, side="right") - 1


def partition(network: Network, neurons_per_core, chip=None, full: bool = False) -> Slices:
    """Cut every population into the fewest slices of at most `neurons_per_core` neurons
    (one number, or one per population), as equal in size as possible (sizes differ by at
    most one), or with `full` as PACMAN does: full slices and one remainder last. With
    `chip` (a `chips.Chip`), also small enough that a slice's expected memory fits a core's
    data memory and the chip's SDRAM (see resources.py)."""
    limit = np.broadcast_to(np.asarray(neurons_per_core, dtype=np.int64),
                            (len(network.populations),))
    if chip is not None:
        from .resources import fitting_slice_sizes
        limit = fitting_slice_sizes(network, limit, chip)
    population, start, stop = [], [], []
    for pop in network.populations:
        n_slices = -(-pop.size // int(limit[pop.index]))
        if full:
            bounds = np.minimum(np.arange(n_slices + 1, dtype=np.int64) * limit[pop.index],
                                pop.size)
        else:
            bounds = (np.arange(n_slices + 1, dtype=np.int64) * pop.size) // n_slices
        population.append(np.full(n_slices, pop.index, dtype=np.int32))
        start.append(bounds[:-1])
        stop.append(bounds[1:])
    offsets = np.zeros(len(network.populations) + 1, dtype=np.int64)
    offsets[1:] = np.cumsum([p.size for p in network.populations])
    population = np.concatenate(population)
    start = np.concatenate(start)
    return Slices(population, start, np.concatenate(stop), offsets[population] + start, offsets)
