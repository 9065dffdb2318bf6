"""A PyNN script for the MPI test: `mpiexec -n N python -m tests.pynn_mpi_script OUT.npz`
writes the spikes of every population (rank 0) and the ranks' view of the data."""

import sys

import numpy as np

import simulator.pynn as sim


def build_and_run(fidelity: str):
    rank = sim.setup(timestep=0.1, min_delay=0.1, rng_seed=7, fidelity=fidelity)
    noise = sim.Population(60, sim.SpikeSourcePoisson(rate=80.0), label="noise")
    exc = sim.Population(200, sim.IF_curr_exp(tau_refrac=2.0), label="exc")
    inh = sim.Population(50, sim.IF_curr_exp(tau_refrac=2.0), label="inh")
    exc.initialize(v=sim.RandomDistribution("uniform", low=-65.0, high=-55.0))
    sim.Projection(noise, exc + inh, sim.FixedProbabilityConnector(0.2),
                   sim.StaticSynapse(weight=0.6, delay=sim.RandomDistribution(
                       "uniform", low=0.1, high=2.0)))
    sim.Projection(exc, inh, sim.FixedNumberPreConnector(10), sim.StaticSynapse(weight=0.3))
    sim.Projection(inh, exc, sim.FixedProbabilityConnector(0.1),
                   sim.StaticSynapse(weight=-0.4, delay=0.5), receptor_type="inhibitory")
    for pop in (noise, exc, inh):
        pop.record("spikes")
    exc[:3].record("v")
    sim.run(60.0)
    out = {}
    for pop in (noise, exc, inh):
        trains = pop.get_data().segments[0].spiketrains
        out[f"{pop.label}_times"] = np.concatenate([t.magnitude for t in trains])
        out[f"{pop.label}_ids"] = np.concatenate([np.full(len(t), k) for k, t in
                                                  enumerate(trains)])
    out["v"] = exc.get_data().segments[0].analogsignals[0].magnitude
    if rank == 0:
        out["link_packets"] = sim.result().datasets["traffic/link_packets"]
    out["n_processes"] = np.array(sim.num_processes())
    sim.end()
    return rank, out


if __name__ == "__main__":
    rank, out = build_and_run(sys.argv[2] if len(sys.argv) > 2 else "timed")
    np.savez(sys.argv[1].replace(".npz", f".rank{rank}.npz"), **out)
