"""What each slice costs its core: the neuron-update cycles of its model on this machine."""

import numpy as np

from chips import Machine
from networks import Network


def slice_cycles_per_neuron(network: Network, machine: Machine,
                            slice_population: np.ndarray) -> np.ndarray:
    """Cycles per neuron and tick of every slice: `[machine.neuron_cycles]` for its model,
    `[machine.core] cycles_per_neuron` for a model not listed there."""
    chip = machine.chip
    per_population = np.array([chip.neuron_cycles.of(p.model.name, chip.core.cycles_per_neuron)
                               for p in network.populations], dtype=np.int64)
    return per_population[np.asarray(slice_population, dtype=np.int64)]
