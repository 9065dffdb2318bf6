"""Placement: which core of which chip runs each slice."""

from dataclasses import dataclass

import numpy as np

from chips import Machine

from ..errors import MappingError
from .slices import Slices


@dataclass(frozen=True, eq=False)
class Placement:
    """Slice s runs on core `core[s]` of chip `chip[s]` (chip index in the topology)."""

    chip: np.ndarray  # int32 [slices]
    core: np.ndarray  # int32 [slices]

    def global_core(self, cores_per_chip: int) -> np.ndarray:
        """Machine-wide core number of each slice: chip * cores_per_chip + core."""
        return self.chip.astype(np.int64) * cores_per_chip + self.core


def place_sequential(slices: Slices, machine: Machine) -> Placement:
    """Fill the application cores of chip 0, then chip 1, ... with the slices in order."""
    _check_fits(slices, machine)
    order = np.arange(len(slices))
    per_chip = machine.chip.application_cores
    return _on_cores(order // per_chip, order % per_chip, machine)


def place_spread(slices: Slices, machine: Machine) -> Placement:
    """Share the slices, in order, between all chips in contiguous blocks of equal size (to
    within one), so that every chip does a similar amount of work."""
    _check_fits(slices, machine)
    order = np.arange(len(slices))
    chip = order * machine.n_chips // max(len(slices), 1)
    first_on_chip = np.searchsorted(chip, chip)
    return _on_cores(chip, order - first_on_chip, machine)


def _check_fits(slices: Slices, machine: Machine) -> None:
    available = machine.application_cores
    if len(slices) > available:
        raise MappingError(
            f"the network needs {len(slices)} cores (one per slice) but the machine has "
            f"{available} application cores; make [machine] width or height larger, or raise "
            f"[mapping] neurons_per_core")


def _on_cores(chip: np.ndarray, application_core: np.ndarray, machine: Machine) -> Placement:
    return Placement(chip.astype(np.int32),
                     (application_core + machine.chip.reserved_cores).astype(np.int32))


PLACERS = {"sequential": place_sequential, "spread": place_spread}
