"""The bottlenecked network: one stage a chip, and only the narrow layers' spikes cross."""

import numpy as np

import chips
from networks.library.bottleneck import BottleneckParams, build_bottleneck

from .helpers import run_serial


def test_only_narrow_layers_cross_chip_boundaries():
    params = BottleneckParams(n_chips=3, width=96, bottleneck_ratio=4.0, in_degree=20)
    net = build_bottleneck(params, 1.0)
    result = run_serial(net, chips.spinnaker2(3, 1), neurons_per_core=16, timestep_ms=1.0,
                        duration_ms=100.0, fidelity="functional")
    placements = result.datasets["mapping/placements"]
    for pop, chip in zip(placements["population"], placements["chip_x"]):
        assert int(pop[1]) == chip, pop          # c{k}_... sits on chip k
    crossing = sum(len(result.spikes(f"c{k}_narrow")[0]) for k in range(2))
    assert crossing > 0 and params.narrow_width == 24
    # a torus of three chips in a row: every chip is one hop from the next
    assert result.datasets["traffic/link_packets"].sum() == crossing
    bits = result.datasets["traffic/link_bits"].sum()
    assert bits == crossing * chips.spinnaker2(3, 1).chip.packet_bits(False)
    assert np.all([len(result.spikes(p.name)[0]) > 0 for p in net.populations])
