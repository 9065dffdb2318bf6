"""A mistake that only some MPI ranks meet ends every rank within seconds, with that rank's
sentence once and a non-zero status, instead of leaving the others waiting forever."""

import subprocess
import time

import pytest

from .test_config import GOOD
from .test_mpi import MPIEXEC, NEUROCHIP


def mpmd(tmp_path, configs, *extra, timeout=120):
    """One rank per config, as cluster nodes that each read their own copy of the files:
    `mpiexec -n 1 neurochip run A : -n 1 neurochip run B : ...`."""
    command = [MPIEXEC]
    for i, config in enumerate(configs):
        command += [":"] if i else []
        command += ["-n", "1", NEUROCHIP, "run", str(config), "--out", str(tmp_path / "r.h5"),
                    "--quiet", *extra]
    started = time.monotonic()
    done = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True,
                          timeout=timeout)
    return done, time.monotonic() - started


def sentences(stderr: str) -> list[str]:
    """Our own lines (MPICH adds one of its own when a rank aborts)."""
    return [line for line in stderr.splitlines() if line.startswith("neurochip")]


def write(tmp_path, name, text):
    (tmp_path / name).write_text(text)
    return tmp_path / name


@pytest.mark.parametrize("bad,message", [
    (GOOD.replace("n_neurons = 400", "n_neurons = -4"),
     "neurochip: error: rank 1 of 3: [network.params] n_neurons must be >= 2 (got -4)"),
    (None, "neurochip: error: rank 1 of 3: config file"),
])
def test_a_config_only_one_rank_refuses_ends_all_three(tmp_path, bad, message):
    good = write(tmp_path, "good.toml", GOOD)
    bad = write(tmp_path, "bad.toml", bad) if bad else tmp_path / "missing.toml"
    done, seconds = mpmd(tmp_path, [good, bad, good])
    assert done.returncode == 2, done.stderr
    lines = sentences(done.stderr)
    assert len(lines) == 1 and lines[0].startswith(message), done.stderr
    assert "Traceback" not in done.stderr
    assert seconds < 60
    assert not (tmp_path / "r.h5").exists()


def test_configs_that_differ_between_ranks_are_refused_on_every_rank(tmp_path):
    """Each config is valid, but the ranks would map different networks."""
    good = write(tmp_path, "good.toml", GOOD)
    other = write(tmp_path, "other.toml", GOOD.replace("n_neurons = 400", "n_neurons = 480"))
    done, seconds = mpmd(tmp_path, [good, other, good])
    assert done.returncode == 2, done.stderr
    assert sentences(done.stderr) == [
        "neurochip: error: rank 1 of 3 read a config or input file different from rank 0's; "
        "give every rank the same files"]
    assert seconds < 60 and not (tmp_path / "r.h5").exists()


def test_an_out_directory_missing_where_rank_0_writes_ends_every_rank(tmp_path):
    good = write(tmp_path, "good.toml", GOOD)
    command = [MPIEXEC, "-n", "3", NEUROCHIP, "run", str(good), "--out",
               str(tmp_path / "no" / "r.h5"), "--quiet"]
    started = time.monotonic()
    done = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, done.stderr
    assert sentences(done.stderr) == [
        f"neurochip: error: rank 0 of 3: --out {tmp_path}/no/r.h5: directory {tmp_path}/no "
        f"does not exist; create it or choose another path"], done.stderr
    assert time.monotonic() - started < 60
