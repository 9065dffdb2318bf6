"""PyNN backend: connectors, weights and delays (numbers, arrays, random distributions),
views and assemblies, initial values; each checked against what the connector promises
and against what the simulation then does (delta synapses show each weight and delay as a
jump of v)."""

import numpy as np
import pytest

import simulator.pynn as sim

SPIKE_MS = 1.0


def setup():
    sim.setup(timestep=0.1, min_delay=0.1, fidelity="functional")


def test_all_to_all_without_self_connections():
    setup()
    p = sim.Population(5, sim.IF_curr_exp())
    prj = sim.Projection(p, p, sim.AllToAllConnector(allow_self_connections=False),
                         sim.StaticSynapse(weight=0.1, delay=0.5))
    weights = prj.get("weight", format="array")
    assert np.isnan(np.diag(weights)).all() and len(prj) == 20 == prj.size()
    assert np.all(weights[~np.eye(5, dtype=bool)] == np.float32(0.1))
    assert {d for (_, _, d) in prj.get("delay", format="list")} == {0.5}


@pytest.mark.parametrize("replacement", [False, True])
def test_fixed_number_pre_and_post(replacement):
    setup()
    pre, post = sim.Population(30, sim.IF_curr_exp()), sim.Population(20, sim.IF_curr_exp())
    into = sim.Projection(pre, post, sim.FixedNumberPreConnector(7,
                                                                 with_replacement=replacement))
    out = sim.Projection(pre, post, sim.FixedNumberPostConnector(4,
                                                                 with_replacement=replacement))
    into_pairs = np.array(into.get("weight", format="list"))[:, :2].astype(int)
    out_pairs = np.array(out.get("weight", format="list"))[:, :2].astype(int)
    assert np.all(np.bincount(into_pairs[:, 1], minlength=20) == 7)
    assert np.all(np.bincount(out_pairs[:, 0], minlength=30) == 4)
    if not replacement:
        assert len(np.unique(into_pairs, axis=0)) == 7 * 20
        assert len(np.unique(out_pairs, axis=0)) == 4 * 30


def delta_cells(n):
    """IF_curr_delta cells at rest with a slow leak, so that v shows every input as a jump."""
    return sim.Population(n, sim.IF_curr_delta(tau_m=1e6, v_rest=-65.0, v_thresh=0.0),
                          label="cells")


def jumps(cells, duration):
    """(time of the first jump, size of the jump) of every cell's v."""
    sim.run(duration)
    v = cells.get_data().segments[0].analogsignals[0].magnitude
    step = np.diff(v, axis=0)
    first = np.argmax(np.abs(step) > 1e-6, axis=0)
    return (first + 1) * 0.1, step[first, np.arange(v.shape[1])]


def test_weights_and_delays_drawn_from_distributions_are_the_ones_simulated():
    setup()
    source = sim.Population(1, sim.SpikeSourceArray(spike_times=[SPIKE_MS]))
    cells = delta_cells(40)
    cells.record("v")
    syn = sim.StaticSynapse(weight=sim.RandomDistribution("uniform", low=0.5, high=2.0),
                            delay=sim.RandomDistribution("uniform", low=0.1, high=3.0))
    prj = sim.Projection(source, cells, sim.AllToAllConnector(), syn)
    listed = np.array(prj.get(["weight", "delay"], format="list"))
    assert len(np.unique(listed[:, 2])) == 40 and listed[:, 2].min() >= 0.5
    assert np.allclose(np.rint(listed[:, 3] / 0.1) * 0.1, listed[:, 3])
    when, size = jumps(cells, 5.0)
    np.testing.assert_allclose(when, SPIKE_MS + listed[:, 3], atol=1e-9)
    np.testing.assert_allclose(size, listed[:, 2], rtol=1e-6)


def test_weight_arrays_and_set_are_the_ones_simulated():
    setup()
    source = sim.Population(2, sim.SpikeSourceArray(spike_times=[[SPIKE_MS], [3.0]]))
    cells = delta_cells(3)
    cells.record("v")
    weights = np.array([[0.5, 0.25, 1.5]])
    exc = sim.Projection(source[[0]], cells, sim.AllToAllConnector(),
                         sim.StaticSynapse(weight=weights, delay=0.2))
    inh = sim.Projection(source[[1]], cells, sim.AllToAllConnector(),
                         sim.StaticSynapse(weight=-0.1, delay=0.2),
                         receptor_type="inhibitory")
    inh.set(weight=np.array([[-0.7, -0.2, -0.9]]))
    assert np.allclose(exc.get("weight", format="array"), weights, rtol=1e-7)
    assert np.allclose(inh.get("weight", format="array"), [[-0.7, -0.2, -0.9]], rtol=1e-7)
    sim.run(5.0)
    v = cells.get_data().segments[0].analogsignals[0].magnitude
    before, after_exc, after_inh = v[int(SPIKE_MS / 0.1) + 1], v[int(SPIKE_MS / 0.1) + 2], \
        v[int(3.0 / 0.1) + 2]
    np.testing.assert_allclose(after_exc - before, [0.5, 0.25, 1.5], atol=1e-5)
    np.testing.assert_allclose(after_inh - after_exc, [-0.7, -0.2, -0.9], atol=1e-5)


