"""Runs on 2 and 3 MPI ranks give the same result file as one rank, and a failure on one
rank ends them all."""

import os
import subprocess
import sys
import time
from pathlib import Path

import h5py
import numpy as np
import pytest

from simulator import load_result, map_network, simulate
from simulator.distribution.mailbox import CAPACITY_ROWS
from simulator.engine.kernel import partition_for

from .helpers import REPO, reproducible
from .mpi_run import SCENARIOS
from .test_config import GOOD

MPIEXEC = str(Path(sys.executable).parent / "mpiexec")
NEUROCHIP = str(Path(sys.executable).parent / "neurochip")
SAME_ON_ANY_RANKS = ("neurochip_version", "config", "network", "machine", "seed",
                     "timestep_ns", "duration_ticks", "fidelity", "energy_j", "mean_power_w")


def mpiexec(n: int, *command, cwd=REPO, timeout=300, env=None):
    return subprocess.run([MPIEXEC, "-n", str(n), *command], cwd=cwd, capture_output=True,
                          text=True, timeout=timeout,
                          env=None if env is None else {**os.environ, **env})


# an exchange made by compiled code through shared memory or MPI (called from Numba), or
# from Python (functional only); and the `/profile` attribute that says which
EXCHANGES = {"shared": {}, "compiled": {"NEUROCHIP_SHARED_MEMORY": "0"},
             "python": {"NEUROCHIP_COMPILED_MPI": "0"}}
EXCHANGE_KIND = {"shared": "compiled, shared memory", "compiled": "compiled MPI",
                 "python": "Python (mpi4py)"}


def assert_same_results(one, other):
    assert set(reproducible(one.datasets)) == set(reproducible(other.datasets))
    for name, array in reproducible(one.datasets).items():
        np.testing.assert_array_equal(array, other.datasets[name], err_msg=name)
    for key in SAME_ON_ANY_RANKS:
        assert one.attributes[key] == other.attributes[key], key


MULTI_CHIP = GOOD.replace("width = 2\nheight = 2", "width = 3\nheight = 2").replace(
    "n_neurons = 400", "n_neurons = 1200").replace("neurons_per_core = 32",
                                                   "neurons_per_core = 40")


@pytest.mark.parametrize("fidelity, exchange", [("functional", "shared"),
                                               ("functional", "compiled"),
                                               ("functional", "python"), ("timed", "shared"),
                                               ("timed", "compiled")])
def test_one_two_and_three_ranks_write_identical_files(tmp_path, fidelity, exchange):
    config = tmp_path / "net.toml"
    config.write_text(MULTI_CHIP.replace("[run]\n", f'[run]\nfidelity = "{fidelity}"\n'))
    files = {}
    for n in (1, 2, 3):
        files[n] = tmp_path / f"r{n}.h5"
        done = mpiexec(n, NEUROCHIP, "run", str(config), "--out", str(files[n]), "--quiet",
                       env=EXCHANGES.get(exchange))
        assert done.returncode == 0, done.stderr
    results = {n: load_result(path) for n, path in files.items()}
    assert results[2].attributes["n_ranks"] == 2 and results[3].attributes["n_ranks"] == 3
    assert results[1].group_attributes["profile"]["exchange"] == "none"
    assert len(results[1].spikes("exc")[0]) > 100
    assert results[1].datasets["traffic/link_packets"].sum() > 1000
    for n in (2, 3):
        assert_same_results(results[1], results[n])
        assert results[n].group_attributes["profile"]["exchange"] == EXCHANGE_KIND[exchange]
        profile = results[n].datasets["profile/seconds"]
        assert profile.shape == (n, 6) and (results[n].datasets["profile/exchanges"] > 0).all()
        assert (profile >= 0).all()  # wall time per phase, never negative


@pytest.mark.parametrize("exchange, batches", [("shared", 100), ("compiled", 100),
                                              ("python", 250)])
