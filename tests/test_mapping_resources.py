"""Partitioning by core memory: hand-computed slice sizes and bytes, and the error when a
single neuron cannot fit."""

from dataclasses import replace

import numpy as np
import pytest

import chips
from networks import AllToAll, IFCurrExp, Network, SpikeSourcePoisson
from simulator import MappingError, MappingOptions, map_network


def machine_with(data_bytes):
    machine = chips.spinnaker2(1, 1)
    core = replace(machine.chip.core, data_bytes=data_bytes)
    return replace(machine, chip=replace(machine.chip, core=core))


def network():
    net = Network()
    src = net.add_population("src", 100, SpikeSourcePoisson())
    cells = net.add_population("cells", 50, IFCurrExp())
    net.connect(src, cells, AllToAll(), weight=1.0, delay_ticks=3)
    return net


def test_slices_shrink_to_fit_data_memory_and_their_bytes_are_counted_exactly():
    """A cell: 4 x (3 state variables + 1) = 16 bytes, a ring of 2 receptors x (3 + 1) delay
    slots x 4 = 32 bytes, 100 synapses x 4 (one 32-bit synaptic word each) = 400 bytes; a
    slice also holds 100 row headers x 12 = 1200 bytes, its key (8) and one source entry
    (12). So n cells need 448 n + 1220 bytes: at most 19 fit in 10,000, and 50 cells become
    3 slices (16, 17, 17). The source (4 bytes a neuron, nothing incoming) stays one slice of
    100."""
    mapping = map_network(network(), machine_with(10_000), MappingOptions(256))
    slices, memory = mapping.slices, mapping.memory
    np.testing.assert_array_equal(slices.size, [100, 16, 17, 17])
    np.testing.assert_array_equal(memory.neuron_bytes, [400, 256, 272, 272])
    np.testing.assert_array_equal(memory.ring_bytes, [0, 512, 544, 544])
    np.testing.assert_array_equal(memory.synapse_bytes, [0, 6_400, 6_800, 6_800])
    np.testing.assert_array_equal(memory.row_bytes, [0, 1_200, 1_200, 1_200])
    np.testing.assert_array_equal(memory.routing_bytes, [8, 20, 20, 20])
    np.testing.assert_array_equal(memory.total, [408, 8_388, 8_836, 8_836])
    assert memory.total.max() <= 10_000


def test_the_synaptic_row_format_is_the_cores():
    """With 10-byte synapses and 8-byte row headers (a core that stored what this simulator
    stores on the host) a cell needs 16 + 32 + 1000 = 1048 bytes and a slice 800 + 20 more:
    18 fit in 20,000."""
    machine = machine_with(20_000)
    core = replace(machine.chip.core, synapse_bytes=10, row_header_bytes=8)
    machine = replace(machine, chip=replace(machine.chip, core=core))
    mapping = map_network(network(), machine, MappingOptions(256))
    np.testing.assert_array_equal(mapping.slices.size, [100, 16, 17, 17])
    np.testing.assert_array_equal(mapping.memory.total, [408, 17_588, 18_636, 18_636])


def test_neurons_per_core_stays_an_upper_bound():
    mapping = map_network(network(), machine_with(96 * 1024), MappingOptions(10))
    np.testing.assert_array_equal(mapping.slices.size, [10] * 10 + [10] * 5)


def test_memory_fitting_can_be_switched_off():
    mapping = map_network(network(), machine_with(10_000), MappingOptions(256, fit_memory=False))
    np.testing.assert_array_equal(mapping.slices.size, [100, 50])


def test_a_population_whose_single_neuron_cannot_fit_is_named_with_the_numbers():
    with pytest.raises(MappingError, match="population cells: a single neuron needs about "
                                           "1668 bytes .* a core has 1500"):
        map_network(network(), machine_with(1500), MappingOptions(256))


def test_full_slicing_cuts_full_slices_and_a_remainder_as_pacman():
    mapping = map_network(network(), machine_with(96 * 1024), MappingOptions(32, slicing="full"))
    np.testing.assert_array_equal(mapping.slices.size, [32, 32, 32, 4, 32, 18])


