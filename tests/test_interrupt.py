"""A run stopped by a signal leaves no file or a complete one marked interrupted."""

import os
import signal
import subprocess
import sys
import time

import h5py
import numpy as np
import pytest

from simulator import load_result

from .helpers import REPO
from .test_config import GOOD
from .test_mpi import MPIEXEC

NEUROCHIP = str(__import__("pathlib").Path(sys.executable).parent / "neurochip")


@pytest.mark.parametrize("ranks", [1, 2])
def test_sigint_keeps_the_windows_finished_before_it(tmp_path, ranks):
    """SIGINT in tick 250: every rank stops at the check after it (tick 256) and the file
    holds the two 100-tick windows finished by then, complete and marked interrupted."""
    out = tmp_path / "r.h5"
    command = [sys.executable, "-m", "tests.mpi_run", "interrupting", str(out)]
    if ranks > 1:
        command = [MPIEXEC, "-n", str(ranks), *command]
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    result = load_result(out)
    a = result.attributes
    assert a["interrupted"] and a["duration_ticks"] == 200
    assert a["requested_duration_ticks"] == 1000 and a["n_ranks"] == ranks
    times, ids = result.spikes("source")
    np.testing.assert_array_equal(times, np.repeat(np.arange(200), 6))
    assert result.datasets["state/cells/v"].shape == (200, 6)
    windows = result.datasets["traffic/window_ticks"]
    np.testing.assert_array_equal(windows, [[0, 100], [100, 200]])
    assert result.datasets["traffic/link_packets"].shape[0] == 2
    assert result.datasets["cores/packets"].shape[0] == 2
    # A source spike every tick reaches both cells' cores in every finished window.
    assert result.datasets["cores/packets"].sum() == 200 * 6
    assert result.datasets["traffic/latency_histogram"].sum() == 200 * 6


def test_sigterm_on_the_command_leaves_no_file_or_a_complete_one(tmp_path):
    config = tmp_path / "long.toml"
    config.write_text(GOOD.replace("duration_ms = 50.0", "duration_ms = 60000.0"))
    out = tmp_path / "r.h5"
    process = subprocess.Popen([NEUROCHIP, "run", str(config), "--out", str(out)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(8.0)
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == 128 + signal.SIGTERM, stderr
    leftovers = [p.name for p in tmp_path.iterdir() if p.name not in ("long.toml", "r.h5")]
    assert leftovers == []
    if out.exists():
        with h5py.File(out) as f:
            assert f.attrs["interrupted"]
            done = f.attrs["duration_ticks"]
            assert done % 50 == 0 and 0 < done < 600_000
            assert f["traffic/link_packets"].shape[0] == done // 50
            assert (f["spikes/exc/times"][()] < done).all()
        assert "interrupted; wrote" in stderr
    else:
        assert "nothing written" in stderr


INTERRUPT_AT_IMPORT = """
import os, signal, sys

class InterruptAt:
    '''Press Ctrl-C (SIGINT to this process) when module {module!r} starts to import.'''
    def find_spec(self, name, path=None, target=None):
        if name == {module!r}:
            sys.meta_path.remove(self)
            os.kill(os.getpid(), signal.SIGINT)
        return None

sys.meta_path.insert(0, InterruptAt())
"""


@pytest.mark.parametrize("module", ["numpy", "numba", "h5py", "simulator.config",
                                    "simulator.mapping"])
def test_ctrl_c_while_the_command_imports_ends_with_one_line(tmp_path, module):
    """NumPy, Numba and h5py take seconds to import: a Ctrl-C then is not a traceback."""
    (tmp_path / "sitecustomize.py").write_text(INTERRUPT_AT_IMPORT.format(module=module))
    (tmp_path / "net.toml").write_text(GOOD)
    done = subprocess.run([NEUROCHIP, "map", "net.toml"], cwd=tmp_path, capture_output=True,
                          text=True, timeout=300,
                          env={**os.environ, "PYTHONPATH": str(tmp_path)})
    assert (done.returncode, done.stderr, done.stdout) == (130, "neurochip: interrupted\n", "")


def test_ctrl_c_while_mapping_ends_with_one_line(tmp_path, capsys, monkeypatch):
    from simulator import cli

    def pressed(*args, **kwargs):
        raise KeyboardInterrupt
    monkeypatch.setattr("simulator.validate.map_network", pressed)
    (tmp_path / "net.toml").write_text(GOOD)
    assert cli.main(["map", str(tmp_path / "net.toml")]) == 130
    assert capsys.readouterr() == ("", "neurochip: interrupted\n")
