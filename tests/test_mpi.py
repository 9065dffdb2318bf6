"""Runs on 2 and 3 MPI ranks give the same result file as one rank, and a failure on one
rank ends them all."""

import subprocess
import sys
import time
from pathlib import Path

import h5py
import numpy as np
import pytest

from simulator import load_result, simulate

from .helpers import REPO, reproducible
from .mpi_run import SCENARIOS
from .test_config import GOOD

MPIEXEC = str(Path(sys.executable).parent / "mpiexec")
NEUROCHIP = str(Path(sys.executable).parent / "neurochip")
SAME_ON_ANY_RANKS = ("neurochip_version", "config", "network", "machine", "seed",
                     "timestep_ns", "duration_ticks", "fidelity", "energy_j", "mean_power_w")


def mpiexec(n: int, *command, cwd=REPO, timeout=300):
    return subprocess.run([MPIEXEC, "-n", str(n), *command], cwd=cwd, capture_output=True,
                          text=True, timeout=timeout)


def assert_same_results(one, other):
    assert set(reproducible(one.datasets)) == set(reproducible(other.datasets))
    for name, array in reproducible(one.datasets).items():
        np.testing.assert_array_equal(array, other.datasets[name], err_msg=name)
    for key in SAME_ON_ANY_RANKS:
        assert one.attributes[key] == other.attributes[key], key


MULTI_CHIP = GOOD.replace("width = 2\nheight = 2", "width = 3\nheight = 2").replace(
    "n_neurons = 400", "n_neurons = 1200").replace("neurons_per_core = 32",
                                                   "neurons_per_core = 40")


@pytest.mark.parametrize("fidelity", ["functional", "timed"])
def test_one_two_and_three_ranks_write_identical_files(tmp_path, fidelity):
    config = tmp_path / "net.toml"
    config.write_text(MULTI_CHIP.replace("[run]\n", f'[run]\nfidelity = "{fidelity}"\n'))
    files = {}
    for n in (1, 2, 3):
        files[n] = tmp_path / f"r{n}.h5"
        done = mpiexec(n, NEUROCHIP, "run", str(config), "--out", str(files[n]), "--quiet")
        assert done.returncode == 0, done.stderr
    results = {n: load_result(path) for n, path in files.items()}
    assert results[2].attributes["n_ranks"] == 2 and results[3].attributes["n_ranks"] == 3
    assert len(results[1].spikes("exc")[0]) > 100
    assert results[1].datasets["traffic/link_packets"].sum() > 1000
    for n in (2, 3):
        assert_same_results(results[1], results[n])
        profile = results[n].datasets["profile/seconds"]
        assert profile.shape == (n, 6) and (results[n].datasets["profile/exchanges"] > 0).all()


def test_energy_and_dvfs_levels_are_the_same_on_any_number_of_ranks(tmp_path):
    """Cores that change performance level tick by tick (their load crosses the 150 MHz
    budget), so spike times follow per-core clocks that each rank sets for its own cores:
    levels, timing and every joule agree on 1 and 2 ranks."""
    config = tmp_path / "net.toml"
    config.write_text(MULTI_CHIP + '\n[machine.core]\ndvfs_policy = "lowest_meeting_tick"\n'
                      'performance_level = 0\ncycles_per_tick = 6000\n')
    results = {}
    for n in (1, 2):
        out = tmp_path / f"r{n}.h5"
        done = mpiexec(n, NEUROCHIP, "run", str(config), "--out", str(out), "--quiet")
        assert done.returncode == 0, done.stderr
        results[n] = load_result(out)
    one = results[1]
    ticks = one.datasets["cores/level_ticks"].sum(axis=(1, 2))
    assert ticks[0] > 0 and ticks[1] > 0                # both levels are used
    assert one.attributes["energy_j"] > 0 and "energy/chip_cores_j" in one.datasets
    assert_same_results(one, results[2])


def test_a_congested_faulty_network_is_the_same_on_three_ranks(tmp_path):
    """Packets queue, detour round a link that dies, and drop, across rank boundaries."""
    network, machine, mapping, run = SCENARIOS["congested"]()
    one = simulate(network, machine, run, mapping)
    assert one.datasets["traffic/router_emergency_routed"].sum() > 0
    assert one.datasets["traffic/router_dropped"].sum() > 0
    done = mpiexec(3, sys.executable, "-m", "tests.mpi_run", "congested",
                   str(tmp_path / "r3.h5"))
    assert done.returncode == 0, done.stderr
    assert_same_results(one, load_result(tmp_path / "r3.h5"))


def test_an_exception_on_one_rank_ends_every_rank_with_its_message(tmp_path):
    started = time.monotonic()
    done = mpiexec(2, sys.executable, "-m", "tests.mpi_run", "failing", str(tmp_path / "x.h5"),
                   timeout=120)
    assert done.returncode != 0
    assert "rank 1 of 2 failed: RuntimeError: deliberate failure in tick 3" in done.stderr
    assert time.monotonic() - started < 60
    assert list(tmp_path.iterdir()) == []


def test_more_ranks_than_chips_is_refused_on_every_rank(tmp_path):
    config = tmp_path / "net.toml"
    config.write_text(GOOD.replace("width = 2\nheight = 2", "width = 2\nheight = 1"))
    done = mpiexec(3, NEUROCHIP, "run", str(config), "--out", str(tmp_path / "r.h5"))
    assert done.returncode == 2
    assert "3 MPI ranks need at least as many chips, but the machine has 2" in done.stderr
    assert done.stderr.count("neurochip: error:") == 1
    assert not (tmp_path / "r.h5").exists()
