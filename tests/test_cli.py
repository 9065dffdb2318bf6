"""The `neurochip` command: exit codes, messages and the files it leaves behind."""

import subprocess
import sys
from pathlib import Path

import h5py
import pytest

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
    (("n_neurons = 400", "n_neurons = 400000"),
     "the network needs 12500 cores (one per slice) but the machine has 608"),
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
