"""Scenarios for the MPI tests: `mpiexec -n N python -m tests.mpi_run NAME OUT.h5 [KEY=VALUE
...]`, the pairs replacing `RunOptions` fields (whole numbers)."""

import os
import signal
import sys
from dataclasses import dataclass, replace
from typing import ClassVar

import numpy as np

import chips
from chips.presets import SPINNAKER2_CHIP
from networks import (LIF, FixedProbability, IFCurrExp, Network, OneToOne, SpikeSourceArray,
                      SpikeSourcePoisson, Uniform)
from networks.models import ModelGroup, NeuronModel
from simulator import MappingOptions, RunOptions, simulate
from simulator.distribution import all_ranks_end_on_failure, world
from simulator.interrupt import StopRequest

from .test_helper_cores import delayed_network, small_machine
from .test_timed_equals_packet import congested_machine, congested_network


@dataclass(frozen=True)
class FailsOnRankOne(NeuronModel):
    """A source that raises in tick 3 on MPI rank 1, as a bug in one rank would."""

    name: ClassVar[str] = "fails_on_rank_one"

    @classmethod
    def group(cls, members, timestep_ms, seed):
        return FailingGroup(sum(m.size for m in members))


class FailingGroup(ModelGroup):
    def __init__(self, size):
        self.size = size

    def step(self, tick, synaptic_input, spiked, payload):
        if tick == 3 and os.environ.get("PMI_RANK") == "1":
            raise RuntimeError("deliberate failure in tick 3")
        return 0


def failing():
    net = Network("failing")
    for i in range(4):
        net.add_population(f"p{i}", 8, FailsOnRankOne())
    net.add_population("noise", 8, SpikeSourcePoisson(rate_hz=50.0))
    net.connect(net.populations[-1], net.add_population("cells", 8, LIF()), OneToOne(),
                weight=1.0)
    return net, chips.spinnaker2(2, 2), MappingOptions(8, "spread"), \
        RunOptions(duration_ms=1000.0, timestep_ms=0.1, fidelity="functional")


def congested():
    """Windows of one tick, so that queues, waits and busy links that outlast a tick count
    in later windows, also in the rounds a tick takes across ranks."""
    return (congested_network(1), congested_machine(1), MappingOptions(8, "spread"),
            RunOptions(duration_ms=10.0, timestep_ms=0.1, fidelity="timed", seed=1,
                       traffic_window_ms=0.1))


@dataclass(frozen=True)
class InterruptsItself(NeuronModel):
    """A source that fires every tick and, in tick 250, sends SIGINT to its own process
    (on MPI rank 0), as a user pressing Ctrl-C would."""

    name: ClassVar[str] = "interrupts_itself"

    @classmethod
    def group(cls, members, timestep_ms, seed):
        return InterruptingGroup(sum(m.size for m in members))


class InterruptingGroup(ModelGroup):
    def __init__(self, size):
        self.size = size

    def step(self, tick, synaptic_input, spiked, payload):
        if tick == 250 and os.environ.get("PMI_RANK", "0") == "0":
            os.kill(os.getpid(), signal.SIGINT)
        spiked[:self.size] = np.arange(self.size)
        return self.size


def interrupting():
    net = Network("interrupting")
    source = net.add_population("source", 6, InterruptsItself())
    cells = net.add_population("cells", 6, LIF(), record=["v"])
    net.connect(source, cells, OneToOne(), weight=0.5)
    return net, chips.spinnaker2(2, 1), MappingOptions(3, "spread"), \
        RunOptions(duration_ms=100.0, timestep_ms=0.1, traffic_window_ms=10.0)


def line_of_two(times_ms: dict[int, tuple[float, ...]], delay_ticks: int = 1):
    """Two chips joined by one link, one core each, crossbar NoC: a source on each chip
    (spike times per chip) sending to a neuron on the other, so every packet crosses between
    the two chips; no cost per tick or neuron, so a spike leaves at the start of its tick."""
    chip = replace(SPINNAKER2_CHIP, cores=2, reserved_cores=0, noc_layout="crossbar",
                   core=replace(SPINNAKER2_CHIP.core, cycles_per_tick=0),
                   neuron_cycles=chips.NeuronCycles.uniform(0))
    net = Network("line-of-two")
    pins = {}
    for c in (0, 1):
        source = net.add_population(f"source{c}", 1, SpikeSourceArray((times_ms[c],)))
        target = net.add_population(f"target{c}", 1, LIF(), record=["v"])
        net.connect(source, target, OneToOne(), weight=1.0, delay_ticks=delay_ticks)
        pins[f"source{c}"] = {"x": c, "y": 0}
        pins[f"target{c}"] = {"x": 1 - c, "y": 0}
    return (net, chips.Machine(chip, 2, 1, wrap=False), MappingOptions(1, "sequential", pins),
            RunOptions(duration_ms=2.0, timestep_ms=0.1, fidelity="timed",
                       traffic_window_ms=1.0, fabric_domains=2))


