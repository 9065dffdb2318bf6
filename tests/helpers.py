"""Helpers the tests share: small runs on small machines."""

from dataclasses import replace
from pathlib import Path

import chips
from simulator import MappingOptions, RunOptions, simulate
from simulator.distribution import SerialComm

REPO = Path(__file__).resolve().parents[1]
REFERENCE = REPO / "examples" / "nir"  # NIR models and reference traces (BSD-3)


def run_serial(network, machine=None, neurons_per_core=16, placer="spread", **run):
    """Simulate on one rank and return the `Result`."""
    machine = machine or chips.spinnaker2(2, 2)
    options = RunOptions(**{"timestep_ms": 0.1, "duration_ms": 100.0, "seed": 3, **run})
    return simulate(network, machine, options, MappingOptions(neurons_per_core, placer),
                    comm=SerialComm())


def single_level(chip: chips.Chip, clock_hz: int) -> chips.Chip:
    """`chip` with one performance level at `clock_hz`, priced as its fastest level."""
    energy = chip.energy
    energy = replace(energy, core_sleep_w=energy.core_sleep_w[-1:],
                     core_busy_j_per_cycle=energy.core_busy_j_per_cycle[-1:])
    core = replace(chip.core, performance_levels_hz=(clock_hz,), performance_level=0)
    return replace(chip, core=core, energy=energy)


def reproducible(datasets: dict) -> dict:
    """The datasets a run must reproduce bit for bit: all but the wall-clock profile."""
    return {k: v for k, v in datasets.items() if not k.startswith("profile/")}
