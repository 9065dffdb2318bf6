"""Slices, placement, keys and routing tables."""

import numpy as np
import pytest

import chips
from networks import (FixedProbability, FromList, IFCurrExp, Network, SpikeSourcePoisson,
                      Uniform)
from simulator import ConfigError, MappingError, MappingOptions, map_network
from simulator.mapping import partition

from .helpers import run_serial


def layered(sizes=(100, 250, 37)):
    net = Network()
    pops = [net.add_population(f"p{i}", n, IFCurrExp(i_offset_na=0.3 * (i == 0)),
                               initial={"v": Uniform(-65.0, -55.0)})
            for i, n in enumerate(sizes)]
    for a, b in zip(pops[:-1], pops[1:]):
        net.connect(a, b, FixedProbability(0.1), weight=1.5)
    return net


def test_slices_cover_every_neuron_once_and_respect_the_limit():
    net = layered()
    slices = partition(net, 64)
    assert slices.size.max() <= 64
    assert slices.size.max() - slices.size.min() <= 1 or len(np.unique(slices.population)) > 1
    for pop in net.populations:
        mine = slices.of_population(pop.index)
        assert slices.start[mine][0] == 0 and slices.stop[mine][-1] == pop.size
        np.testing.assert_array_equal(slices.start[mine][1:], slices.stop[mine][:-1])
    assert len(slices) == 2 + 4 + 1


def test_keys_are_unique_per_neuron_and_matched_by_their_slice_entry():
    mapping = map_network(layered(), chips.spinnaker2(2, 2), MappingOptions(30, "spread"))
    keys, slices = mapping.keys, mapping.slices
    assert keys.neuron_bits == 5
    all_keys = np.concatenate([keys.base[s] + np.arange(slices.size[s], dtype=np.uint32)
                               for s in range(len(slices))])
    assert len(np.unique(all_keys)) == len(all_keys)
    for s in range(len(slices)):
        neuron_keys = keys.base[s] + np.arange(slices.size[s], dtype=np.uint32)
        matches = (neuron_keys[:, None] & np.uint32(keys.mask)) == keys.base[None, :]
        assert np.all(matches.sum(axis=1) == 1) and np.all(matches[:, s])


def test_sequential_fills_chips_in_order_and_spread_shares_them_evenly():
    net = layered((500, 500))
    # 16 application cores per chip, 15 on the Ethernet chip (0, 0): its data gatherer
    machine = chips.spinnaker1(4, 4, wrap=True, layout="rectangle")
    seq = map_network(net, machine, MappingOptions(20, "sequential")).placement
    assert list(np.bincount(seq.chip)) == [15, 16, 16, 3]
    assert seq.core.min() == machine.chip.reserved_cores
    assert seq.core[seq.chip == 0].min() == machine.chip.reserved_cores + 1
    spread = map_network(net, machine, MappingOptions(20, "spread")).placement
    per_chip = np.bincount(spread.chip, minlength=16)
    assert per_chip.max() - per_chip.min() <= 1
    pairs = spread.chip.astype(int) * 100 + spread.core
    assert len(np.unique(pairs)) == len(pairs)


def test_a_network_too_big_for_the_machine_is_refused_with_the_numbers():
    # 18 cores less the monitor, the extra monitor and the data gatherer
    with pytest.raises(MappingError, match="needs 16 cores .* has 15 application cores"):
        map_network(layered((16 * 8,)), chips.spinnaker1(1, 1, layout="rectangle"),
                    MappingOptions(8))


def test_default_routing_elides_the_middle_of_a_line():
    """A line of chips: packets from chip 0 to chip 4 pass three routers that default
    routing carries straight on, so only the first and last routers hold an entry."""
    machine = chips.spinnaker2(5, 1, wrap=False)
    net = Network()
    src = net.add_population("src", 1, SpikeSourcePoisson())
    net.add_population("gap", 152 * 4 - 1, IFCurrExp())
    dst = net.add_population("dst", 1, IFCurrExp())
    net.connect(src, dst, FromList([0], [0], [1.0], [1]))
    mapping = map_network(net, machine, MappingOptions(1, "sequential"))
    assert mapping.placement.chip[0] == 0 and mapping.placement.chip[-1] == 4
    tables = mapping.tables
    mine = tables.slice == 0
    np.testing.assert_array_equal(tables.chip[mine], [0, 1, 2, 3, 4])
    np.testing.assert_array_equal(tables.default_routed[mine], [False, True, True, True, False])
    np.testing.assert_array_equal(tables.link_bits[mine], [1, 1, 1, 1, 0])
    last = np.flatnonzero(mine)[-1]
    np.testing.assert_array_equal(tables.cores[tables.core_ptr[last]:tables.core_ptr[last + 1]],
                                  [mapping.placement.core[-1]])
    np.testing.assert_array_equal(tables.entries_per_chip(5), [1, 0, 0, 0, 1])


@pytest.mark.parametrize("neurons_per_core,placer", [(5, "sequential"), (23, "spread"),
                                                     (256, "spread")])
def test_spikes_do_not_depend_on_slicing_or_placement(neurons_per_core, placer):
    net = Network()
    noise = net.add_population("noise", 40, SpikeSourcePoisson(rate_hz=80.0))
    cells = net.add_population("cells", 70, IFCurrExp(), initial={"v": Uniform(-65, -55)})
    net.connect(noise, cells, FixedProbability(0.3), weight=1.0, delay_ticks=Uniform(1, 4))
    net.connect(cells, cells, FixedProbability(0.1), weight=0.4)
    baseline = run_serial(net, chips.spinnaker2(1, 1), neurons_per_core=256, placer="sequential")
    other = run_serial(net, chips.spinnaker2(3, 2), neurons_per_core=neurons_per_core,
                       placer=placer)
    for pop in ("noise", "cells"):
        np.testing.assert_array_equal(np.stack(baseline.spikes(pop)), np.stack(other.spikes(pop)))
    assert len(baseline.spikes("cells")[0]) > 20


def test_neurons_per_core_of_sets_the_slice_limit_of_the_populations_it_names():
    net = layered()
    names = [p.name for p in net.populations]
    options = MappingOptions(64, "spread", neurons_per_core_of={names[1]: 10})
    mapping = map_network(net, chips.spinnaker2(2, 2), options)
    sizes = {p.name: mapping.slices.size[mapping.slices.of_population(p.index)]
             for p in net.populations}
    assert sizes[names[1]].max() <= 10 and len(sizes[names[1]]) == -(-net.populations[1].size
                                                                       // 10)
    assert all(sizes[n].max() == min(64, net.population(n).size) or len(sizes[n]) > 1
               for n in names if n != names[1])
    with pytest.raises(ConfigError, match="neurons_per_core_of.nope: nope is not a population"):
        map_network(net, chips.spinnaker2(2, 2),
                    MappingOptions(64, neurons_per_core_of={"nope": 3}))
    with pytest.raises(ConfigError, match="neurons_per_core_of.x must be a whole number >= 1"):
        MappingOptions(64, neurons_per_core_of={"x": 0})
