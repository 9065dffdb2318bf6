"""The CUBA and Brunel examples at `functional` fidelity on 1 and 2 MPI ranks of this
machine: wall time of the simulation loop, the per-rank profile and the speed-up. Targets:
2 ranks at least 1.3x faster than 1 on CUBA (one-tick delays: an exchange every tick) and
1.7x on Brunel (1.5 ms delays).

    python -m benchmarks.functional_ranks [--ranks 1 2] [--repeats 5] [--cases cuba brunel]

Every run is `mpiexec -n R neurochip run examples/NAME.toml` with `fidelity = "functional"`;
the rank counts take turns and each figure is the median of the repeats (the machine is
shared: compare ratios, not seconds). The cores' stalls (`benchmarks.machine_noise`) are
measured before and after and stored beside the figures: ranks that exchange every tick
wait for each other's.
"""

import argparse
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from simulator import load_result

from . import machine_noise
from .common import write_result

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
MPIEXEC = str(BIN / "mpiexec") if (BIN / "mpiexec").exists() else "mpiexec"
NEUROCHIP = str(BIN / "neurochip") if (BIN / "neurochip").exists() else "neurochip"


def measure(config: Path, ranks: int, out: Path) -> dict:
    subprocess.run([MPIEXEC, "-n", str(ranks), NEUROCHIP, "run", str(config), "--out",
                    str(out), "--quiet"], check=True)
    result = load_result(out)
    profile = result.datasets["profile/seconds"]
    phases = result.group_attributes["profile"]["phases"]
    return {"ranks": ranks, "run_wall_s": result.attributes["run_wall_s"],
            "build_wall_s": result.attributes["build_wall_s"],
            "exchanges_per_rank": int(result.datasets["profile/exchanges"].max()),
            "profile_max_s": dict(zip(phases,
                                      profile.max(axis=0).round(3).tolist()))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ranks", nargs="+", type=int, default=[1, 2])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--cases", nargs="+", default=["cuba", "brunel"])
    args = parser.parse_args()
    figures = {"fidelity": "functional", "repeats": args.repeats, "cases": {},
               "machine_noise_before": machine_noise.measure(0.3)}
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.cases:
            text = (REPO / "examples" / f"{name}.toml").read_text()
            config = Path(tmp) / f"{name}.toml"
            config.write_text(re.sub(r'fidelity = "\w+"', 'fidelity = "functional"', text))
            runs: dict[int, list] = {r: [] for r in args.ranks}
            for _ in range(args.repeats):
                for ranks in args.ranks:
                    runs[ranks].append(measure(config, ranks, Path(tmp) / "r.h5"))
            rows = []
            for ranks, each in runs.items():
                times = [run["run_wall_s"] for run in each]
                median = statistics.median(times)
                middle = min(each, key=lambda run: abs(run["run_wall_s"] - median))
                rows.append({**middle, "run_wall_s": median, "run_wall_s_each": times})
            base = rows[0]["run_wall_s"]
            for row in rows:
                row["speedup"] = round(base / row["run_wall_s"], 2)
                print(name, row, file=sys.stderr)
            figures["cases"][name] = rows
    figures["machine_noise_after"] = machine_noise.measure(0.3)
    print("wrote", write_result("functional_ranks", figures))


if __name__ == "__main__":
    main()
