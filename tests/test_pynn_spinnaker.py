"""sPyNNaker's extensions (neurons per core, fixed locations) and neurochip's result after
`run`; the sPyNNaker-style example of docs/pynn.md, with its wave timed against the exact
solution of the cell's equations."""

import math
import runpy

import numpy as np
import pytest

import chips
import simulator.pynn as sim

from .helpers import REPO


def first_crossing_ms(weight_na, cm_nf, tau_m, tau_syn, gap_mv):
    """When v, at rest until a current jump of `weight_na` decaying with `tau_syn`, has risen
    by `gap_mv` (bisection on the closed-form response)."""
    scale = weight_na / cm_nf * tau_m * tau_syn / (tau_m - tau_syn)
    rise = lambda t: scale * (math.exp(-t / tau_m) - math.exp(-t / tau_syn)) - gap_mv  # noqa
    low, high = 0.0, tau_m
    for _ in range(100):
        middle = (low + high) / 2
        low, high = (middle, high) if rise(middle) < 0 else (low, middle)
    return high


def test_the_synfire_example_runs_with_only_its_import_changed():
    text = (REPO / "examples" / "pynn" / "synfire.py").read_text()
    assert "import simulator.pynn as sim" in text and "pyNN.spiNNaker" in text
    example = runpy.run_path(str(REPO / "examples" / "pynn" / "synfire.py"))
    # the current of a spike moves v from the tick after it arrives; a cell fires at the
    # end of the first tick where v crosses threshold
    latency = math.ceil(first_crossing_ms(2.0, 0.25, 20.0, 5.0, 15.0))
    assert latency == 3
    start = 1.0 + 1 + latency                      # stimulus at 1 ms, delay 1 ms
    period = example["delay"] + latency
    for i, trains in enumerate(example["spikes"]):
        times = np.concatenate([t.magnitude for t in trains])
        assert len(times) == 100 * 10
        expected = start + period * (i + np.arange(10) * 10)
        np.testing.assert_array_equal(np.unique(times), expected)
    placements = example["result"].datasets["mapping/placements"]
    assert len(placements) == 11 and (placements["slice_stop"] - placements["slice_start"]
                                      ).max() == 100


def test_neurons_per_core_and_fixed_locations_shape_the_mapping():
    sim.setup(timestep=0.1, fidelity="functional", machine=chips.spinnaker2(2, 2))
    sim.set_number_of_neurons_per_core(sim.IF_curr_exp, 30)
    a = sim.Population(100, sim.IF_curr_exp(), label="a")
    b = sim.Population(100, sim.IF_curr_exp(), label="b")
    c = sim.Population(90, sim.IF_curr_delta(), label="c",
                       additional_parameters={"max_atoms_per_core": 45})
    b.set_max_atoms_per_core(12)
    b.set_fixed_location(1, 1)
    c[0:10].add_placement_constraint(0, 1)
    d = sim.Population(10, sim.IF_curr_exp(), label="d")
    d.set_fixed_location(1, 0, 7)  # an application core (0..3 are reserved)
    assert (a.max_atoms_per_core, b.neurons_per_core, c.max_atoms_per_core) == (None, 12, 45)
    sim.Projection(a, b, sim.FixedProbabilityConnector(0.1), sim.StaticSynapse(weight=0.1))
    sim.run(5.0)
    placements = sim.result().datasets["mapping/placements"]
    size = placements["slice_stop"] - placements["slice_start"]
    name = placements["population"]
    assert (name == "a").sum() == 4 and size[name == "a"].max() <= 30
    assert (name == "b").sum() == 9 and size[name == "b"].max() <= 12
    assert (name == "c").sum() == 2
    assert np.all(placements["chip_x"][name == "b"] == 1) and \
        np.all(placements["chip_y"][name == "b"] == 1)
    assert np.all(placements["chip_x"][name == "c"] == 0) and \
        np.all(placements["chip_y"][name == "c"] == 1)
    assert placements["core"][name == "d"].tolist() == [7]
    assert (placements["chip_x"][name == "d"], placements["chip_y"][name == "d"]) == (1, 0)
    sim.end()


def test_result_gives_traffic_and_the_fit_report():
    sim.setup(timestep=0.1, mapping=sim.MappingOptions(neurons_per_core=20, placer="spread"))
    noise = sim.Population(40, sim.SpikeSourcePoisson(rate=100.0), label="noise")
    cells = sim.Population(80, sim.IF_curr_exp(), label="cells")
    sim.Projection(noise, cells, sim.FixedProbabilityConnector(0.5),
                   sim.StaticSynapse(weight=0.5, delay=1.0))
    with pytest.raises(sim.Unsupported, match="needs a run first"):
        sim.result()
    noise.record("spikes")
    sim.run(50.0)
    result = sim.result()
    spikes = sum(len(t) for t in noise.get_data().segments[0].spiketrains)
    assert result.attributes["fidelity"] == "timed" and result.attributes["seed"] == 0
    assert result.group_attributes["mapping"]["fits"]
    # every noise spike leaves its core once, as one packet, whatever its fan-out
    assert result.datasets["traffic/router_packets"].sum() >= spikes > 0
    assert result.datasets["traffic/link_packets"].sum() > 0
    # the machine's energy: the parts per chip add up to the whole, over 50 ms of model time
    parts = sum(result.datasets[f"energy/chip_{part}_j"].sum()
                for part in ("baseline", "cores", "routers", "noc", "links"))
    assert result.attributes["energy_j"] == pytest.approx(parts) and parts > 0
    assert result.attributes["mean_power_w"] == pytest.approx(parts / 0.05)
    sim.end()
