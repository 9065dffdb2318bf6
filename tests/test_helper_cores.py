"""Split synapse cores and delay-extension cores in the timed model (docs/timing.md,
"Helper cores"): the same spikes as one combined core, the work moved to the core that
does it, counted from the run's own counters."""

from dataclasses import replace

import numpy as np
import pytest

import chips
from chips.presets import SPINNAKER2_CHIP
from networks import LIF, FixedProbability, Network, SpikeSourcePoisson
from simulator import MappingOptions, RunOptions, simulate
from simulator.costs import slice_cycles_per_neuron
from simulator.distribution import SerialComm
from simulator.engine.helpers import NEURON_ROLE, SYNAPSE_ROLE
from simulator.mapping import map_network

from .helpers import reproducible


def split_network() -> Network:
    """Two sources and a recurrent population; weights are short binary fractions, so the
    sums into an input are exact whatever order its packets come in (the placement, and
    with it the packets' order, changes with the cores beside each slice)."""
    net = Network("split")
    a = net.add_population("a", 40, SpikeSourcePoisson(rate_hz=80.0))
    b = net.add_population("b", 30, SpikeSourcePoisson(rate_hz=60.0))
    c = net.add_population("c", 50, LIF(), record=["v"])
    net.connect(a, c, FixedProbability(0.3), weight=4.0, delay_ticks=2)
    net.connect(b, c, FixedProbability(0.3), weight=2.0, delay_ticks=3)
    net.connect(c, c, FixedProbability(0.1), weight=1.0, delay_ticks=2)
    return net


def small_machine(clock_hz=300_000_000, cores=24):
    chip = replace(SPINNAKER2_CHIP, cores=cores, reserved_cores=0,
                   core=replace(SPINNAKER2_CHIP.core, performance_levels_hz=(clock_hz,),
                                performance_level=0),
                   energy=replace(SPINNAKER2_CHIP.energy,
                                  core_sleep_w=SPINNAKER2_CHIP.energy.core_sleep_w[-1:],
                                  core_busy_j_per_cycle=SPINNAKER2_CHIP.energy
                                  .core_busy_j_per_cycle[-1:]))
    return chips.Machine(chip, 2, 2)


def run(net, machine, synapse_cores=0, delay_extensions=False, window_ms=1.0, **run):
    options = RunOptions(**{"duration_ms": 20.0, "timestep_ms": 0.1, "fidelity": "timed",
                            "seed": 2, "traffic_window_ms": window_ms, **run})
    mapping = MappingOptions(16, "spread", synapse_cores=synapse_cores,
                             delay_extensions=delay_extensions)
    return simulate(net, machine, options, mapping, comm=SerialComm())


@pytest.fixture(scope="module")
def combined_and_split():
    net, machine = split_network(), small_machine()
    return net, machine, run(net, machine), run(net, machine, synapse_cores=2)


def test_synapse_cores_give_the_same_spikes_and_state(combined_and_split):
    _, _, combined, split = combined_and_split
    one, two = combined.datasets, split.datasets
    assert one["cores/late_packets"].sum() == 0 and two["cores/late_packets"].sum() == 0
    assert len(combined.spikes("c")[0]) > 50
    for name in one:
        if name.startswith(("spikes/", "state/")):
            np.testing.assert_array_equal(one[name], two[name], err_msg=name)
    assert two["cores/synaptic_events"].sum() == one["cores/synaptic_events"].sum() > 0


