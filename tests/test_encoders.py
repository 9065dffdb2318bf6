"""Rate and latency codes of frames, against their formulas, and through a NIR config."""

import nir
import numpy as np
import pytest

from networks import NetworkError
from networks.encoders import latency_spikes, rate_spikes
from simulator import ConfigError, parse_config


def counts(times_ms, indices, timestep_ms, ticks, pixels):
    raster = np.zeros((ticks, pixels), dtype=np.int64)
    np.add.at(raster, (np.rint(times_ms / timestep_ms).astype(int), indices), 1)
    return raster


def test_a_rate_code_fires_each_pixel_at_its_intensity():
    frames = np.random.default_rng(0).random((2, 3, 8, 8))
    T = 400
    t, i = rate_spikes(frames, T, 0.1, seed=5)
    raster = counts(t, i, 0.1, 2 * T, 192)
    assert raster.max() == 1                                  # at most one a tick
    for k in range(2):
        n = raster[k * T:(k + 1) * T].sum(axis=0)
        p = frames[k].ravel()
        # binomial counts: every pixel within 5 standard deviations of T p
        assert np.all(np.abs(n - T * p) <= 5 * np.sqrt(T * p * (1 - p)) + 1)
    again = rate_spikes(frames, T, 0.1, seed=5)
    assert np.array_equal(again[0], t) and np.array_equal(again[1], i)
    assert not np.array_equal(rate_spikes(frames, T, 0.1, seed=6)[1], i)
    full = rate_spikes(np.ones((1, 4)), 10, 1.0, gain=2.0)
    assert len(full[0]) == 40                                 # probability capped at 1


def test_a_latency_code_fires_once_brighter_first():
    x = np.array([[0.0, 0.005, 0.02, 0.2, 0.6, 1.0]])
    t, i = latency_spikes(x, 30, 1.0, tau_ticks=5.0, threshold=0.01)
    assert sorted(i.tolist()) == [2, 3, 4, 5]                 # at or below threshold: silent
    expected = {j: min(np.floor(5.0 * np.log(x[0, j] / (x[0, j] - 0.01))), 29) for j in i}
    assert {int(j): float(tt) for tt, j in zip(t, i)} == expected
    t, i = latency_spikes(np.array([[0.1, 0.5, 1.0], [1.0, 0.0, 0.5]]), 11, 0.5, linear=True,
                          threshold=0.0)
    assert list(zip((t / 0.5).tolist(), i.tolist())) == [(0, 2), (5, 1), (9, 0), (11, 0),
                                                         (16, 2)]


def test_frames_must_be_in_range():
    with pytest.raises(NetworkError, match=r"frames must hold values in \[0, 1\]"):
        rate_spikes(np.full((1, 4), 255.0), 5, 1.0)
    with pytest.raises(NetworkError, match="ticks_per_frame must be a whole number >= 1"):
        latency_spikes(np.zeros((1, 4)), 0, 1.0)


def test_a_nir_config_codes_its_frames(tmp_path):
    n = 16
    graph = nir.NIRGraph(nodes={"input": nir.Input(input_type={"input": np.array([1, 4, 4])}),
                                "flat": nir.Flatten(input_type={"input": np.array([1, 4, 4])},
                                                    start_dim=0),
                                "fc": nir.Linear(weight=np.eye(n)),
                                "lif": nir.IF(r=np.ones(n), v_threshold=np.full(n, 0.5),
                                              v_reset=np.zeros(n))},
                         edges=[("input", "flat"), ("flat", "fc"), ("fc", "lif")],
                         type_check=False)
    nir.write(tmp_path / "g.nir", graph)
    frames = np.random.default_rng(1).random((2, 1, 4, 4))
    np.savez(tmp_path / "frames.npz", frames=frames)
    text = ('[network]\nnir = "g.nir"\ninput = "frames.npz"\nencoder = "rate"\n'
            'frame_ticks = 20\n[run]\ntimestep_ms = 1.0\nduration_ms = 40.0\n')
    net = parse_config(text, str(tmp_path / "x.toml")).build_network()
    model = net.population("input").model
    t, i = rate_spikes(frames, 20, 1.0)
    assert np.array_equal(model.times_ms, t) and np.array_equal(model.indices, i)
    with pytest.raises(ConfigError, match="frame_ticks must be a whole number >= 1"):
        parse_config(text.replace("frame_ticks = 20\n", ""), str(tmp_path / "x.toml"))
