"""What neurochip cannot honour is refused in one sentence naming the construct and what
to use instead, never approximated silently."""

import pytest
from pyNN.connectors import DistanceDependentProbabilityConnector

import simulator.pynn as sim
from simulator import ConfigError, MappingError
from simulator.pynn import Unsupported


def setup(**extra):
    sim.setup(timestep=0.1, min_delay=0.1, fidelity="functional", **extra)


def one_sentence(error) -> str:
    message = str(error.value)
    assert "\n" not in message and message.count(". ") == 0, message
    return message


@pytest.mark.parametrize("name, hint", [
    ("IF_cond_exp", "use IF_curr_exp"), ("Izhikevich", "use IF_curr_exp"),
    ("SpikeSourceGamma", "use SpikeSourcePoisson"), ("DCSource", "i_offset"),
    ("DistanceDependentProbabilityConnector", "FromListConnector"),
    ("PointNeuron", "use a standard cell type")])
def test_missing_models_are_refused_by_name(name, hint):
    with pytest.raises(Unsupported, match=f"sim.{name} is not supported by neurochip.*{hint}") \
            as error:
        getattr(sim, name)
    one_sentence(error)
    assert not hasattr(sim, name)


def cells(**parameters):
    return sim.Population(3, sim.IF_curr_exp(**parameters), label="cells")


CASES = {
    "plastic synapse": (lambda: sim.STDPMechanism(), "static synapses only"),
    "short-term plasticity": (lambda: sim.TsodyksMarkramSynapse(U=0.5),
                              "static synapses only; use StaticSynapse"),
    "parameters differing across neurons": (
        lambda: (cells(tau_m=[10.0, 20.0, 30.0]), sim.run(1.0)),
        "cells'.tau_m: values that differ across neurons are not supported.*split"),
    "random parameters": (
        lambda: (cells(tau_m=sim.RandomDistribution("uniform", low=10.0, high=20.0)),
                 sim.run(1.0)), "a random value per neuron is not supported"),
    "weights of both signs": (
        lambda: sim.Projection(cells(), cells(), sim.AllToAllConnector(), sim.StaticSynapse(
            weight=sim.RandomDistribution("uniform", low=-1.0, high=1.0))),
        "weights of both signs .* split it into an excitatory and an inhibitory projection"),
    "delay below a timestep": (
        lambda: sim.Projection(cells(), cells(), sim.AllToAllConnector(),
                               sim.StaticSynapse(weight=0.1, delay=0.04)),
        "a delay of 0.04 ms is below one timestep"),
    "normal_clipped": (
        lambda: (sim.Projection(cells(), cells(), sim.AllToAllConnector(), sim.StaticSynapse(
            weight=sim.RandomDistribution("normal_clipped", mu=0.5, sigma=0.1, low=0.0,
                                          high=1.0))), sim.run(1.0)),
        "normal_clipped redraws .* use 'normal_clipped_to_boundary'"),
    "distance-dependent connector": (
        lambda: sim.Projection(cells(), cells(), DistanceDependentProbabilityConnector("d<1")),
        "DistanceDependentProbabilityConnector is not supported; use one of"),
    "distance-dependent weights": (
        lambda: sim.Projection(cells(), cells(), sim.AllToAllConnector(),
                               sim.StaticSynapse(weight=lambda d: 0.1 * d)),
        "values given as a function .* are not supported"),
    "current source": (lambda: cells().inject(object()), "current sources are not supported"),
    "Poisson start": (
        lambda: (sim.Population(2, sim.SpikeSourcePoisson(rate=5.0, start=10.0)),
                 sim.run(1.0)), "start and duration .* are not supported"),
    "spike at t = 0": (
        lambda: (sim.Population(1, sim.SpikeSourceArray(spike_times=[0.0, 5.0])),
                 sim.run(1.0)), "the first possible time is one timestep"),
    "two spikes in a tick": (
        lambda: (sim.Population(1, sim.SpikeSourceArray(spike_times=[4.95, 5.0])),
                 sim.run(1.0)), "two spikes in one timestep"),
    "unknown setup option": (lambda: setup(n_cores=4), "n_cores is not an option"),
    "off-grid spikes": (lambda: setup(spike_precision="off_grid"), "must be 'on_grid'"),
    "a run off the grid": (lambda: (cells(), sim.run(1.05)), "whole number of timesteps"),
}


@pytest.mark.parametrize("case", CASES)
def test_refused_in_one_sentence(case):
    setup()
    make, message = CASES[case]
    with pytest.raises(Unsupported, match=message) as error:
        make()
    one_sentence(error)
    assert isinstance(error.value, ConfigError)


@pytest.mark.parametrize("change", [
    lambda p, q: p.set(tau_m=12.0), lambda p, q: p.initialize(v=-60.0),
    lambda p, q: sim.Population(2, sim.IF_curr_exp()),
    lambda p, q: sim.Projection(q, p, sim.OneToOneConnector()),
    lambda p, q: p.record("v")])
def test_changes_between_runs_need_a_reset(change):
    setup()
    p, q = cells(), cells()
    p.record("spikes")
    sim.run(5.0)
    with pytest.raises(Unsupported, match="after run.. would change the network in the "
                       "middle of a simulation.*call sim.reset.. first") as error:
        change(p, q)
    one_sentence(error)
    sim.reset()
    change(p, q)
    sim.run(5.0)


def test_poisson_sources_after_reset_are_refused_not_repeated():
    setup()
    noise = sim.Population(4, sim.SpikeSourcePoisson(rate=100.0))
    noise.record("spikes")
    sim.run(20.0)
    assert sum(len(t) for t in noise.get_data().segments[0].spiketrains) > 0
    sim.reset()
    with pytest.raises(Unsupported, match="Poisson sources would repeat the spikes") as error:
        sim.run(20.0)
    one_sentence(error)


def test_a_network_that_does_not_fit_is_a_mapping_error():
    import chips
    setup(machine=chips.spinnaker2(1, 1), neurons_per_core=1)
    sim.Population(200, sim.IF_curr_exp())
    with pytest.raises(MappingError, match="core") as error:
        sim.run(1.0)
    assert "\n" not in str(error.value)
    assert sim.get_current_time() == 0.0


def test_unordered_spike_times_are_refused_as_pynn_requires():
    from pyNN.errors import InvalidParameterValueError
    setup()
    with pytest.raises(InvalidParameterValueError, match="increasing order"):
        sim.Population(2, sim.SpikeSourceArray(spike_times=[[2.4, 4.8], [3.5, 9.6, 8.3]]))


def test_pynn_own_scenarios_pass_or_are_refused_never_fail():
    """benchmarks/pynn_scenarios.py ran PyNN's test/system/scenarios on this backend: each
    one passed or stopped at a one-sentence refusal; those of simulation control pass."""
    import json

    from .helpers import REPO
    stored = json.loads((REPO / "benchmarks/results/pynn_scenarios.json").read_text())
    scenarios = stored["figures"]["scenarios"]
    assert len(scenarios) > 50
    assert {c["outcome"] for c in scenarios.values()} <= {"passed", "refused", "skipped"}
    for name in ("test_reset", "test_reset_with_clear", "test_reset_with_spikes",
                 "test_setup"):
        assert scenarios[f"test__simulation_control::{name}[neurochip]"]["outcome"] == \
            "passed"
    for case in scenarios.values():
        if case["outcome"] == "refused":
            assert "not supported" in case["reason"] or "neurochip" in case["reason"]
