"""Convolutions stored as shared kernels (`[mapping] conv_storage = "kernels"`): core memory
counted from the convolution's structure, the same spikes as explicit synapses, and core
cycles that charge each synaptic event the kernel cost (docs/mapping.md)."""

from dataclasses import replace

import nir
import numpy as np
import pytest

import chips
from chips.presets import SPINNAKER2_CHIP
from networks import LIF, FixedProbability, FromList, Network, NetworkError, SpikeSourcePoisson
from networks.nir import read_nir
from simulator import MappingError, MappingOptions, RunOptions, map_network, simulate
from simulator.config import parse_config
from simulator.distribution import SerialComm
from simulator.errors import ConfigError
from simulator.mapping.report import mapping_report, report_dict, report_text

from .helpers import single_level


def conv_graph(c_in, c_out, side, kernel=3, stride=1, padding=1, seed=0, after=None):
    """Input [c_in, side, side] -> Conv2d -> (an optional edge node) -> IF layer."""
    rng = np.random.default_rng(seed)
    w = rng.normal(0.0, 0.6, size=(c_out, c_in, kernel, kernel))
    out = (side + 2 * padding - kernel) // stride + 1
    nodes = {"input": nir.Input(input_type={"input": np.array([c_in, side, side])}),
             "conv": nir.Conv2d(input_shape=(side, side), weight=w, stride=stride,
                                padding=padding, dilation=1, groups=1, bias=np.zeros(c_out))}
    edges = [("input", "conv")]
    last, n = "conv", c_out * out * out
    if after is not None:
        nodes["after"], n = after
        edges.append(("conv", "after"))
        last = "after"
    nodes["layer"] = nir.IF(r=np.ones(n), v_threshold=np.ones(n), v_reset=np.zeros(n))
    edges.append((last, "layer"))
    return nir.NIRGraph(nodes=nodes, edges=edges, type_check=False)