def test_from_list_and_array_connectors():
    setup()
    pre, post = sim.Population(4, sim.IF_curr_exp()), sim.Population(3, sim.IF_curr_exp())
    listed = sim.Projection(pre, post, sim.FromListConnector(
        [(0, 1, 0.3, 0.5), (3, 2, 0.4, 1.2), (0, 0, 0.1, 0.1)],
        column_names=["weight", "delay"]))
    np.testing.assert_allclose(sorted(listed.get(["weight", "delay"], format="list")),
                               [(0, 0, 0.1, 0.1), (0, 1, 0.3, 0.5), (3, 2, 0.4, 1.2)],
                               rtol=1e-7)
    mask = np.array([[1, 0, 0], [0, 1, 1], [0, 0, 0], [1, 1, 1]], dtype=bool)
    array = sim.Projection(pre, post, sim.ArrayConnector(mask), sim.StaticSynapse(weight=0.2))
    assert np.array_equal(~np.isnan(array.get("weight", format="array")), mask)
    clone = sim.Projection(pre, post, sim.CloneConnector(array), sim.StaticSynapse(weight=0.6))
    assert np.array_equal(~np.isnan(clone.get("weight", format="array")), mask)


def test_views_and_assemblies_connect_the_neurons_they_select():
    setup()
    source = sim.Population(4, sim.SpikeSourceArray(spike_times=[[1.0], [2.0], [3.0], [4.0]]))
    a, b = delta_cells(4), sim.Population(2, sim.IF_curr_delta(tau_m=1e6, v_thresh=0.0))
    a.record("v")
    b.record("v")
    sim.Projection(source[[1, 3]], a[[0, 2]], sim.OneToOneConnector(),
                   sim.StaticSynapse(weight=1.0, delay=0.1))
    both = sim.Projection(source[[0]], a[[3]] + b, sim.AllToAllConnector(),
                          sim.StaticSynapse(weight=2.0, delay=0.1))
    assert both.size() == 3
    when, size = jumps(a, 6.0)
    np.testing.assert_allclose(size, [1.0, 0.0, 1.0, 2.0], atol=1e-6)
    np.testing.assert_allclose(when[[0, 2, 3]], [2.1, 4.1, 1.1], atol=1e-9)
    v_b = b.get_data().segments[0].analogsignals[0].magnitude
    np.testing.assert_allclose(v_b[-1] - v_b[0], [2.0, 2.0], atol=1e-3)


def test_initialize_with_arrays_whole_and_through_a_view():
    setup()
    cells = sim.Population(5, sim.IF_curr_exp(tau_m=10.0, v_rest=-65.0), label="cells")
    cells.initialize(v=np.linspace(-70.0, -60.0, 5))
    cells[[1, 3]].initialize(v=-50.5)
    cells.record("v")
    sim.run(2.0)
    v = cells.get_data().segments[0].analogsignals[0].magnitude
    v0 = np.array([-70.0, -50.5, -65.0, -50.5, -60.0])
    np.testing.assert_array_equal(v[0], v0)
    t = np.arange(21)[:, None] * 0.1
    np.testing.assert_allclose(v, -65.0 + (v0 + 65.0) * np.exp(-t / 10.0), atol=1e-9)


def test_same_spikes_as_the_network_built_with_neurochips_own_api():
    """Poisson sources, fixed in-degree, random weights, delays and initial values: the
    PyNN script and the same network written with networks.Network give the same spikes."""
    import networks
    from simulator import MappingOptions, RunOptions, simulate

    sim.setup(timestep=0.1, min_delay=0.1, rng_seed=11, fidelity="timed")
    noise = sim.Population(50, sim.SpikeSourcePoisson(rate=150.0), label="noise")
    cells = sim.Population(120, sim.IF_curr_delta(tau_m=15.0, tau_refrac=2.0, v_rest=-65.0,
                                                  v_reset=-68.0, v_thresh=-55.0),
                           label="cells")
    cells.initialize(v=sim.RandomDistribution("uniform", low=-66.0, high=-56.0))
    sim.Projection(noise, cells, sim.FixedNumberPreConnector(8), sim.StaticSynapse(
        weight=sim.RandomDistribution("uniform", low=0.5, high=1.5),
        delay=sim.RandomDistribution("uniform", low=0.1, high=2.0)))
    sim.Projection(cells, cells, sim.FixedProbabilityConnector(0.1), sim.StaticSynapse(
        weight=sim.RandomDistribution("uniform", low=0.2, high=0.8), delay=1.0),
        receptor_type="inhibitory")
    sim.run(200.0)
    mine = sim.result()
    sim.end()

    net = networks.Network("own")
    own_noise = net.add_population("noise", 50, networks.SpikeSourcePoisson(rate_hz=150.0))
    own_cells = net.add_population("cells", 120, networks.LIF(
        tau_m_ms=15.0, tau_refrac_ms=2.0, v_rest_mv=-65.0, v_reset_mv=-68.0,
        v_thresh_mv=-55.0), initial={"v": networks.Uniform(-66.0, -56.0)})
    net.connect(own_noise, own_cells, networks.FixedInDegree(8),
                weight=networks.Uniform(0.5, 1.5), delay_ticks=networks.Uniform(1.0, 20.0))
    net.connect(own_cells, own_cells, networks.FixedProbability(0.1),
                weight=networks.Uniform(-0.8, -0.2), delay_ticks=10, receptor="inhibitory")
    own = simulate(net, sim.control._machine(None),
                   RunOptions(duration_ms=200.0, timestep_ms=0.1, fidelity="timed", seed=11),
                   MappingOptions())
    for name in ("noise", "cells"):
        assert len(own.spikes(name)[0]) > 200
        for mine_array, own_array in zip(mine.spikes(name), own.spikes(name)):
            np.testing.assert_array_equal(mine_array, own_array)
