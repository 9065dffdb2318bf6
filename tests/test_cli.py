"""The `neurochip` command: exit codes, messages and the files it leaves behind."""

import subprocess
import sys
import tomllib
from pathlib import Path

import h5py
import pytest

from .helpers import REPO as REPO_ROOT
from .test_config import GOOD


def neurochip(*args, cwd):
    return subprocess.run([sys.executable, "-m", "simulator.cli", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=300)


def test_run_writes_a_result_and_says_what_it_did(tmp_path):
    (tmp_path / "net.toml").write_text(GOOD)
    done = neurochip("run", "net.toml", "--out", "out.h5", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "wrote out.h5" in done.stdout and "Hz per neuron" in done.stdout
    with h5py.File(tmp_path / "out.h5") as f:
        assert f.attrs["duration_ticks"] == 500 and "spikes/exc/times" in f
    assert sorted(p.name for p in tmp_path.iterdir()) == ["net.toml", "out.h5"]


@pytest.mark.parametrize("change,message", [
    (("width = 2", "width = -2"), "[machine] width must be >= 1 (got -2)"),
    (("[run]\n", "[run]\ncolour = 1\n"), "[run] colour is not a known key"),
    (("n_neurons = 400", "n_neurons = 40000"),
     "the network needs 10000 cores (one per slice) but the machine has 592 application "
     "cores alive; make [machine] width or height larger (core memory already limits"),
    (("n_neurons = 400", "n_neurons = 400000"),
     "the run needs about 30.3 GiB per rank (3.2e+09 synapses x 10 bytes"),
])
def test_a_bad_config_exits_2_with_one_line_and_writes_nothing(tmp_path, change, message):
    (tmp_path / "net.toml").write_text(GOOD.replace(*change))
    (tmp_path / "kept.h5").write_bytes(b"earlier result")
    done = neurochip("run", "net.toml", "--out", "kept.h5", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.startswith("neurochip: error: ") and message in done.stderr
    assert done.stderr.count("\n") == 1 and done.stdout == ""
    assert (tmp_path / "kept.h5").read_bytes() == b"earlier result"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kept.h5", "net.toml"]


def test_missing_config_and_missing_output_directory(tmp_path):
    done = neurochip("run", "nowhere.toml", "--out", "out.h5", cwd=tmp_path)
    assert done.returncode == 2 and "config file nowhere.toml does not exist" in done.stderr
    (tmp_path / "net.toml").write_text(GOOD)
    done = neurochip("run", "net.toml", "--out", "no/such/dir/out.h5", cwd=tmp_path)
    assert done.returncode == 2 and "directory no/such/dir does not exist" in done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["net.toml"]


def test_the_console_script_is_installed():
    script = Path(sys.executable).parent / "neurochip"
    done = subprocess.run([str(script), "--help"], capture_output=True, text=True)
    assert done.returncode == 0 and "run" in done.stdout


def test_the_memory_estimate_counts_synapses_neurons_and_recordings():
    import chips
    from networks import AllToAll, FixedInDegree, IFCurrExp, Network
    from simulator import MappingError, MappingOptions, RunOptions
    from simulator.memory import BASELINE_BYTES, check_fits, estimate

    net = Network()
    a = net.add_population("a", 1000, IFCurrExp(), record=["v"])
    b = net.add_population("b", 500, IFCurrExp())
    net.connect(a, b, AllToAll(), delay_ticks=3)
    net.connect(b, a, FixedInDegree(20))
    machine, options = chips.spinnaker2(2, 2), MappingOptions(100)
    run = RunOptions(duration_ms=100.0, timestep_ms=1.0, traffic_window_ms=10.0)
    need = estimate(net, machine, run, options, 1)
    assert need.synapses == 1000 * 500 + 20 * 1000
    assert need.synapse_bytes == need.synapses * 10
    # 1500 neurons x 96 bytes, plus rings: 1500 x 2 receptors x (3 + 2) slots x 8 bytes
    assert need.neuron_bytes == 1500 * 96 + 1500 * 2 * 5 * 8
    assert need.recording_bytes == 100 * 1000 * 8 * 2  # rank 0's part and the gathered table
    assert need.table_bytes == 2 * 10 * 8 * (6 * 24 + 4 * 4 + 6 * 15)
    half = estimate(net, machine, run, options, 2)
    assert half.synapse_bytes == need.synapse_bytes / 2
    check_fits(net, machine, run, options, 1, 1, available=2**40)
    try:
        check_fits(net, machine, run, options, 1, 1, available=BASELINE_BYTES)
    except MappingError as err:
        assert "this machine has 0.4 GiB available for 1 rank(s)" in str(err)
    else:
        raise AssertionError("not refused")


def test_an_unbounded_normal_delay_is_sized_by_the_largest_draw_possible():
    """A 53-bit Box-Muller normal never exceeds sqrt(2 * 53 ln 2) ~ 8.57 standard deviations,
    so a Normal(15, 7.5) delay needs a ring of 15 + 8.57 * 7.5 ticks, not the 65,535-tick
    maximum."""
    import chips
    import numpy as np
    from networks import FixedInDegree, IFCurrExp, Network, Normal
    from networks.distributions import draw
    from simulator import MappingOptions, RunOptions
    from simulator.memory import estimate

    net = Network()
    a = net.add_population("a", 100, IFCurrExp())
    net.connect(a, a, FixedInDegree(10), delay_ticks=Normal(15.0, 7.5, low=1.0))
    need = estimate(net, chips.spinnaker2(1, 1), RunOptions(duration_ms=10.0),
                    MappingOptions(100), 1)
    assert need.neuron_bytes == 100 * 96 + 100 * 2 * (79 + 2) * 8
    z = np.abs(draw(Normal(0.0, 1.0), 1, 1, np.arange(10**6)))
    assert 4.5 < z.max() < 8.573


def test_a_single_chip_timed_run_summarises_without_links(tmp_path):
    (tmp_path / "net.toml").write_text(GOOD.replace("width = 2", "width = 1")
                                       .replace("height = 2", "height = 1"))
    done = neurochip("run", "net.toml", "--out", "out.h5", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "busiest link 0.00% busy" in done.stdout


def test_version_names_the_installed_version():
    from importlib.metadata import version
    done = neurochip("--version", cwd=REPO_ROOT)
    assert done.returncode == 0 and done.stdout.strip() == f"neurochip {version('neurochip')}"


def test_set_overrides_config_values_and_the_result_keeps_them(tmp_path):
    (tmp_path / "net.toml").write_text(GOOD)
    done = neurochip("run", "net.toml", "--out", "out.h5", "--set", "run.duration_ms=20",
                     "--set", "run.fidelity=functional", "--set", 'record.exc=["v"]',
                     "--set", "network.params.n_neurons=200", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    with h5py.File(tmp_path / "out.h5") as f:
        assert f.attrs["duration_ticks"] == 200 and f.attrs["fidelity"] == "functional"
        assert f["state/exc/v"].shape == (200, 160)
        stored = tomllib.loads(f.attrs["config"])
    assert stored["run"]["duration_ms"] == 20 and stored["network"]["params"]["n_neurons"] == 200
    assert (tmp_path / "net.toml").read_text() == GOOD


@pytest.mark.parametrize("override,message", [
    ("run.duratio=5", "[run] duratio is not a known key; the keys are duration_ms"),
    ("run.duration_ms=abc", "[run] duration_ms must be a finite number (got 'abc')"),
    ("run.duration_ms=1e", "--set run.duration_ms=1e: '1e' is not a TOML value"),
    ("run=5", "--set 'run=5' must read section.key=value, for example --set "
              "run.duration_ms=200"),
    ("run.seed.x=1", "--set run.seed.x=1: run.seed is a value, not a table"),
    ("colour.x=1", "[colour] is not a known table"),
])
def test_a_bad_set_exits_2_with_one_sentence(tmp_path, override, message):
    (tmp_path / "net.toml").write_text(GOOD)
    for command in (["run", "net.toml", "--out", "out.h5"], ["map", "net.toml"]):
        done = neurochip(*command, "--set", override, cwd=tmp_path)
        assert done.returncode == 2, done.stderr
        assert done.stderr.startswith(f"neurochip: error: {message}"), done.stderr
        assert done.stderr.count("\n") == 1 and done.stdout == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == ["net.toml"]


def test_a_time_off_the_tick_grid_is_one_warning_line(tmp_path):
    (tmp_path / "net.toml").write_text(GOOD)
    done = neurochip("run", "net.toml", "--out", "out.h5", "--set",
                     "network.params.tau_refrac_ms=2.25", "--set", "run.duration_ms=5",
                     cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    warning = ("neurochip: warning: population {}: if_curr_exp.tau_refrac_ms 2.25 ms is not a "
               "whole number of timesteps (0.1 ms); it is rounded up to 23 ticks (2.3 ms)\n")
    assert done.stderr == warning.format("exc") + warning.format("inh")
