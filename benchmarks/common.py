"""What every benchmark records beside its figures: the machine, the versions, the command."""

import json
import os
import platform
import sys
from datetime import datetime, timezone
from importlib.metadata import version
from pathlib import Path

from simulator.atomic import write_atomically

RESULTS = Path(__file__).resolve().parent / "results"


def environment() -> dict:
    """The machine and software a benchmark ran on."""
    packages = {name: version(name) for name in ("neurochip", "numpy", "numba", "simpy",
                                                 "h5py", "mpi4py")}
    return {"python": platform.python_version(), "platform": platform.platform(),
            "processor": platform.processor() or platform.machine(),
            "cpu_count": os.cpu_count(), "packages": packages,
            "date": datetime.now(timezone.utc).isoformat(timespec="seconds")}


def write_result(name: str, figures: dict) -> Path:
    """Store `figures` with the environment and command as benchmarks/results/NAME.json."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    record = {"benchmark": name, "command": " ".join([Path(sys.executable).name, *sys.argv]),
              "environment": environment(), "figures": figures}
    return write_atomically(RESULTS / f"{name}.json", lambda temporary: Path(temporary)
                            .write_text(json.dumps(record, indent=2) + "\n"))
