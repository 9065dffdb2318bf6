"""Side by side with NEST on the same networks and parameters (benchmarks/nest_side.py, in
neurochip's conventions): NEST 3 on one thread (or more, `--threads`) against neurochip's functional
fidelity on one rank, simulation loop only, 1 s of model time at 0.1 ms. The two run in
turn, `--repeat` times each, and the medians are compared, so that a machine whose load
drifts still gives a fair ratio. Also the synaptic events per second per core of each,
beside the physical limit of one core streaming 8-byte synapses.

    python -m benchmarks.peer_nest [--cases cuba:4000 cuba:40000 brunel:12500] [--repeat 3]
                                   [--threads 1 [2]] [--nest-python PATH]

NEST lives in its own venv (never a dependency of neurochip):

    python3.11 -m venv /work/venvs/nest && /work/venvs/nest/bin/pip install nest-simulator
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

from .common import write_result
from .peer_brian2 import DT_MS, DURATION_MS, neurochip_case

REPO = Path(__file__).resolve().parents[1]
NEST_PYTHON = Path(os.environ.get("NEST_PYTHON", "/work/venvs/nest/bin/python"))
# One core reading 8-byte synapses (weight, target, delay) at about 10 GB/s of memory
# bandwidth applies about 1.25e9 a second: an estimate of the ceiling, not a measurement.
MEMORY_BANDWIDTH_BPS = 10e9
BYTES_PER_SYNAPSE = 8


def nest_case(python: Path, network: str, neurons: int, threads: int) -> dict:
    if not python.exists():
        raise SystemExit(f"no NEST venv at {python.parent.parent}; create it as the docstring "
                         f"of benchmarks/peer_nest.py says, or give --nest-python")
    done = subprocess.run([str(python), str(REPO / "benchmarks" / "nest_side.py"), network,
                           "--neurons", str(neurons), "--threads", str(threads),
                           "--duration-ms", str(DURATION_MS), "--dt-ms", str(DT_MS)],
                          check=True, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def summary(rows: list[dict]) -> dict:
    """The first row with every repetition's run time and their median."""
    times = [row["run_wall_s"] for row in rows]
    return {**rows[0], "run_wall_s": statistics.median(times), "run_wall_s_each": times}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", nargs="+", default=["cuba:4000", "cuba:40000",
                                                       "brunel:12500"])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--nest-python", type=Path, default=NEST_PYTHON)
    parser.add_argument("--threads", nargs="+", type=int, default=[1],
                        help="NEST thread counts to run (1 first: the target is against it)")
    args = parser.parse_args()
    limit = MEMORY_BANDWIDTH_BPS / BYTES_PER_SYNAPSE
    figures = {"duration_ms": DURATION_MS, "dt_ms": DT_MS, "repeat": args.repeat,
               "physical_limit_events_per_s_per_core": limit, "cases": []}
    for case in args.cases:
        network, neurons = case.split(":")
        runs: dict[str, list] = {**{f"nest {t}": [] for t in args.threads}, "neurochip": []}
        for _ in range(args.repeat):
            for threads in args.threads:
                runs[f"nest {threads}"].append(nest_case(args.nest_python, network,
                                                         int(neurons), threads))
            runs["neurochip"].append(neurochip_case(network, int(neurons), "functional"))
        rows = [summary(each) for each in runs.values()]
        nest1, ours = rows[0], rows[-1]
        events_per_s = ours["synaptic_events"] / ours["run_wall_s"]
        for row in rows:
            print(network, neurons, json.dumps(row), file=sys.stderr)
        figures["cases"].append({
            "network": network, "neurons": int(neurons), "results": rows,
            "functional_vs_nest_1_thread": round(nest1["run_wall_s"] / ours["run_wall_s"], 2),
            "neurochip_events_per_s_per_core": round(events_per_s),
            "fraction_of_physical_limit": round(events_per_s / limit, 3)})
    print("wrote", write_result("peer_nest", figures))


if __name__ == "__main__":
    main()
