"""Every workload example config loads, names its library network and builds it."""

import pytest

from simulator.config import load_config

from .helpers import REPO

SIZES = {"egru": 750 + 1350 + 1350 + 750, "bottleneck": 4 * (2 * 1024 + 128),
         "brunel": 2000 + 500, "microcircuit": 7717, "synfire": 100 + 10 * 100}


@pytest.mark.parametrize("name", sorted(SIZES))
def test_example_config_builds_the_documented_network(name):
    config = load_config(REPO / "examples" / f"{name}.toml")
    assert config.network_name == name
    assert config.build_network().size == SIZES[name]


@pytest.mark.parametrize("path", sorted((REPO / "examples").glob("*.toml")),
                         ids=lambda p: p.stem)
def test_every_example_fits_its_machine(path):
    """What `neurochip map` checks for every bundled example: cores, memory, tables, links."""
    from simulator.mapping import map_network
    from simulator.mapping.report import mapping_report

    config = load_config(path)
    network = config.build_network()
    mapping = map_network(network, config.machine, config.mapping, config.run.seed)
    report = mapping_report(network, mapping, config.run.timestep_ms)
    assert report.fits, report.reasons