def expected_kernel_bytes(start, stop, c_in, kernel, area, core):
    """Kernel bytes of a slice of posts start..stop-1, from the structure alone: every
    output channel it touches holds c_in x kernel x kernel int16 weights (padded to a word),
    plus one connector description."""
    channels = len({post // area for post in range(start, stop)})
    weights = channels * c_in * kernel * kernel * core.kernel_weight_bytes
    return 4 * -(-weights // 4) + core.kernel_header_bytes


def test_the_importer_remembers_a_convolution_and_only_a_plain_one():
    net = read_nir(conv_graph(3, 16, 32), 1.0)
    conv = net.projections[0].connector.convolution
    assert (conv.in_channels, conv.out_channels, conv.kernel) == (3, 16, (3, 3))
    assert (conv.stride, conv.padding, conv.in_shape, conv.out_shape) == \
        ((1, 1), (1, 1), (32, 32), (32, 32))
    strided = read_nir(conv_graph(2, 4, 9, stride=2, padding=0), 1.0)
    assert strided.projections[0].connector.convolution.out_shape == (4, 4)
    pooled = read_nir(conv_graph(2, 4, 8, after=(nir.SumPool2d(
        kernel_size=np.array([2, 2]), stride=np.array([2, 2]), padding=np.array([0, 0])),
        4 * 4 * 4)), 1.0)
    assert pooled.projections[0].connector.convolution is None   # conv then pool: a list


def test_a_cifar_sized_convolution_takes_fewer_bytes_per_core_as_kernels():
    """3x32x32 -> 16 channels, 3x3: every core of the layer holds the kernels of the
    channels it touches instead of 27 synapses a neuron and a row per source."""
    net = read_nir(conv_graph(3, 16, 32), 1.0)
    machine = chips.spinnaker2(1, 1)
    core = machine.chip.core
    maps = {s: map_network(net, machine, MappingOptions(256, conv_storage=s))
            for s in ("synapses", "kernels")}
    layer = net.population("layer").index
    mine = maps["kernels"].slices.of_population(layer)
    kernels, synapses = maps["kernels"], maps["synapses"]
    np.testing.assert_array_equal(kernels.slices.start, synapses.slices.start)
    starts, stops = kernels.slices.start[mine], kernels.slices.stop[mine]
    expected = [expected_kernel_bytes(int(a), int(b), 3, 3, 32 * 32, core)
                for a, b in zip(starts, stops)]
    np.testing.assert_array_equal(kernels.memory.kernel_bytes[mine], expected)
    assert expected[0] == 4 * 14 + 60     # one channel: 27 weights, 54 bytes, 56 in words
    assert not kernels.memory.synapse_bytes[mine].any() and \
        not kernels.memory.row_bytes[mine].any()
    # the rest of the core (state, ring, routing) is as with synapses
    np.testing.assert_array_equal(
        kernels.memory.core[mine],
        synapses.memory.core[mine] - synapses.memory.synaptic[mine] + expected)
    assert np.all(kernels.memory.core[mine] < synapses.memory.core[mine])
    # the fit answer says so: per-core bytes of `neurochip map --json` and its text
    reports = {s: report_dict(mapping_report(net, m, 1.0), m, net) for s, m in maps.items()}
    per_core = {s: np.array(r["memory"]["per_core_bytes"]) for s, r in reports.items()}
    assert per_core["kernels"].max() < per_core["synapses"].max() / 4
    assert reports["kernels"]["memory"]["by_part_bytes"]["kernel_bytes"] == sum(expected)
    assert reports["synapses"]["memory"]["by_part_bytes"]["kernel_bytes"] == 0
    text = report_text(mapping_report(net, kernels, 1.0), kernels, net)
    assert f"1 convolutions stored as kernels ([mapping] conv_storage), {sum(expected)} " \
           f"bytes on {len(mine)} cores" in text


def test_the_fitting_estimate_lets_kernel_slices_grow():
    """With kernels the slice size is no longer bounded by synaptic memory: a layer cut to
    fit 27 synapses a neuron gets wider slices, each still within the core."""
    net = read_nir(conv_graph(3, 16, 32), 1.0)
    machine = chips.spinnaker2(1, 1)
    maps = {s: map_network(net, machine, MappingOptions(4096, conv_storage=s))
            for s in ("synapses", "kernels")}
    layer = net.population("layer").index
    sizes = {s: m.slices.size[m.slices.of_population(layer)] for s, m in maps.items()}
    assert sizes["kernels"].max() > 2 * sizes["synapses"].max()
    for m in maps.values():
        assert m.memory.core.max() <= machine.chip.core.data_bytes


def kernel_machine():
    """One 300 MHz level, cycle costs picked so that each part is visible."""
    chip = single_level(SPINNAKER2_CHIP, 300_000_000)
    core = replace(chip.core, cycles_per_tick=100, cycles_per_neuron=7,
                   cycles_per_synaptic_event=20, cycles_per_packet=60,
                   cycles_per_kernel_event=32)
    return chips.Machine(replace(chip, core=core, neuron_cycles=chips.NeuronCycles.uniform(7)),
                         1, 1, wrap=False)


def independent_cycles(net, mapping, times_ms, indices, timestep_ms, n_ticks, per_event):
    """Per-core cycles each tick from the input spikes alone: every core pays its tick and
    neurons, `cycles_per_packet` for each spike of a source slice that has a synapse on it,
    and `per_event` for each of that spike's synapses on it (input spikes arrive in the
    tick they are sent: one chip, no late packets; the layer's own spikes reach nothing)."""
    core = mapping.machine.chip.core
    slices = mapping.slices
    conv = net.projections[0].connector
    layer = net.population("layer").index
    cycles = np.zeros((n_ticks, len(slices)), dtype=np.int64)
    cycles += core.cycles_per_tick + 7 * slices.size
    tick = np.rint(np.asarray(times_ms) / timestep_ms).astype(np.int64)
    src_slice = np.searchsorted(slices.stop[slices.of_population(0)], indices, side="right")
    for s in slices.of_population(layer):
        onto = (conv.post >= slices.start[s]) & (conv.post < slices.stop[s])
        synapses = np.bincount(conv.pre[onto], minlength=net.populations[0].size)
        senders = np.unique(src_slice[synapses[indices] > 0]) if len(indices) else []
        for t, g, k in zip(tick, indices, src_slice):
            if t < n_ticks and k in senders:
                cycles[t, s] += core.cycles_per_packet + per_event * synapses[g]
    return cycles


def driven_conv_layer(seed: int, c_in=2, c_out=4, side=8, timestep_ms=1.0):
    """A small conv layer read from NIR, driven by 20 random input spikes a tick for 10 ticks
    (at most one per neuron and tick); returns the network and the input spikes."""
    rng = np.random.default_rng(seed)
    n_in = c_in * side * side
    times = np.repeat(np.arange(10.0), 20)
    indices = rng.integers(0, n_in, times.size)
    keep = np.unique(times * n_in + indices, return_index=True)[1]
    times, indices = times[keep], indices[keep]
    net = read_nir(conv_graph(c_in, c_out, side, seed=2), timestep_ms,
                   spikes=(times, indices))
    return net, times, indices


@pytest.mark.parametrize("fidelity", ["timed", "packet"])
def test_kernels_give_the_same_spikes_and_charge_the_kernel_cost(fidelity):
    net, times, indices = driven_conv_layer(seed=5)
    n_ticks, timestep_ms = 12, 1.0
    machine = kernel_machine()
    run = RunOptions(duration_ms=n_ticks * timestep_ms, timestep_ms=timestep_ms,
                     traffic_window_ms=timestep_ms, fidelity=fidelity, seed=1)
    results, mappings = {}, {}
    for storage in ("synapses", "kernels"):
        options = MappingOptions(64, "sequential", conv_storage=storage)
        mappings[storage] = map_network(net, machine, options)
        results[storage] = simulate(net, machine, run, options, comm=SerialComm())
    a, b = results["synapses"], results["kernels"]
    layer_ticks, layer_ids = a.spikes("layer")
    assert len(layer_ids) > 20                                     # the layer is busy
    for name in ("input", "layer"):
        for x, y in zip(a.spikes(name), b.spikes(name)):
            np.testing.assert_array_equal(x, y)
    for counter in ("packets", "synaptic_events", "late_packets"):
        np.testing.assert_array_equal(a.datasets[f"cores/{counter}"],
                                      b.datasets[f"cores/{counter}"])
    assert a.datasets["cores/late_packets"].sum() == 0
    for storage, per_event in (("synapses", 20), ("kernels", 32)):
        expected = independent_cycles(net, mappings[storage], times, indices, timestep_ms,
                                      n_ticks, per_event)
        np.testing.assert_array_equal(results[storage].datasets["cores/cycles"], expected)
    events = a.datasets["cores/synaptic_events"]
    assert events.sum() > 1000
    np.testing.assert_array_equal(b.datasets["cores/cycles"] - a.datasets["cores/cycles"],
                                  events * (32 - 20))


def random_network():
    net = Network()
    src = net.add_population("src", 300, SpikeSourcePoisson(rate_hz=50.0))
    dst = net.add_population("dst", 200, LIF(tau_refrac_ms=1.0))
    net.connect(src, dst, FixedProbability(0.2), weight=0.2)
    pre = np.arange(200)
    net.connect(dst, dst, FromList(pre, (pre + 1) % 200, np.full(200, 0.5), np.ones(200)))
    return net


def test_projections_that_are_not_convolutions_keep_their_synapses():
    """conv_storage = "kernels" changes nothing for a network without convolutions: the
    same memory, the same cycles."""
    net = random_network()
    machine = kernel_machine()
    run = RunOptions(duration_ms=20.0, timestep_ms=1.0, traffic_window_ms=5.0, seed=2)
    out = {}
    for storage in ("synapses", "kernels"):
        options = MappingOptions(64, "sequential", conv_storage=storage)
        mapping = map_network(net, machine, options)
        assert not mapping.memory.kernel_bytes.any()
        out[storage] = (mapping.memory.core, simulate(net, machine, run, options,
                                                        comm=SerialComm()).datasets)
    np.testing.assert_array_equal(out["synapses"][0], out["kernels"][0])
    assert out["synapses"][1]["cores/synaptic_events"].sum() > 0
    for name in ("cores/cycles", "cores/synaptic_events", "spikes/dst/ids", "spikes/dst/times"):
        np.testing.assert_array_equal(out["synapses"][1][name], out["kernels"][1][name])


def test_a_kernel_and_synapses_between_the_same_populations_are_refused():
    net = read_nir(conv_graph(1, 2, 4), 1.0)
    pre, post = net.population("input"), net.population("layer")
    net.connect(pre, post, FromList([0], [0], [1.0], [1]), receptor="input")
    with pytest.raises(MappingError, match=r"^projection 0 \(input -> layer\) is a convolution "
                                           r"stored as a kernel but projection 1 .*conv_storage"):
        map_network(net, chips.spinnaker2(1, 1), MappingOptions(conv_storage="kernels"))
    map_network(net, chips.spinnaker2(1, 1), MappingOptions(conv_storage="synapses"))


def test_an_unknown_storage_is_refused_in_one_sentence():
    with pytest.raises(ConfigError, match=r"conv_storage must be one of synapses, kernels "
                                          r"\(got 'kernel'\)"):
        parse_config('[network]\nlibrary = "brunel"\n[mapping]\nconv_storage = "kernel"\n')


def test_kernels_stay_in_the_core_where_rows_live_in_sdram():
    """SpiNNaker1 keeps rows in SDRAM; the local-only convolution keeps its kernels in DTCM."""
    net = read_nir(conv_graph(2, 4, 8), 1.0)
    machine = chips.spinnaker1(1, 1, layout="rectangle")
    maps = {s: map_network(net, machine, MappingOptions(64, conv_storage=s))
            for s in ("synapses", "kernels")}
    mine = maps["kernels"].slices.of_population(net.population("layer").index)
    assert maps["synapses"].memory.sdram[mine].min() > 0
    assert not maps["kernels"].memory.sdram[mine].any()
    np.testing.assert_array_equal(
        maps["kernels"].memory.core[mine],
        maps["synapses"].memory.core[mine] + maps["kernels"].memory.kernel_bytes[mine])


def test_a_convolution_that_does_not_fit_its_populations_is_refused():
    net = read_nir(conv_graph(2, 4, 8), 1.0)
    conv = net.projections[0].connector
    wrong = FromList(conv.pre, conv.post, conv.weight, conv.delay_ticks,
                     replace(conv.convolution, out_channels=5))
    with pytest.raises(NetworkError, match=r"^from_list.convolution must describe 128 inputs "
                                           r"and 256 outputs like the populations it joins "
                                           r"\(got '128 inputs and 320 outputs'\)"):
        net.connect(net.population("input"), net.population("layer"), wrong,
                    receptor="input")


def test_kernel_events_are_charged_to_the_split_synapse_core_that_takes_them():
    net, _, _ = driven_conv_layer(seed=6)
    n_ticks, timestep_ms = 12, 1.0
    machine = kernel_machine()
    run = RunOptions(duration_ms=n_ticks * timestep_ms, timestep_ms=timestep_ms,
                     traffic_window_ms=timestep_ms, fidelity="timed", seed=1)
    results = {storage: simulate(net, machine, run,
                                 MappingOptions(64, "sequential", conv_storage=storage,
                                                synapse_cores=1), comm=SerialComm())
               for storage in ("synapses", "kernels")}
    a, b = results["synapses"], results["kernels"]
    for x, y in zip(a.spikes("layer"), b.spikes("layer")):
        np.testing.assert_array_equal(x, y)
    role = a.datasets["cores/role"]
    events = a.datasets["cores/synaptic_events"]
    assert events[:, role == 1].sum() > 1000 and events[:, role == 0].sum() == 0
    np.testing.assert_array_equal(b.datasets["cores/cycles"] - a.datasets["cores/cycles"],
                                  events * (32 - 20))