def test_batches_of_the_min_delay_exchange_once_each_and_give_the_same_result(
        tmp_path, exchange, batches):
    """Delays of 5 ticks: under MPI at functional fidelity the compiled loop exchanges once
    every 5 ticks; from Python, batches of 2 ticks, each received and delivered after the
    next one ran (its events are due 5 ticks on)."""
    config = tmp_path / "net.toml"
    config.write_text(MULTI_CHIP.replace("[run]\n", '[run]\nfidelity = "functional"\n')
                      .replace("n_neurons = 1200", "n_neurons = 1200\ndelay_ms = 0.5"))
    results = {}
    for n in (1, 2, 3):
        out = tmp_path / f"r{n}.h5"
        done = mpiexec(n, NEUROCHIP, "run", str(config), "--out", str(out), "--quiet",
                       env=EXCHANGES[exchange])
        assert done.returncode == 0, done.stderr
        results[n] = load_result(out)
    assert len(results[1].spikes("exc")[0]) > 100
    for n in (2, 3):
        assert_same_results(results[1], results[n])
        assert results[n].attributes["synaptic_events"] == \
            results[1].attributes["synaptic_events"]
        # 500 ticks in batches: one message round a batch
        np.testing.assert_array_equal(results[n].datasets["profile/exchanges"], batches)


@pytest.mark.parametrize("ranks, exchange", [(2, "shared"), (3, "shared"), (2, "compiled")])
def test_batches_larger_than_the_exchange_buffers_give_the_same_result(tmp_path, ranks,
                                                                         exchange):
    """A batch of 25 ticks in which every source fires every tick outgrows the compiled
    exchange's buffers (four ticks of events): the loop stops, Python grows them (the packed
    rows before anything is sent, the arrivals' after) and the exchange goes on; with shared
    memory, a batch of more rows than a mailbox holds (4096) goes by MPI."""
    network, machine, mapping, run = SCENARIOS["bursts"]()
    one = simulate(network, machine, run, mapping)
    assert len(one.spikes("sources")[0]) == 400 * 30 and len(one.spikes("cells")[0]) > 100
    more = run_scenario(tmp_path, ranks, "bursts", env=EXCHANGES[exchange])
    assert more.group_attributes["profile"]["exchange"] == EXCHANGE_KIND[exchange]
    assert_same_results(one, more)
    assert more.attributes["synaptic_events"] == one.attributes["synaptic_events"]


def test_a_timed_batch_larger_than_the_domain_boxes_is_shared_by_mpi(tmp_path):
    """At timed fidelity a domain's ranks share a batch's spikes through shared-memory
    boxes; where one rank's spikes outgrow its box (4096), every rank learns it from the
    boxes and the batch goes by MPI instead, with the same result."""
    ranks = 2
    network, machine, options, run = SCENARIOS["timed_bursts"]()
    mapping = map_network(network, machine, options, seed=run.seed)
    slices = mapping.slices
    sources = slices.population == [p.name for p in network.populations].index("sources")
    spikes = np.bincount(partition_for(mapping, run, ranks).slice_rank[sources],
                         weights=slices.size[sources], minlength=ranks) * 25  # a batch's
    assert spikes.max() > CAPACITY_ROWS
    one = simulate(network, machine, run, options)
    more = run_scenario(tmp_path, ranks, "timed_bursts")
    assert more.group_attributes["profile"]["exchange"] == "compiled, shared memory"
    assert_same_results(one, more)


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


def run_scenario(tmp_path, n: int, name: str, *changes: str, env=None):
    """The result of a `tests.mpi_run` scenario on `n` ranks."""
    out = tmp_path / f"{name}-{n}-{'-'.join(changes)}.h5"
    done = mpiexec(n, sys.executable, "-m", "tests.mpi_run", name, str(out), *changes,
                   env=env)
    assert done.returncode == 0, done.stderr
    return load_result(out)


@pytest.fixture(scope="module")
def congested_on_one_rank():
    network, machine, mapping, run = SCENARIOS["congested"]()
    one = simulate(network, machine, run, mapping)
    datasets = one.datasets
    assert datasets["traffic/router_emergency_routed"].sum() > 0
    assert datasets["traffic/router_dropped"].sum() > 0
    assert datasets["traffic/link_max_queue"].max() > 2
    assert datasets["cores/late_packets"].sum() > 0
    return one


@pytest.mark.parametrize("ranks, domains", [(2, 1), (2, 2), (3, 1), (3, 3), (5, 1), (5, 5)])
def test_a_congested_faulty_network_is_the_same_on_any_ranks(tmp_path, congested_on_one_rank,
                                                             ranks, domains):
    """Packets queue, detour round a link that dies, drop and arrive late, across rank
    boundaries and across the links cut between fabric domains; a core and a chip die."""
    many = run_scenario(tmp_path, ranks, "congested", f"fabric_domains={domains}")
    assert_same_results(congested_on_one_rank, many)
    if domains > 1:
        assert (many.datasets["profile/windows"] > 0).all()


