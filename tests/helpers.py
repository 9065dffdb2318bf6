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


def toml_value(value) -> str:
    """`value` spelled in TOML (inf and nan included)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return "nan" if value != value else ("inf" if value > 0 else "-inf") \
            if abs(value) == float("inf") else repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return '"' + value.encode("unicode_escape").decode().replace('"', '\\"') + '"'
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return "{" + ", ".join(f"{k} = {toml_value(v)}" for k, v in value.items()) + "}"


def toml_text(document: dict, prefix: str = "") -> str:
    """A TOML document whose tables (`[a]`, `[a.b]`) hold these keys, as tomllib reads it."""
    lines = [f"[{prefix}]"] if prefix else []
    lines += [f"{k} = {toml_value(v)}" for k, v in document.items() if not isinstance(v, dict)]
    lines += [toml_text(v, f"{prefix}.{k}" if prefix else k) for k, v in document.items()
              if isinstance(v, dict)]
    return "\n".join(lines) + "\n"
