"""Recording of state variables: one row per tick for the neurons of a population here."""

from dataclasses import dataclass

import numpy as np

from networks import Network

from ..mapping import Mapping
from .layout import LocalLayout


@dataclass(eq=False)
class StateProbe:
    """`variable` of the neurons `neurons` of population `population` that sit at
    `start .. stop - 1` of group `group`; `values[tick]` is their value after tick `tick`."""

    population: int
    variable: str
    group: int
    start: int
    stop: int
    neurons: np.ndarray   # int64, indices within the population
    values: np.ndarray    # float64 [ticks, neurons]


def make_probes(network: Network, mapping: Mapping, layout: LocalLayout,
                n_ticks: int) -> list[StateProbe]:
    """A probe for every recorded variable of every population with neurons on this rank."""
    slices = mapping.slices
    probes = []
    for k, group in enumerate(layout.groups):
        offsets = np.concatenate([[0], np.cumsum(slices.size[group.slices])])
        for pop in network.populations:
            variables = network.recorded.get(pop.name, ())
            mine = np.flatnonzero(slices.population[group.slices] == pop.index)
            if not variables or len(mine) == 0:
                continue
            start, stop = int(offsets[mine[0]]), int(offsets[mine[-1] + 1])
            neurons = np.concatenate([np.arange(slices.start[s], slices.stop[s])
                                      for s in group.slices[mine]])
            for variable in variables:
                probes.append(StateProbe(pop.index, variable, k, start, stop, neurons,
                                         np.empty((n_ticks, stop - start), dtype=np.float64)))
    return probes
