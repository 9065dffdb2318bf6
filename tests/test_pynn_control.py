"""PyNN backend: setup, run, run_until, reset and end behave as PyNN's own system scenarios
(test/system/scenarios/test__simulation_control.py) require of every backend, written here
for neurochip (PyNN's installed package does not ship its tests)."""

import numpy as np
import pytest
from numpy.testing import assert_array_equal

import simulator.pynn as sim


def test_reset_repeats_the_run_in_a_new_segment():
    sim.setup(timestep=1.0, min_delay=1.0)
    p = sim.Population(1, sim.IF_curr_exp(i_offset=0.1))
    p.record("v")
    for _ in range(3):
        sim.run(10.0)
        sim.reset()
    data = p.get_data(clear=False)
    sim.end()
    assert len(data.segments) == 3
    first = data.segments[0].analogsignals[0]
    assert first.shape == (11, 1) and first[-1, 0] > first[0, 0]   # it charges
    for segment in data.segments[1:]:
        assert_array_equal(segment.analogsignals[0].magnitude, first.magnitude)


def test_reset_with_clear_gives_one_segment_each_time():
    sim.setup(timestep=1.0, min_delay=1.0)
    p = sim.Population(1, sim.IF_curr_exp(i_offset=0.1))
    p.record("v")
    blocks = []
    for _ in range(3):
        sim.run(10.0)
        blocks.append(p.get_data(clear=True))
        sim.reset()
    sim.end()
    for block in blocks:
        assert len(block.segments) == 1
        assert_array_equal(block.segments[0].analogsignals[0].magnitude,
                           blocks[0].segments[0].analogsignals[0].magnitude)


def test_reset_with_input_spikes_repeats_the_same_trace():
    sim.setup(timestep=0.1, min_delay=0.1)
    source = sim.Population(2, sim.SpikeSourceArray(spike_times=[[1.2, 3.8, 9.2],
                                                                [1.5, 1.9, 2.7, 4.8, 6.8]]))
    cells = sim.Population(2, sim.IF_curr_exp())
    cells.record("v")
    sim.Projection(source, cells, sim.AllToAllConnector(),
                   sim.StaticSynapse(weight=0.5, delay=0.5))
    for _ in range(3):
        sim.run(10.0)
        sim.reset()
    data = cells.get_data()
    sim.end()
    v = [segment.analogsignals[0].magnitude for segment in data.segments]
    assert len(v) == 3 and v[0].max() > -65.0 + 1.0
    for other in v[1:]:
        assert_array_equal(other, v[0])


def test_setup_again_builds_the_same_network_from_scratch():
    traces = []
    for _ in range(3):
        sim.setup(timestep=1.0, min_delay=1.0)
        p = sim.Population(1, sim.IF_curr_exp(i_offset=0.1))
        p.record("v")
        sim.run(10.0)
        block = p.get_data()
        assert len(block.segments) == 1 and len(block.segments[0].analogsignals) == 1
        traces.append(block.segments[0].analogsignals[0].magnitude)
        sim.end()
    for trace in traces[1:]:
        assert_array_equal(trace, traces[0])


def test_run_until_moves_time_forward_and_refuses_the_past():
    sim.setup(timestep=0.1)
    sim.Population(1, sim.IF_curr_exp())
    sim.run_until(12.7)
    assert sim.get_current_time() == pytest.approx(12.7)
    sim.run_until(12.7)
    assert sim.get_current_time() == pytest.approx(12.7)
    sim.run_until(99.9)
    assert sim.get_current_time() == pytest.approx(99.9)
    with pytest.raises(ValueError):
        sim.run_until(88.8)
    sim.end()


def noisy_network(seed=0):
    sim.setup(timestep=0.1, min_delay=0.1, rng_seed=seed, fidelity="functional")
    noise = sim.Population(20, sim.SpikeSourcePoisson(rate=200.0), label="noise")
    cells = sim.Population(30, sim.IF_curr_exp(tau_refrac=2.0), label="cells")
    cells.initialize(v=sim.RandomDistribution("uniform", low=-65.0, high=-55.0))
    sim.Projection(noise, cells, sim.FixedProbabilityConnector(0.3),
                   sim.StaticSynapse(weight=0.8, delay=0.3))
    sim.Projection(cells, cells, sim.FixedNumberPreConnector(3),
                   sim.StaticSynapse(weight=sim.RandomDistribution("uniform", low=-0.4,
                                                                   high=-0.1), delay=1.0),
                   receptor_type="inhibitory")
    cells.record("spikes")
    return cells


def spikes_of(population):
    trains = population.get_data().segments[0].spiketrains
    return [np.asarray(t.magnitude) for t in trains]


def test_two_runs_give_the_spikes_of_one_run_of_the_total_time():
    cells = noisy_network()
    sim.run(30.0)
    sim.run(20.0)
    assert sim.get_current_time() == pytest.approx(50.0)
    split = spikes_of(cells)
    cells = noisy_network()
    sim.run(50.0)
    whole = spikes_of(cells)
    assert sum(len(t) for t in whole) > 20
    for a, b in zip(split, whole):
        assert_array_equal(a, b)


def test_the_seed_changes_the_draws_and_repeats_them():
    runs = {}
    for seed in (0, 0, 1):
        cells = noisy_network(seed)
        sim.run(50.0)
        runs.setdefault(seed, []).append(np.concatenate(spikes_of(cells)))
    assert_array_equal(runs[0][0], runs[0][1])
    assert len(runs[1][0]) != len(runs[0][0]) or not np.array_equal(runs[1][0], runs[0][0])