def one_crossing():
    """One packet that reaches the far chip's router exactly one lookahead after leaving."""
    return line_of_two({0: (0.0,), 1: ()})


def crossing_both_ways():
    """Two packets at the same times on both sides, each bound for the other chip."""
    return line_of_two({0: (0.0,), 1: (0.0,)})


def idle_stretch():
    """Spikes at the start and near the end of a batch of ten ticks, none between."""
    return line_of_two({0: (0.0, 0.8), 1: ()}, delay_ticks=10)


def one_chip():
    """A balanced network on one SpiNNaker2 chip (about 20 cores), at timed fidelity."""
    net = Network("one-chip")
    noise = net.add_population("noise", 200, SpikeSourcePoisson(rate_hz=40.0))
    exc = net.add_population("exc", 400, IFCurrExp(tau_syn_e_ms=2.0),
                             initial={"v": Uniform(-65.0, -50.0)}, record=["v"])
    inh = net.add_population("inh", 100, IFCurrExp(), initial={"v": Uniform(-65.0, -50.0)})
    for post in (exc, inh):
        net.connect(noise, post, FixedProbability(0.1), weight=1.5, delay_ticks=Uniform(1, 3))
        net.connect(exc, post, FixedProbability(0.05), weight=0.4, delay_ticks=2)
        net.connect(inh, post, FixedProbability(0.05), weight=-1.0, receptor="inhibitory")
    return net, chips.spinnaker2(), MappingOptions(32, "sequential"), \
        RunOptions(duration_ms=30.0, timestep_ms=0.1, fidelity="timed", seed=4,
                   traffic_window_ms=1.0)


def helper_cores():
    """Split synapse cores and delay-extension cores on four chips: packets to synapse
    cores, re-sent packets from delay cores, both across ranks and fabric domains."""
    return (delayed_network(), small_machine(),
            MappingOptions(16, "spread", synapse_cores=2, delay_extensions=True),
            RunOptions(duration_ms=20.0, timestep_ms=0.1, fidelity="timed", seed=2))


def bursts():
    """400 sources fire in each of 30 ticks and the delays are 25 ticks, so that a batch
    (25 ticks) holds 25 events a source: more than the functional exchange's buffers keep
    (four ticks of events) and, sent to another rank, more rows than a shared-memory
    mailbox holds."""
    net = Network("bursts")
    times = tuple(0.1 * t for t in range(30))
    sources = net.add_population("sources", 400, SpikeSourceArray(tuple(times for _ in
                                                                          range(400))))
    cells = net.add_population("cells", 48, LIF(tau_refrac_ms=0.0))
    net.connect(sources, cells, FixedProbability(0.1), weight=Uniform(0.01, 0.09),
                delay_ticks=25)
    return net, chips.spinnaker2(2, 2), MappingOptions(50, "spread"), \
        RunOptions(duration_ms=8.0, timestep_ms=0.1, fidelity="functional",
                   traffic_window_ms=8.0)


def timed_bursts():
    """`bursts` at timed fidelity: each rank's 10,000 spikes of a batch outgrow the domain's
    shared-memory boxes (4096 spikes), so the batch is shared by MPI."""
    network, machine, mapping, run = bursts()
    return network, machine, mapping, replace(run, fidelity="timed")


SCENARIOS = {"failing": failing, "congested": congested, "interrupting": interrupting,
             "one_crossing": one_crossing, "crossing_both_ways": crossing_both_ways,
             "idle_stretch": idle_stretch, "one_chip": one_chip, "helper_cores": helper_cores,
             "bursts": bursts, "timed_bursts": timed_bursts}


def scenario(name: str, *changes: str):
    """The scenario `name` with `RunOptions` fields replaced by KEY=VALUE pairs."""
    network, machine, mapping, run = SCENARIOS[name]()
    pairs = dict(change.split("=") for change in changes)
    return network, machine, mapping, replace(run, **{k: int(v) for k, v in pairs.items()})


def main() -> int:
    name, out = sys.argv[1:3]
    comm = world()
    with all_ranks_end_on_failure(comm), StopRequest().listening() as stop:
        network, machine, mapping, run = scenario(name, *sys.argv[3:])
        result = simulate(network, machine, run, mapping, comm=comm, stop=stop)
        if result is not None and result.attributes["duration_ticks"] > 0:
            result.save(out)
    return 0


if __name__ == "__main__":
    np.seterr(all="raise")
    sys.exit(main())