def test_synapse_cores_pay_for_packets_and_the_neuron_core_for_collecting(
        combined_and_split):
    net, machine, combined, split = combined_and_split
    one, two = combined.datasets, split.datasets
    core = machine.chip.core
    mapping = map_network(net, machine, MappingOptions(16, "spread", synapse_cores=2))
    n = len(mapping.slices)
    role, served = two["cores/role"], two["cores/slice"]
    assert list(role[:n]) == [NEURON_ROLE] * n and (served[:n] == np.arange(n)).all()
    receiving = np.flatnonzero(mapping.slices.population == 2)
    synapse = np.flatnonzero(role == SYNAPSE_ROLE)
    assert sorted(served[synapse]) == sorted(np.repeat(receiving, 2))
    # a synapse core's cycles: its packets and its synaptic events, nothing else
    packets, events = two["cores/packets"], two["cores/synaptic_events"]
    np.testing.assert_array_equal(
        two["cores/cycles"][:, synapse],
        packets[:, synapse] * core.cycles_per_packet
        + events[:, synapse] * core.cycles_per_synaptic_event)
    assert packets[:, synapse].sum() > 0 and events[:, synapse].sum() > 0
    # every packet a combined core took went to exactly one of its synapse cores
    for s in receiving:
        mine = synapse[served[synapse] == s]
        np.testing.assert_array_equal(packets[:, mine].sum(axis=1), one["cores/packets"][:, s])
        np.testing.assert_array_equal(events[:, mine].sum(axis=1),
                                      one["cores/synaptic_events"][:, s])
        # neuron core: what it paid for packets is gone, collecting two cores' input is added
        assert packets[:, s].sum() == 0 and events[:, s].sum() == 0
    ticks = np.diff(two["traffic/window_ticks"], axis=1)[:, 0]
    size = mapping.slices.size[receiving]
    moved = (one["cores/packets"][:, receiving] * core.cycles_per_packet
             + one["cores/synaptic_events"][:, receiving] * core.cycles_per_synaptic_event)
    collect = np.outer(ticks, 2 * size * core.input_collect_cycles_per_neuron)
    np.testing.assert_array_equal(two["cores/cycles"][:, receiving],
                                  one["cores/cycles"][:, receiving] - moved + collect)
    assert (moved.sum(axis=0) > collect.sum(axis=0)).all()  # the neuron core's load drops
    per_neuron = slice_cycles_per_neuron(net, machine, mapping.slices.population)
    np.testing.assert_array_equal(
        two["cores/cycles"][:, receiving],
        np.outer(ticks, core.cycles_per_tick + per_neuron[receiving] * size
                 + 2 * size * core.input_collect_cycles_per_neuron))
    # the energy model prices every column, helper cores included
    assert two["energy/core_busy_j"].shape == two["cores/cycles"].shape


def test_an_overloaded_synapse_core_counts_its_overruns():
    """At 2 MHz a tick holds 200 cycles: a synapse core's bursts overrun it, the neuron
    core's collection does not; one-tick windows make each window one tick."""
    net = split_network()
    machine = small_machine(clock_hz=2_000_000)
    machine = replace(machine, chip=replace(machine.chip, core=replace(
        machine.chip.core, cycles_per_tick=0), neuron_cycles=chips.NeuronCycles.uniform(1)))
    d = run(net, machine, synapse_cores=2, window_ms=0.1, duration_ms=5.0).datasets
    budget = machine.chip.core.budget_cycles(100_000)[0]
    cycles = d["cores/cycles"]
    np.testing.assert_array_equal(d["cores/overruns"], (cycles > budget).astype(np.int64))
    np.testing.assert_array_equal(d["cores/max_excess_cycles"], np.maximum(cycles - budget, 0))
    synapse = d["cores/role"] == SYNAPSE_ROLE
    assert d["cores/overruns"][:, synapse].sum() > 0
    receiving = np.unique(d["cores/slice"][synapse])
    assert d["cores/overruns"][:, receiving].sum() == 0


def test_timed_and_packet_agree_with_synapse_cores():
    net, machine = split_network(), small_machine()
    timed, packet = (reproducible(run(net, machine, synapse_cores=3, duration_ms=5.0,
                                      fidelity=f).datasets) for f in ("timed", "packet"))
    assert set(timed) == set(packet)
    for name, array in timed.items():
        if array.dtype.names is None:
            np.testing.assert_array_equal(array, packet[name], err_msg=name)
    assert (timed["cores/role"] == SYNAPSE_ROLE).sum() == 3 * 4
