"""`timed` (Numba, events in bursts) against `packet` (SimPy, one event per hop): the same
arrivals, drops and counters, bit for bit, on small networks made to congest."""

from dataclasses import replace

import numpy as np
import pytest

import chips
from chips.presets import SPINNAKER2_CHIP
from networks import (FixedProbability, IFCurrExp, Network, SpikeSourcePoisson, Uniform)

from .helpers import reproducible, run_serial
from .test_recording_and_payloads import CountingSource


def congested_machine(seed: int) -> chips.Machine:
    """A 4 x 4 torus of 4-core chips with slow links, tiny buffers and short waits, cores
    that send their spikes near the end of the tick, and a link, a core and a chip that die
    during the run."""
    chip = replace(
        SPINNAKER2_CHIP, cores=4, reserved_cores=0, noc_layout="crossbar",
        core=replace(SPINNAKER2_CHIP.core, cycles_per_tick=26_000),
        neuron_cycles=chips.NeuronCycles.uniform(300),
        link=replace(SPINNAKER2_CHIP.link, bandwidth_bps=40_000_000, buffer_packets=2,
                     latency_ns=30),
        router=replace(SPINNAKER2_CHIP.router, emergency_wait_ns=900 + 300 * seed,
                       drop_wait_ns=700))
    faults = chips.Faults(dead_links=(chips.DeadLink(1, 1, seed % 6, from_ms=4.0),),
                          dead_cores=(chips.DeadCore(2, 0, 1, from_ms=6.0),),
                          dead_chips=(chips.DeadChip(3, 2, from_ms=8.0),))
    return chips.Machine(chip, 4, 4, faults=faults)


def congested_network(seed: int) -> Network:
    net = Network(f"congested-{seed}")
    noise = net.add_population("noise", 60, SpikeSourcePoisson(rate_hz=900.0))
    graded = net.add_population("graded", 6, CountingSource())
    cells = net.add_population("cells", 90, IFCurrExp(tau_syn_e_ms=2.0),
                               initial={"v": Uniform(-65.0, -50.0)}, record=["v"])
    net.connect(noise, cells, FixedProbability(0.4), weight=0.7, delay_ticks=Uniform(1, 4))
    net.connect(graded, cells, FixedProbability(0.3), weight=0.05)
    net.connect(cells, cells, FixedProbability(0.2), weight=0.3, delay_ticks=2)
    return net


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_timed_and_packet_agree_on_every_dataset(seed):
    machine = congested_machine(seed)
    net = congested_network(seed)
    runs = {fidelity: run_serial(net, machine, neurons_per_core=8, placer="spread",
                                 fidelity=fidelity, seed=seed, timestep_ms=0.1,
                                 duration_ms=10.0, traffic_window_ms=1.0)
            for fidelity in ("timed", "packet")}
    timed, packet = (reproducible(runs[f].datasets) for f in ("timed", "packet"))
    assert set(timed) == set(packet)
    for name, array in timed.items():
        if array.dtype.names is None:
            np.testing.assert_array_equal(array, packet[name], err_msg=name)
    # The cases really exercise the fabric: queues, detours, drops, late packets.
    assert timed["traffic/link_max_queue"].max() > 2
    assert timed["traffic/router_emergency_routed"].sum() > 0
    assert timed["traffic/router_dropped"].sum() > 0
    assert timed["traffic/link_drops"].sum() > 0
    assert timed["cores/late_packets"].sum() > 0
    assert timed["traffic/router_default_routed"].sum() > 0
    assert (timed["traffic/link_bits"] > 32 * timed["traffic/link_packets"]).any()  # payloads
