"""The result file: its layout, and a round trip through the writer and reader."""

from pathlib import Path

import h5py
import numpy as np

from simulator import load_result, parse_config, simulate
from simulator.distribution import SerialComm

from .helpers import REPO, reproducible
from .test_config import GOOD


def run_config(text):
    config = parse_config(text)
    return simulate(config.build_network(), config.machine, config.run, config.mapping,
                    config.text, comm=SerialComm())


def test_the_file_holds_the_documented_layout(tmp_path):
    result = run_config(GOOD)
    path = result.save(tmp_path / "r.h5")
    with h5py.File(path) as f:
        attrs = dict(f.attrs)
        assert attrs["config"] == GOOD
        assert attrs["seed"] == 7 and attrs["timestep_ns"] == 100_000
        assert attrs["duration_ticks"] == 500 and attrs["fidelity"] == "timed"
        assert attrs["n_ranks"] == 1 and attrs["neurochip_version"]
        for key in ("build_wall_s", "run_wall_s", "peak_rss_bytes"):
            assert attrs[key] > 0
        for pop, size in (("exc", 320), ("inh", 80)):
            times, ids = f[f"spikes/{pop}/times"], f[f"spikes/{pop}/ids"]
            assert times.dtype == np.int64 and ids.dtype == np.int32
            assert f[f"spikes/{pop}"].attrs["size"] == size
            t, i = times[()], ids[()]
            assert len(t) > 0 and np.all((0 <= t) & (t < 500)) and np.all((0 <= i) & (i < size))
            assert np.all(np.lexsort((i, t)) == np.arange(len(t))), "not sorted by time, id"
        links = f["traffic/links"][()]
        assert links.dtype.names == ("source_x", "source_y", "direction", "target_x",
                                     "target_y")
        assert len(links) == 24
        windows = f["traffic/window_ticks"][()]
        np.testing.assert_array_equal(windows, np.stack([np.arange(0, 500, 50),
                                                         np.arange(50, 501, 50)], axis=1))
        assert f["traffic"].attrs["window_length_ticks"] == 50
        assert f["traffic/link_packets"].shape == (10, 24)
        assert f["traffic/link_packets"].dtype == np.int64
        assert f["traffic/router_packets"].shape == (10, 4)
        assert f["traffic/chips"].shape == (4,)
        for name in ("link_bits", "link_max_queue", "link_drops"):
            assert f[f"traffic/{name}"].shape == (10, 24) and f[f"traffic/{name}"].dtype == np.int64
        assert f["traffic/link_busy_fraction"].dtype == np.float64
        for name in ("router_default_routed", "router_emergency_routed", "router_dropped"):
            assert f[f"traffic/{name}"].shape == (10, 4)
        bins = len(f["traffic/latency_bin_edges_ns"]) - 1
        assert f["traffic/latency_histogram"].shape == (bins,)
        assert f["traffic/link_latency_histogram"].shape == (24, bins)
        for name in ("cycles", "overruns", "max_excess_cycles", "late_packets", "packets",
                     "synaptic_events"):
            assert f[f"cores/{name}"].shape == (10, 13)
        assert f["cores"].attrs["budget_cycles_per_tick"] == 30_000
        placements = f["mapping/placements"][()]
        assert placements.dtype.names == ("population", "slice_start", "slice_stop", "chip_x",
                                          "chip_y", "core", "key")
        assert len(placements) == 10 + 3
        assert f["mapping/router_entries"].shape == (4,)


def test_the_file_gets_the_usual_permissions(tmp_path):
    import os
    path = run_config(GOOD).save(tmp_path / "r.h5")
    mask = os.umask(0)
    os.umask(mask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~mask


def test_write_then_read_gives_back_every_dataset(tmp_path):
    result = run_config(GOOD)
    loaded = load_result(result.save(tmp_path / "r.h5"))
    assert loaded.attributes == result.attributes
    assert set(loaded.datasets) == set(result.datasets)
    for name, array in result.datasets.items():
        np.testing.assert_array_equal(loaded.datasets[name], array, err_msg=name)
    assert loaded.group_attributes["spikes/exc"]["size"] == 320


def test_same_config_and_seed_give_the_same_file_contents(tmp_path):
    a, b = run_config(GOOD), run_config(GOOD)
    for name, array in reproducible(a.datasets).items():
        if array.dtype.names is None:
            np.testing.assert_array_equal(array, b.datasets[name], err_msg=name)
    c = run_config(GOOD.replace("seed = 7", "seed = 8"))
    assert not np.array_equal(a.datasets["spikes/exc/times"], c.datasets["spikes/exc/times"])


def test_the_bundled_cuba_example_fires_plausibly_and_loads_the_links():
    text = (REPO / "examples" / "cuba.toml").read_text().replace("duration_ms = 1000.0",
                                                                 "duration_ms = 300.0")
    result = run_config(text)
    seconds = 0.3
    for pop, size in (("exc", 3200), ("inh", 800)):
        rate = len(result.spikes(pop)[0]) / size / seconds
        assert 1.0 < rate < 30.0, f"{pop} fires at {rate:.1f} Hz"
    per_link = result.datasets["traffic/link_packets"].sum(axis=0)
    assert (per_link > 0).sum() >= 4
