"""`neurochip report` on files it did not write, or that were damaged, byte by byte: the report
works or exits 2 with one sentence; it never crashes, hangs or prints a traceback. Each try
runs in a forked child, so that a crash of libhdf5 itself would show as a signal."""

import faulthandler
import os
import signal
import sys
import tempfile

import h5py
import numpy as np
import pytest

from simulator import cli, load_result

from .helpers import REFERENCE
from .test_report import files  # noqa: F401  (the module's result files)

CHILD_SECONDS = 60


def report_in_child(path, *options) -> tuple[str, str, str]:
    """(outcome, stdout, stderr) of `neurochip report PATH OPTIONS` in a forked child:
    outcome "exit N", or "signal NAME" when the child was killed (a crash, or a hang that
    outlived CHILD_SECONDS)."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        pid = os.fork()
        if pid == 0:  # the child: never returns into pytest
            code = 99
            try:
                sys.stdout = open(out.fileno(), "w", closefd=False)
                sys.stderr = open(err.fileno(), "w", closefd=False)
                signal.alarm(CHILD_SECONDS)
                code = cli.main(["report", str(path), *map(str, options)])
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(code)
        _, status = os.waitpid(pid, 0)
        out.seek(0)
        err.seek(0)
        outcome = f"signal {signal.Signals(os.WTERMSIG(status)).name}" \
            if os.WIFSIGNALED(status) else f"exit {os.WEXITSTATUS(status)}"
        return outcome, out.read(), err.read()


def assert_refused_in_one_sentence(outcome, out, err, context=""):
    assert outcome == "exit 2", (context, outcome, err)
    assert err.startswith("neurochip: error: ") and err.count("\n") == 1, (context, err)
    assert out == "" and "Traceback" not in err, context


def test_foreign_hdf5_and_nir_files_get_one_sentence(tmp_path):
    with h5py.File(tmp_path / "scalar.h5", "w") as f:
        f["greeting"] = "hello"
    with h5py.File(tmp_path / "attribute.h5", "w") as f:
        f.attrs["neurochip_version"] = "0.1.0"
        f["data"] = np.arange(3)
    cases = {tmp_path / "scalar.h5": "is not a neurochip result file (no attribute "
                                     "neurochip_version)",
             tmp_path / "attribute.h5": "is not a neurochip result file (no attribute "
                                        "timestep_ns)",
             REFERENCE / "lif_norse.nir": "is a NIR graph, not a neurochip result; name it in "
                                          "a config (`[network] nir = \"lif_norse.nir\"`)",
             REFERENCE / "braille_noDelay_noBias_subtract.nir": "is a NIR graph"}
    for path, message in cases.items():
        outcome, out, err = report_in_child(path, "--json")
        assert_refused_in_one_sentence(outcome, out, err, path)
        assert message in err, err


def test_a_genuine_file_with_slightly_negative_profile_times_is_reported(files, tmp_path):
    """Wall-clock differences of a multi-rank run can come out a hair below zero: the file
    is genuine and the report shows it."""
    result = load_result(files["timed"])
    seconds = result.datasets["profile/seconds"].copy()
    seconds[0, 0] = -3e-7
    result.datasets["profile/seconds"] = seconds
    path = result.save(tmp_path / "negative.h5")
    outcome, out, err = report_in_child(path, "--json")
    assert outcome == "exit 0" and err == "", err
    assert '"profile"' in out


def flips(data: bytes, rng, n: int):
    """`n` copies of `data`, each with one byte changed (anywhere: HDF5's own structures
    too) or with a run of up to 64 random bytes written over it."""
    for _ in range(n):
        damaged = bytearray(data)
        at = int(rng.integers(0, len(data)))
        if rng.random() < 0.7:
            damaged[at] ^= int(rng.integers(1, 256))
        else:
            length = int(rng.integers(1, 65))
            damaged[at:at + length] = rng.integers(0, 256, len(damaged[at:at + length]),
                                                   dtype=np.uint8).tobytes()
        yield at, bytes(damaged)


@pytest.mark.parametrize("fidelity,seed", [("timed", 31), ("functional", 32)])
def test_result_files_damaged_byte_by_byte_are_reported_or_refused(files, tmp_path, fidelity,
                                                                   seed):
    data = files[fidelity].read_bytes()
    outcomes = {"exit 0": 0, "exit 2": 0}
    for trial, (at, damaged) in enumerate(flips(data, np.random.default_rng(seed), 100)):
        (tmp_path / "damaged.h5").write_bytes(damaged)
        csv = tmp_path / f"csv{trial}"
        outcome, out, err = report_in_child(tmp_path / "damaged.h5", "--json", "--csv", csv)
        assert outcome in outcomes, (at, outcome, err)
        outcomes[outcome] += 1
        if outcome == "exit 2":
            assert_refused_in_one_sentence(outcome, out, err, at)
            assert not csv.exists()
        else:
            assert out.lstrip().startswith("{") and "Traceback" not in err, (at, err)
    assert outcomes["exit 0"] > 20 and outcomes["exit 2"] > 20, outcomes


@pytest.mark.parametrize("failure,message", [
    ("loops", "is damaged: reading it did not finish in 1 s (libhdf5 loops on it)"),
    ("crashes", "is damaged: reading it crashed libhdf5 (SIGSEGV)"),
])
def test_a_file_libhdf5_loops_or_crashes_on_is_refused(files, capsys, monkeypatch, failure,
                                                       message):
    """Byte 3008 of one result file XOR 100 (the heap of its config string) made libhdf5
    loop reading the root attributes, which no Python code can interrupt: the file is read
    first in a child that is given up after its time. Here the child's read stands in for
    libhdf5 looping or crashing."""
    from simulator.reporting import load

    def broken(path):
        if failure == "loops":
            signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGINT])
            while True:
                pass
        faulthandler.disable()   # pytest's crash report: the child dies quietly, as libhdf5
        os.kill(os.getpid(), signal.SIGSEGV)
    monkeypatch.setattr(load, "load_result", broken)
    monkeypatch.setattr(load, "READ_SECONDS", 1)
    monkeypatch.setattr(load, "READ_BYTES_PER_S", 1e12)
    status = cli.main(["report", str(files["timed"]), "--json"])
    out, err = capsys.readouterr()
    assert status == 2 and out == "" and message in err and err.count("\n") == 1, err
