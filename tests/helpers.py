"""Helpers the tests share: small runs on small machines."""

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


def reproducible(datasets: dict) -> dict:
    """The datasets a run must reproduce bit for bit: all but the wall-clock profile."""
    return {k: v for k, v in datasets.items() if not k.startswith("profile/")}
