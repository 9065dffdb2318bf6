"""A PyNN script under mpiexec: 1 and 2 ranks give the same spikes, traces and traffic as
the script run in this process, and every rank sees the whole network's data."""

import sys

import numpy as np

from .pynn_mpi_script import build_and_run
from .test_mpi import mpiexec


def test_pynn_script_on_one_and_two_ranks(tmp_path, fidelity="timed"):
    _, here = build_and_run(fidelity)
    assert len(here["exc_times"]) > 50 and len(here["noise_times"]) > 200
    for n in (1, 2):
        done = mpiexec(n, sys.executable, "-m", "tests.pynn_mpi_script",
                       str(tmp_path / f"n{n}.npz"), fidelity)
        assert done.returncode == 0, done.stderr[-2000:]
        for rank in range(n):
            got = np.load(tmp_path / f"n{n}.rank{rank}.npz")
            assert int(got["n_processes"]) == n
            for key, value in here.items():
                if key == "n_processes" or (key == "link_packets" and rank > 0):
                    continue
                np.testing.assert_array_equal(got[key], value, err_msg=f"{n} ranks, {key}")
