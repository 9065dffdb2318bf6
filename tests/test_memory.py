"""The host memory estimate: within 25 % of the peak resident memory measured for the standard
networks (benchmarks/memory_estimate.py stores the measurements), its counts against the
mapping's own, and a run that does not fit refused before anything large is allocated."""

import json

import numpy as np
import pytest

import chips
from benchmarks.memory_estimate import CONFIGS, EXAMPLES, estimate_bytes
from networks import AllToAll, FixedInDegree, FixedProbability, IFCurrExp, Network, OneToOne
from networks import SpikeSourcePoisson
from simulator import MappingError, MappingOptions, RunOptions, cli, map_network
from simulator import memory
from simulator.mapping.slices import partition

from .helpers import REPO
from .test_config import GOOD

MEASURED = json.loads((REPO / "benchmarks" / "results" / "memory_estimate.json").read_text())


def test_every_standard_network_and_recording_case_was_measured():
    cases = MEASURED["figures"]["cases"]
    assert set(cases) == {*EXAMPLES, *CONFIGS}
    assert MEASURED["figures"]["configs"] == CONFIGS


@pytest.mark.parametrize("case", [*EXAMPLES, *CONFIGS])
def test_the_estimate_is_within_25_percent_of_the_measured_peak(case):
    measured = MEASURED["figures"]["cases"][case]["peak_rss_bytes"]
    assert estimate_bytes(case) == pytest.approx(measured, rel=0.25)


def mixed_network():
    net = Network()
    a = net.add_population("a", 900, IFCurrExp())
    b = net.add_population("b", 500, IFCurrExp())
    c = net.add_population("c", 300, IFCurrExp())
    net.connect(a, b, FixedProbability(0.01))
    net.connect(a, b, FixedInDegree(3), receptor="inhibitory")
    net.connect(b, c, AllToAll())
    net.connect(c, a, FixedInDegree(40))
    net.connect(a, a, OneToOne())
    return net


def test_rows_and_slice_pairs_are_those_the_mapping_finds():
    """The estimate's synaptic rows and slice pairs against the edges that mapping builds
    from the synapses themselves."""
    net, machine = mixed_network(), chips.spinnaker2(2, 2)
    options = MappingOptions(50, fit_memory=False)
    mapping = map_network(net, machine, options, seed=4)
    rows, pairs = memory.rows_and_pairs(net, partition(net, 50))
    found_rows, found_pairs = int(mapping.edges.rows.sum()), len(mapping.edges)
    assert rows == pytest.approx(found_rows, rel=0.05)
    # one-to-one pairs are bounded, not counted: the estimate is at least the truth
    assert found_pairs <= pairs <= 1.15 * found_pairs


def test_expected_spikes_are_part_of_the_recording():
    """A Poisson flood: 2,000 sources at 500 Hz for 2 s record 2 million spikes."""
    net = Network()
    net.add_population("flood", 2000, SpikeSourcePoisson(rate_hz=500.0))
    quiet = Network()
    quiet.add_population("flood", 2000, SpikeSourcePoisson(rate_hz=0.0))
    run, machine = RunOptions(duration_ms=2000.0), chips.spinnaker2()
    loud = memory.estimate(net, machine, run, MappingOptions(), 1)
    silent = memory.estimate(quiet, machine, run, MappingOptions(), 1)
    assert loud.recording_bytes - silent.recording_bytes == \
        pytest.approx(2_000_000 * memory.SPIKE_BYTES)
    rated = memory.estimate(mixed_network(), machine, run,
                            MappingOptions(rates_hz={"a": 100.0}, default_rate_hz=0.0), 1)
    assert rated.recording_bytes == pytest.approx(900 * 100.0 * 2.0 * memory.SPIKE_BYTES)


def test_recorded_state_counts_every_tick_of_every_variable():
    net = mixed_network()
    net.record(net.population("b"), ["v", "i_exc"])
    run = RunOptions(duration_ms=50.0, timestep_ms=0.5)
    need = memory.estimate(net, chips.spinnaker2(), run, MappingOptions(default_rate_hz=0.0), 1)
    assert need.recording_bytes == 100 * 500 * 2 * memory.STATE_VALUE_BYTES


def test_a_run_that_does_not_fit_the_host_is_refused_before_mapping(tmp_path, capsys,
                                                                     monkeypatch):
    def never(*args, **kwargs):
        raise AssertionError("mapping started")
    monkeypatch.setattr(memory, "available_bytes", lambda: 100 * 2**20)
    monkeypatch.setattr("simulator.validate.map_network", never)
    monkeypatch.setattr("simulator.run.map_network", never)
    (tmp_path / "net.toml").write_text(GOOD)
    status = cli.main(["run", str(tmp_path / "net.toml"), "--out", str(tmp_path / "r.h5")])
    out, err = capsys.readouterr()
    assert status == 2 and err.startswith("neurochip: error: the run needs about 0.2 GiB per "
                                          "rank"), err
    assert "but this machine has 0.1 GiB available for 1 rank(s)" in err and out == ""
    assert cli.main(["map", str(tmp_path / "net.toml")]) == 1   # map: "does not fit"
    out, err = capsys.readouterr()
    assert out.startswith("does not fit:\n  - the run needs about 0.2 GiB per rank") and err == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == ["net.toml"]


def test_ranks_share_the_synapses_and_neurons_but_each_holds_the_slice_pairs():
    net, machine = mixed_network(), chips.spinnaker2(2, 2)
    run, options = RunOptions(duration_ms=10.0), MappingOptions(50)
    one = memory.estimate(net, machine, run, options, 1)
    two = memory.estimate(net, machine, run, options, 2)
    assert two.synapse_bytes == one.synapse_bytes / 2 and two.row_bytes == one.row_bytes / 2
    assert two.neuron_bytes == one.neuron_bytes / 2 and two.pair_bytes == one.pair_bytes
    assert two.baseline_bytes == one.baseline_bytes + memory.MPI_BYTES
    assert np.isclose(one.synapses, 900 * 500 * 0.01 + 500 * 3 + 500 * 300 + 900 * 40 + 900)
