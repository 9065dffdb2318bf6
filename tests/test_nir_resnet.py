"""A CIFAR-sized spiking ResNet from NIR (benchmarks/nir_resnet.py), one stage a chip with a
1x1 bottleneck at every chip boundary: it maps and runs, and the only packets that cross a
chip boundary are the bottleneck layers' spikes, each exactly once."""

import numpy as np
import pytest

from benchmarks.nir_resnet import STAGES, run_resnet


@pytest.mark.parametrize("fidelity", ["functional", "timed"])
def test_a_bottleneck_at_a_chip_boundary_is_all_that_crosses_it(fidelity):
    result, net, stage_of = run_resnet(2.0, channels=4, duration_ms=30.0, frame_ticks=15,
                                       fidelity=fidelity)
    d = result.datasets
    placements = d["mapping/placements"]
    for name, chip in zip(placements["population"], placements["chip_x"]):
        assert stage_of[name] == chip, name
    assert net.population("input").size == 3 * 32 * 32
    assert [p.name for p in net.populations][:5] == ["input", "s0_entry", "s0_a", "s0_b",
                                                     "s0_neck"]       # layer order
    by_population = d["traffic/population_link_packets"].sum(axis=(0, 2))
    necks = [net.population(f"s{k}_neck") for k in range(STAGES - 1)]
    for neck in necks:
        spikes = len(result.spikes(neck.name)[0])
        assert spikes > 100 and by_population[neck.index] == spikes, neck.name
    others = [p.index for p in net.populations if p not in necks]
    assert not by_population[others].any()
    assert d["traffic/link_packets"].sum() == sum(len(result.spikes(n.name)[0]) for n in necks)
    assert len(result.spikes("classes")[0]) > 0              # activity reaches the read-out
    if fidelity == "timed":
        assert d["traffic/router_dropped"].sum() == 0
