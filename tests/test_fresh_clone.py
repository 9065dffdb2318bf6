"""The repository alone is enough: its tracked files, copied into an empty folder with
nothing beside it (no shared/ folder, no result files, no caches), run an example and a NIR
test, importing neurochip from the copy."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

from .helpers import REPO

LEFT_OUT = {".git", ".venv", "__pycache__", ".pytest_cache", ".hypothesis", "build", "dist"}


def tracked_files() -> list[Path]:
    """The files git tracks, or (from a tree without git) every file outside caches and venvs."""
    done = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True)
    if done.returncode == 0 and done.stdout:
        return [Path(name) for name in done.stdout.decode().split("\0") if name]
    return [path.relative_to(REPO) for path in REPO.rglob("*") if path.is_file()
            and not LEFT_OUT & set(path.relative_to(REPO).parts)
            and not any(part.endswith(".egg-info") for part in path.parts)]


def copy_alone(folder: Path) -> Path:
    copy = folder / "neurochip"
    for name in tracked_files():
        if (REPO / name).is_file():  # a tracked file deleted in the work tree is not copied
            (copy / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, copy / name)
    return copy


def run_in(copy: Path, *args) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(copy)}
    return subprocess.run([sys.executable, *args], cwd=copy, env=env, capture_output=True,
                          text=True, timeout=900)


def test_the_tracked_files_alone_run_an_example_and_a_nir_test(tmp_path):
    copy = copy_alone(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["neurochip"]
    where = run_in(copy, "-c", "import chips, networks, simulator; print(chips.__file__, "
                               "networks.__file__, simulator.__file__)")
    assert where.returncode == 0, where.stderr
    assert all(Path(f).is_relative_to(copy) for f in where.stdout.split()), where.stdout

    done = run_in(copy, "-m", "simulator.cli", "run", "examples/nir_lif.toml", "--out",
                  "nir_lif.h5")
    assert done.returncode == 0, done.stderr
    assert "wrote nir_lif.h5" in done.stdout and (copy / "nir_lif.h5").is_file()

    test = "tests/test_nir.py::test_the_bundled_example_reproduces_the_reference_spikes"
    done = run_in(copy, "-m", "pytest", "-q", "-p", "no:cacheprovider", test)
    assert done.returncode == 0, done.stdout[-3000:]
    assert "1 passed" in done.stdout