def test_the_memory_hint_appears_only_when_memory_cut_the_slices():
    """300 neurons at 256 a core are two slices either way; only where memory made them
    smaller does the error say so."""
    tiny = chips.spinnaker2(1, 1)
    tiny = replace(tiny, chip=replace(tiny.chip, cores=2, reserved_cores=0))
    net = Network()
    net.add_population("a", 300, SpikeSourcePoisson())
    net.add_population("b", 300, SpikeSourcePoisson())
    with pytest.raises(MappingError) as error:
        map_network(net, tiny, MappingOptions(256, fit_memory=False))
    assert "memory already limits" not in str(error.value)
    with pytest.raises(MappingError) as error:
        map_network(net, tiny, MappingOptions(256))
    assert "memory already limits" not in str(error.value)
    cells = network()
    small = replace(tiny, chip=replace(tiny.chip, core=replace(tiny.chip.core,
                                                                data_bytes=10_000)))
    with pytest.raises(MappingError, match="memory already limits the slices"):
        map_network(cells, small, MappingOptions(256))


def test_spinnaker1_keeps_synaptic_rows_in_sdram_and_only_state_in_dtcm():
    """Brunel at scale 1 (12,500 LIF cells, 1,250 synapses each, 1.5 ms delays at 0.5 ms
    ticks) at 256 neurons a core, as sPyNNaker maps it: 40 + 10 slices on one 48-chip
    board. A core's DTCM holds state and a ring per receptor (plus routing data); the rows
    (1,250 x 4 bytes a cell, and a header per source neuron) are in the SDRAM of the chips.
    Everything fits, the cores' cycles per tick included (at 0.1 ms ticks 256 cells a core
    would not: sPyNNaker then splits synapse cores off)."""
    from networks.library import LIBRARY
    entry = LIBRARY["brunel"]
    net = entry.build(replace(entry.params(), scale=1.0), 0.5)
    machine = chips.spinnaker1()
    mapping = map_network(net, machine, MappingOptions(256, "sequential", slicing="full"))
    assert len(mapping.slices) == 50
    memory = mapping.memory
    assert memory.synapses_in_sdram
    assert (memory.core <= machine.chip.core.data_bytes).all()
    np.testing.assert_array_equal(memory.sdram, memory.synapse_bytes + memory.row_bytes)
    assert memory.synapse_bytes.max() == 256 * 1250 * 4
    per_chip = memory.sdram_per_chip(mapping.placement.chip, machine.n_chips)
    assert 0 < per_chip.max() <= machine.chip.sdram_bytes
    from simulator.mapping.report import mapping_report
    report = mapping_report(net, mapping, 0.5)
    assert report.fits, report.reasons


def test_rows_in_dram_cost_their_dma_per_packet_in_the_timed_model():
    """The same SpiNNaker2 run with rows in PE SRAM and in DRAM: the spikes are the same and
    every received packet costs dma_cycles_per_row more cycles (the report's estimate too)."""
    from tests.helpers import run_serial
    net = Network()
    src = net.add_population("src", 40, SpikeSourcePoisson(rate_hz=50.0))
    cells = net.add_population("cells", 20, IFCurrExp())
    net.connect(src, cells, AllToAll(), weight=0.5)
    base = chips.spinnaker2(1, 1)
    dram = replace(base, chip=replace(base.chip, synapse_memory="sdram"))
    runs = [run_serial(net, machine, neurons_per_core=10, fidelity="timed",
                       duration_ms=20.0) for machine in (base, dram)]
    np.testing.assert_array_equal(runs[0].spikes("cells")[0], runs[1].spikes("cells")[0])
    packets = runs[0].datasets["cores/packets"]
    assert packets.sum() > 0
    np.testing.assert_array_equal(runs[1].datasets["cores/packets"], packets)
    np.testing.assert_array_equal(
        runs[1].datasets["cores/cycles"] - runs[0].datasets["cores/cycles"],
        base.chip.core.dma_cycles_per_row * packets)
