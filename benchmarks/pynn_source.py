"""PyNN's own example scripts and system tests, from its source distribution on PyPI.

They are fetched with pip (`pip download --no-binary :all: PyNN==<installed version>`) into a
temporary folder, or read from a folder given on the command line, and never stored in this
repository (PyNN's code is PyNN's; only the figures its scripts print are kept here).
"""

import subprocess
import sys
import tarfile
import tempfile
from importlib.metadata import version
from pathlib import Path


def pynn_source(folder: str | None = None) -> Path:
    """The unpacked PyNN source distribution of the installed version."""
    if folder:
        return Path(folder)
    pynn_version = version("PyNN")
    target = Path(tempfile.mkdtemp(prefix="pynn-sdist-"))
    subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
                    "--no-binary", ":all:", f"PyNN=={pynn_version}", "-d", str(target)],
                   check=True)
    archive = next(target.glob("*.tar.gz"))
    with tarfile.open(archive) as tar:
        tar.extractall(target, filter="data")
    return next(p for p in target.iterdir() if p.is_dir())
