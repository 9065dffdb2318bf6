"""Scenarios for the MPI tests: `mpiexec -n N python -m tests.mpi_run NAME OUT.h5`."""

import os
import signal
import sys
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from networks import LIF, Network, OneToOne, SpikeSourcePoisson
from networks.models import ModelGroup, NeuronModel
from simulator import MappingOptions, RunOptions, simulate
from simulator.distribution import all_ranks_end_on_failure, world
from simulator.interrupt import StopRequest

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
    import chips
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
    import chips
    net = Network("interrupting")
    source = net.add_population("source", 6, InterruptsItself())
    cells = net.add_population("cells", 6, LIF(), record=["v"])
    net.connect(source, cells, OneToOne(), weight=0.5)
    return net, chips.spinnaker2(2, 1), MappingOptions(3, "spread"), \
        RunOptions(duration_ms=100.0, timestep_ms=0.1, traffic_window_ms=10.0)


SCENARIOS = {"failing": failing, "congested": congested, "interrupting": interrupting}


def main() -> int:
    name, out = sys.argv[1:3]
    comm = world()
    with all_ranks_end_on_failure(comm), StopRequest().listening() as stop:
        network, machine, mapping, run = SCENARIOS[name]()
        result = simulate(network, machine, run, mapping, comm=comm, stop=stop)
        if result is not None and result.attributes["duration_ticks"] > 0:
            result.save(out)
    return 0


if __name__ == "__main__":
    np.seterr(all="raise")
    sys.exit(main())
