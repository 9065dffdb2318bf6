"""A synfire chain written as sPyNNaker scripts are: ten populations of 100 IF_curr_exp
cells in a ring, a spike source that starts the wave, 100 neurons a core.

On a SpiNNaker machine this runs with `import pyNN.spiNNaker as sim`; here the one line
that changes is the import below (docs/pynn.md).
"""

import simulator.pynn as sim

n_neurons = 100
n_populations = 10
weight_to_spike = 2.0
delay = 17

sim.setup(timestep=1.0)
sim.set_number_of_neurons_per_core(sim.IF_curr_exp, 100)

cell_params = {"cm": 0.25, "i_offset": 0.0, "tau_m": 20.0, "tau_refrac": 2.0,
               "tau_syn_E": 5.0, "tau_syn_I": 5.0, "v_reset": -70.0, "v_rest": -65.0,
               "v_thresh": -50.0}

populations = [sim.Population(n_neurons, sim.IF_curr_exp(**cell_params), label=f"pop_{i}")
               for i in range(n_populations)]
stimulus = sim.Population(1, sim.SpikeSourceArray(spike_times=[1.0]), label="stimulus")

one_to_one = [(i, i, weight_to_spike, delay) for i in range(n_neurons)]
for i in range(n_populations):
    sim.Projection(populations[i], populations[(i + 1) % n_populations],
                   sim.FromListConnector(one_to_one), receptor_type="excitatory")
sim.Projection(stimulus, populations[0], sim.AllToAllConnector(),
               sim.StaticSynapse(weight=weight_to_spike, delay=1), receptor_type="excitatory")

for population in populations:
    population.record("spikes")
populations[0].record("v")

sim.run(2000)

spikes = [p.get_data("spikes").segments[0].spiketrains for p in populations]
v = populations[0].get_data("v").segments[0].analogsignals[0]
result = sim.result()
sim.end()

if __name__ == "__main__":
    for i, trains in enumerate(spikes):
        first = min((t[0] for t in trains if len(t)), default=None)
        print(f"pop_{i}: {sum(len(t) for t in trains)} spikes, first at {first}")
    print("inter-chip packets per link:", result.datasets["traffic/link_packets"].sum(axis=0))
