"""Reference traces for the spike-timing conventions (docs/conventions.md) from Brian2 and
NEST, each run in its own venv on the cases of benchmarks/conventions_cases.py; stored as
benchmarks/results/conventions_brian2.json and conventions_nest.json, which
tests/test_conventions.py compares neurochip against.

    python -m benchmarks.conventions --brian2-python B2/bin/python --nest-python NEST/bin/python
    python -m benchmarks.conventions ... --check    # rerun the peers, compare with the stored

A venv for each: `python3.11 -m venv B2 && B2/bin/pip install brian2 "numpy<2.4"`,
`python3.11 -m venv NEST && NEST/bin/pip install nest-simulator`.
"""

import argparse
import json
import subprocess
import sys
from pathlib import Path

import numpy as np

from .common import RESULTS, write_result

HERE = Path(__file__).resolve().parent
PEERS = {"brian2": "conventions_brian2.py", "nest": "conventions_nest.py"}


def run_peer(python: Path, peer: str) -> dict:
    """The peer script's JSON (its last line of output: NEST prints a banner first)."""
    done = subprocess.run([str(python), str(HERE / PEERS[peer])], check=True,
                          capture_output=True, text=True, timeout=1800)
    return json.loads(done.stdout.strip().splitlines()[-1])


def differences(stored: dict, fresh: dict) -> list[str]:
    """What differs between a stored peer output and a fresh one (traces to 1e-9)."""
    found = []
    if stored["source_ticks"] != fresh["source_ticks"]:
        found.append("source_ticks")
    for name, case in fresh["cases"].items():
        old = stored["cases"].get(name)
        if old is None or old["spike_ticks"] != case["spike_ticks"] or \
                not np.allclose(old["v"], case["v"], rtol=0, atol=1e-9):
            found.append(name)
    return found


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--brian2-python", type=Path)
    parser.add_argument("--nest-python", type=Path)
    parser.add_argument("--check", action="store_true",
                        help="compare with the stored traces instead of storing")
    args = parser.parse_args(argv)
    pythons = {"brian2": args.brian2_python, "nest": args.nest_python}
    if not any(pythons.values()):
        parser.error("give --brian2-python and/or --nest-python")
    status = 0
    for peer, python in pythons.items():
        if python is None:
            continue
        fresh = run_peer(python, peer)
        if args.check:
            stored = json.loads((RESULTS / f"conventions_{peer}.json").read_text())["figures"]
            found = differences(stored, fresh)
            print(f"{peer} ({fresh['simulator']}): "
                  f"{'differs in ' + ', '.join(found) if found else 'same as stored'}")
            status = status or bool(found)
        else:
            print("wrote", write_result(f"conventions_{peer}", fresh))
    sys.exit(status)


if __name__ == "__main__":
    main(sys.argv[1:])
