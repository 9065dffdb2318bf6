"""`neurochip map`: the report's numbers against hand counts, and its exit status."""

import json

import numpy as np

import chips
from networks import AllToAll, IFCurrExp, Network, SpikeSourcePoisson
from simulator import MappingOptions, RunOptions, map_network, simulate
from simulator.distribution import SerialComm
from simulator.mapping.report import mapping_report

from .test_cli import neurochip
from .test_config import GOOD


def two_chips():
    net = Network()
    src = net.add_population("src", 10, SpikeSourcePoisson(rate_hz=50.0))
    dst = net.add_population("dst", 5, IFCurrExp())
    net.connect(src, dst, AllToAll(), weight=0.1)
    options = MappingOptions(256, "sequential", pins={"src": {"x": 0, "y": 0},
                                                      "dst": {"x": 1, "y": 0}})
    return net, chips.spinnaker2(2, 1, wrap=False), options


def test_link_load_and_cycles_are_counted_by_hand():
    """10 sources at 50 Hz send 500 packets/s east over one link, a 16 ns frame each; the
    target core gets 0.5 packets and 50 synapses x 50 Hz x 1 ms = 2.5 synaptic events a tick:
    10 + 224 x 5 + 60 x 0.5 + 20 x 2.5 = 1210 cycles of 300 MHz x 1 ms = 300,000 (the
    sources: 10 + 60 x 10)."""
    net, machine, options = two_chips()
    mapping = map_network(net, machine, options)
    report = mapping_report(net, mapping, timestep_ms=1.0)
    east = machine.topology.link_of[0, 0]
    expected = np.zeros(machine.topology.n_links)
    expected[east] = 500.0
    np.testing.assert_allclose(report.link_packets_per_s, expected)
    np.testing.assert_allclose(report.link_load[east], 500 * 16e-9)
    np.testing.assert_allclose(report.cycles_per_tick, [10 + 60 * 10, 1210.0])
    assert report.budget_cycles_per_tick == 300_000
    assert (report.chips_used, report.cores_used, report.fits) == (2, 2, True)
    np.testing.assert_array_equal(report.router_entries, [1, 1])


def test_the_report_is_stored_in_the_result_file():
    net, machine, options = two_chips()
    result = simulate(net, machine, RunOptions(duration_ms=20.0), options, comm=SerialComm())
    d = result.datasets
    np.testing.assert_allclose(d["mapping/core_cycles_per_tick"], [610.0, 1210.0])
    assert d["mapping/link_packets_per_s"].sum() == 500.0
    assert d["mapping/core_memory_bytes"].shape == (2,)
    attributes = result.group_attributes["mapping"]
    assert attributes["fits"] and json.loads(attributes["reasons"]) == []


def test_map_exits_0_when_everything_fits_and_prints_json(tmp_path):
    (tmp_path / "net.toml").write_text(GOOD)
    done = neurochip("map", "net.toml", "--json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["fits"] and report["cores_used"] >= 1
    assert list(tmp_path.iterdir()) == [tmp_path / "net.toml"]


def test_a_network_that_does_not_fit_exits_1_with_each_reason(tmp_path):
    slow = GOOD + ("\n[machine.link]\nbandwidth_bps = 1000\n"
                   "[machine.core]\ncycles_per_tick = 10000000\n")
    (tmp_path / "net.toml").write_text(slow)
    done = neurochip("map", "net.toml", cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    assert "does not fit:" in done.stdout
    assert "of what it can carry" in done.stdout
    assert "cycles per tick, over its budget of" in done.stdout
    (tmp_path / "net.toml").write_text(GOOD + "\n[machine.chip]\ncores = 6\n")
    done = neurochip("map", "net.toml", cwd=tmp_path)
    assert done.returncode == 1
    assert "the network needs 13 cores (one per slice) but the machine has 8" in done.stdout
    # the slices it would need, with their sizes (400 CUBA cells: 320 + 80 at 32 a core)
    assert "exc: 320 neurons in 10 slices (10 x 32)" in done.stdout
    assert "inh: 80 neurons in 3 slices (2 x 27 + 1 x 26)" in done.stdout


def test_the_text_report_shows_slices_keys_tables_and_memory_with_their_fields(tmp_path):
    spinnaker1 = GOOD.replace('preset = "spinnaker2"\nwidth = 2\nheight = 2',
                              'preset = "spinnaker1"')
    assert spinnaker1 != GOOD
    (tmp_path / "net.toml").write_text(spinnaker1)
    done = neurochip("map", "net.toml", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    text = done.stdout
    assert "13 application cores and 97 system cores" in text
    assert "exc: 320 neurons in 10 slices (10 x 32), keys 0x00000000 mask 0xfffffe00" in text
    assert "[machine.core] data_bytes" in text and "[machine.chip] sdram_bytes" in text
    assert "[machine.router] table_entries" in text
    report = json.loads(neurochip("map", "net.toml", "--json", cwd=tmp_path).stdout)
    assert report["populations"][1]["slice_sizes"] == {"27": 2, "26": 1}
    assert report["sdram"]["synapse_memory"] == "sdram"
    per_router = report["routers"]["per_router"]
    assert sum(r["entries"] for r in per_router) == report["routers"]["total_entries"]


def test_bad_input_exits_2(tmp_path):
    (tmp_path / "net.toml").write_text(GOOD.replace('placer = "spread"', 'placer = "best"'))
    done = neurochip("map", "net.toml", cwd=tmp_path)
    assert done.returncode == 2 and "placer must be one of" in done.stderr