@pytest.fixture(scope="module")
def helper_cores_on_one_rank():
    network, machine, mapping, run = SCENARIOS["helper_cores"]()
    one = simulate(network, machine, run, mapping)
    roles = one.datasets["cores/role"]
    assert (roles == 1).sum() > 0 and (roles == 2).sum() > 0
    return one


@pytest.mark.parametrize("ranks, domains", [(2, 1), (3, 1), (2, 2), (3, 2)])
def test_synapse_and_delay_cores_are_the_same_on_any_ranks(tmp_path, helper_cores_on_one_rank,
                                                           ranks, domains):
    """Packets to split synapse cores and the packets delay cores send on, across rank
    boundaries and fabric domains (docs/timing.md, "Helper cores")."""
    many = run_scenario(tmp_path, ranks, "helper_cores", f"fabric_domains={domains}")
    assert_same_results(helper_cores_on_one_rank, many)
    if domains > 1:
        assert (many.datasets["profile/windows"] > 0).all()


def test_a_single_chip_split_over_two_and_three_ranks_is_the_same(tmp_path):
    network, machine, mapping, run = SCENARIOS["one_chip"]()
    one = simulate(network, machine, run, mapping)
    assert len(one.datasets["mapping/placements"]) > 10  # cores of one chip
    assert one.datasets["cores/packets"].sum() > 10_000
    for n in (2, 3):
        many = run_scenario(tmp_path, n, "one_chip")
        assert_same_results(one, many)
        busy = many.datasets["profile/seconds"][:, 0]  # every rank updates neurons
        assert (busy > 0).all()


@pytest.mark.parametrize("name, windows", [("one_crossing", 2), ("crossing_both_ways", 2),
                                           ("idle_stretch", 4)])
def test_domains_advance_in_lookahead_windows(tmp_path, name, windows):
    """A packet that reaches the far domain exactly one lookahead after leaving is handled
    in the next window, not the one it left in; packets leaving both sides at the same time
    cross in the same pair of windows; and a window starts at the earliest pending event,
    so the idle ticks between two spikes of a batch cost no windows."""
    network, machine, mapping, run = SCENARIOS[name]()
    one = simulate(network, machine, run, mapping)
    two = run_scenario(tmp_path, 2, name)
    assert_same_results(one, two)
    assert list(two.datasets["profile/windows"]) == [windows, windows]
    arrivals = one.datasets["traffic/link_packets"].sum()
    assert arrivals == {"one_crossing": 1, "crossing_both_ways": 2, "idle_stretch": 2}[name]
    v = one.datasets["state/target0/v"][:, 0]  # on chip 1, fed from chip 0
    assert v.max() > v.min()  # the copy reached the neuron


def test_an_exception_on_one_rank_ends_every_rank_with_its_message(tmp_path):
    started = time.monotonic()
    done = mpiexec(2, sys.executable, "-m", "tests.mpi_run", "failing", str(tmp_path / "x.h5"),
                   timeout=120)
    assert done.returncode != 0
    assert "rank 1 of 2 failed: RuntimeError: deliberate failure in tick 3" in done.stderr
    assert time.monotonic() - started < 60
    assert list(tmp_path.iterdir()) == []


def test_more_ranks_than_cores_in_use_is_refused_on_every_rank(tmp_path):
    config = tmp_path / "net.toml"
    config.write_text(GOOD.replace("neurons_per_core = 32", "neurons_per_core = 200"))
    done = mpiexec(4, NEUROCHIP, "run", str(config), "--out", str(tmp_path / "r.h5"))
    assert done.returncode == 2
    assert "4 MPI ranks need at least as many cores in use, but the mapping uses 3" \
        in done.stderr
    assert done.stderr.count("neurochip: error:") == 1
    assert not (tmp_path / "r.h5").exists()


def test_more_ranks_than_cores_warns_once_on_rank_zero(tmp_path):
    """Two ranks held to one core (as `taskset` or a batch system's binding would)."""
    config = tmp_path / "net.toml"
    config.write_text(GOOD)
    done = subprocess.run(["taskset", "-c", "0", MPIEXEC, "-n", "2", NEUROCHIP, "run",
                           str(config), "--out", str(tmp_path / "r.h5"), "--quiet"],
                          cwd=REPO, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stderr.count("warning: 2 MPI ranks share 1 core on a node") == 1
