"""`--out` is checked before anything is built, and a write that fails (a full disk, a signal)
leaves no file, no temporary file and one sentence."""

import os
import resource
import shutil
import signal
import subprocess
import sys

import h5py
import pytest

from simulator import cli, load_result
from simulator import atomic, results

from .test_cli import neurochip
from .test_config import GOOD
from .test_results import run_config

NIR_CONFIG = """
[network]
nir = "model.nir"
input = "spikes.npz"

[run]
duration_ms = 1.0
timestep_ms = 0.1
"""


def files(folder):
    return sorted(p.name for p in folder.iterdir())


@pytest.fixture
def folder(tmp_path, monkeypatch):
    (tmp_path / "net.toml").write_text(GOOD)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def built_nothing(monkeypatch):
    """Make building the network fail the test: --out must be refused before."""
    def never(self):
        raise AssertionError("the network was built before --out was checked")
    monkeypatch.setattr("simulator.config.Config.build_network", never)


@pytest.mark.parametrize("out,message", [
    ("", "--out '' names no file; give a file name such as result.h5"),
    (".", "--out '.' names no file"),
    ("sub", "--out sub is a directory; give the path of a file in it, such as sub/result.h5"),
    ("x" * 250 + ".h5", "--out file name is 253 bytes long; give a name of at most 241 bytes"),
    ("missing/r.h5", "--out missing/r.h5: directory missing does not exist; create it"),
    ("net.toml", "--out net.toml is an input of this run (net.toml); writing the result "
                 "there would overwrite it"),
    ("./sub/../net.toml", "is an input of this run"),
])
def test_a_bad_out_is_refused_before_the_build(folder, monkeypatch, capsys, out, message):
    (folder / "sub").mkdir()
    before = files(folder)
    built_nothing(monkeypatch)
    status = cli.main(["run", "net.toml", "--out", out, "--quiet"])
    err = capsys.readouterr().err
    assert status == 2 and err.startswith("neurochip: error: ") and message in err, err
    assert err.count("\n") == 1
    assert files(folder) == before and (folder / "net.toml").read_text() == GOOD


def test_an_out_naming_the_nir_model_or_its_spikes_is_refused(folder, capsys):
    from .helpers import REFERENCE
    shutil.copy(REFERENCE / "lif_norse.nir", folder / "model.nir")
    shutil.copy(REFERENCE / "lif_spikes.npz", folder / "spikes.npz")
    (folder / "nir.toml").write_text(NIR_CONFIG)
    for target in ("model.nir", "spikes.npz"):
        before = (folder / target).read_bytes()
        status = cli.main(["run", "nir.toml", "--out", target, "--quiet"])
        err = capsys.readouterr().err
        assert status == 2 and f"--out {target} is an input of this run" in err
        assert (folder / target).read_bytes() == before


def test_an_unwritable_directory_is_refused_before_the_build(folder, capsys, monkeypatch):
    """A directory the process may not write to (a read-only mount, another user's), as the
    temporary file's creation reports it."""
    built_nothing(monkeypatch)

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")
    monkeypatch.setattr(atomic.tempfile, "mkstemp", refuse)
    status = cli.main(["run", "net.toml", "--out", "r.h5", "--quiet"])
    err = capsys.readouterr().err
    assert status == 2 and "--out r.h5: directory . cannot be written to (Permission " \
                           "denied); choose a directory you can write to" in err


def test_a_disk_without_room_for_the_file_is_refused_before_writing(folder, capsys,
                                                                    monkeypatch):
    monkeypatch.setattr(atomic.shutil, "disk_usage",
                        lambda path: shutil._ntuple_diskusage(10**9, 10**9 - 5000, 5000))
    status = cli.main(["run", "net.toml", "--out", "r.h5", "--quiet"])
    err = capsys.readouterr().err
    assert status == 2 and "cannot write r.h5: it needs " in err
    assert "has 5.0 kB free; free some space there or choose another path" in err
    assert files(folder) == ["net.toml"]


def test_a_write_failing_halfway_removes_its_temporary_file(folder, capsys, monkeypatch):
    """The disk fills up during the final write (ENOSPC from write or fsync)."""
    (folder / "r.h5").write_bytes(b"the previous result")

    def half_then_full(path, data):
        with open(path, "wb") as f:
            f.write(bytes(data[:len(data) // 2]))
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(results, "write_bytes", half_then_full)
    status = cli.main(["run", "net.toml", "--out", "r.h5", "--quiet"])
    err = capsys.readouterr().err
    assert status == 2 and err == ("neurochip: error: cannot write r.h5 (No space left on "
                                   "device); nothing was written: free some space there or "
                                   "choose another path\n")
    assert files(folder) == ["net.toml", "r.h5"]
    assert (folder / "r.h5").read_bytes() == b"the previous result"


@pytest.mark.parametrize("number", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_during_the_write_ends_it_and_leaves_nothing(folder, capsys, monkeypatch,
                                                              number):
    """Slurm's time limit and scancel send SIGTERM; it may come while the file is written."""
    def half_then_signal(path, data):
        with open(path, "wb") as f:
            f.write(bytes(data[:len(data) // 2]))
            os.kill(os.getpid(), number)
            f.write(bytes(data[len(data) // 2:]))
    monkeypatch.setattr(results, "write_bytes", half_then_signal)
    status = cli.main(["run", "net.toml", "--out", "r.h5", "--quiet"])
    err = capsys.readouterr().err
    name = signal.Signals(number).name
    assert status == 128 + number
    assert err == f"neurochip: interrupted by {name} while writing r.h5; nothing written\n"
    assert files(folder) == ["net.toml"]
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL


def limited_file_size(limit_bytes):
    def apply():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)   # a write past the limit fails: EFBIG
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit_bytes, limit_bytes))
    return apply


def test_a_real_failing_write_of_the_command_gives_one_sentence_not_a_crash(folder):
    """The operating system refuses the bytes past a file-size limit, as a full disk does:
    HDF5 writing to the disk itself crashed here (exit 139, 22 tracebacks); the file is now
    built in memory and the one failing write is reported."""
    done = neurochip("run", "net.toml", "--out", "whole.h5", "--quiet", cwd=folder)
    assert done.returncode == 0, done.stderr
    size = (folder / "whole.h5").stat().st_size
    process = subprocess.run([sys.executable, "-m", "simulator.cli", "run", "net.toml",
                              "--out", "r.h5", "--quiet"], cwd=folder, capture_output=True,
                             text=True, timeout=300, preexec_fn=limited_file_size(size // 2))
    assert process.returncode == 2, process.stderr
    assert process.stderr == ("neurochip: error: cannot write r.h5 (File too large); nothing "
                              "was written: free some space there or choose another path\n")
    assert files(folder) == ["net.toml", "whole.h5"]
    with h5py.File(folder / "whole.h5") as f:
        assert f.attrs["duration_ticks"] == 500
    assert load_result(folder / "whole.h5").attributes["duration_ticks"] == 500


def test_a_saved_result_reads_back_as_it_was(tmp_path):
    result = run_config(GOOD)
    back = load_result(result.save(tmp_path / "r.h5"))
    assert back.attributes == result.attributes
    assert set(back.datasets) == set(result.datasets)
    assert oct((tmp_path / "r.h5").stat().st_mode & 0o777) == oct(0o666 & ~_umask())


def _umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask
