"""Brian2 runs of the reference networks, on the parameters neurochip's library uses.

    .venv-brian2/bin/python benchmarks/snn_references_brian2.py brunel --scale 0.2

Runs in a venv with Brian2 (never neurochip's); prints one JSON object with the rate and the
mean CV of inter-spike intervals of each population (same statistics as neurochip's side).
Both are written in neurochip's conventions (docs/conventions.md; benchmarks/brian2_side.py):
Brunel as neurochip's `brunel` entry, CUBA as Brian2's own example.
"""

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from brian2_side import brunel, cuba, statistics  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("network", choices=["cuba", "brunel"])
    parser.add_argument("--scale", type=float, default=0.2)
    parser.add_argument("--g", type=float, default=5.0)
    parser.add_argument("--eta", type=float, default=2.0)
    parser.add_argument("--duration-ms", type=float, default=1000.0)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    import brian2 as b2
    b2.seed(args.seed)
    b2.defaultclock.dt = 0.1 * b2.ms
    started = time.perf_counter()
    if args.network == "cuba":
        objects, group, ranges = cuba(b2, 4000, 0.02, 0.1)
    else:
        objects, group, ranges = brunel(b2, args.scale, args.g, args.eta, args.seed, 0.1)
    monitor = b2.SpikeMonitor(group)
    b2.Network(*objects, monitor).run(args.duration_ms * b2.ms)
    times = np.asarray(monitor.t / b2.second)
    ids = np.asarray(monitor.i)
    json.dump({"simulator": f"brian2 {b2.__version__}", "wall_s": time.perf_counter() - started,
               "populations": statistics(times, ids, ranges, args.duration_ms / 1000)},
              sys.stdout)


if __name__ == "__main__":
    main()
