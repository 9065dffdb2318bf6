"""How much of its time a core of this machine loses to stalls it did not ask for (timer
interrupts, the hypervisor, neighbours): fixed work of a few microseconds timed thousands of
times, on each core alone and on all cores at once. Ranks that exchange every tick wait for
each other's stalls, so a one-tick-delay network on 2 ranks loses about the sum of both
cores' stalled fractions where 1 rank loses its own.

    python -m benchmarks.machine_noise [--seconds 0.5]

Each probe is its own process pinned to one core (`os.sched_setaffinity`); the work is a
chain of floating-point operations on registers, so memory plays no part.
"""

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from numba import njit

from simulator.engine.cycles import cycle_count

from .common import write_result

REPO = Path(__file__).resolve().parents[1]
WORK_STEPS = 2000  # floating-point steps a piece of work: a few microseconds
STALL_US = 20.0    # a piece that takes this much longer than the median was stalled


@njit(cache=True)
def timed_work(pieces, steps, cycles):
    """Run `pieces` pieces of `steps` dependent multiply-adds, each piece's cycles in
    `cycles`; returns the result (so that the work is not optimised away)."""
    x = 1.0
    for k in range(pieces):
        began = cycle_count()
        for _ in range(steps):
            x = x * 1.0000001 + 1e-9
        cycles[k] = cycle_count() - began
    return x


@njit(cache=True)
def cycles_now():
    return cycle_count()


def probe(seconds: float) -> dict:
    """Time pieces of work for about `seconds` on the core this process runs on."""
    trial = np.zeros(200, np.int64)
    started = time.perf_counter()
    timed_work(trial.size, WORK_STEPS, trial)  # compiles, then once more to time it
    started = time.perf_counter()
    timed_work(trial.size, WORK_STEPS, trial)
    pieces = max(1000, int(seconds / (time.perf_counter() - started) * trial.size))
    cycles = np.zeros(pieces, np.int64)
    started, begun = time.perf_counter(), cycles_now()
    timed_work(pieces, WORK_STEPS, cycles)
    hz = (cycles_now() - begun) / (time.perf_counter() - started)
    us = cycles / hz * 1e6
    median = float(np.median(us))
    excess = np.clip(us - median, 0.0, None)
    total_s = float(us.sum()) * 1e-6
    return {"piece_us": round(median, 3), "run_s": round(total_s, 3),
            "stalled_fraction": round(float(excess.sum()) / float(us.sum()), 4),
            "stalls_per_s": round(int((excess > STALL_US).sum()) / total_s, 1),
            "longest_stall_us": round(float(excess.max()), 1)}


def measure(seconds: float) -> dict:
    """The probe on each core alone, then on every core at once."""
    cores = sorted(os.sched_getaffinity(0))

    def run(core_list):
        command = [sys.executable, "-m", "benchmarks.machine_noise", "probe", "--seconds",
                   str(seconds)]
        children = [subprocess.Popen(command, stdout=subprocess.PIPE, text=True, cwd=REPO,
                                     preexec_fn=lambda c=c: os.sched_setaffinity(0, {c}))
                    for c in core_list]
        return [dict(json.loads(child.communicate()[0]), core=c)
                for c, child in zip(core_list, children)]

    alone = [row for c in cores for row in run([c])]
    together = run(cores)
    return {"cores": len(cores), "alone": alone, "together": together,
            "stall_us": STALL_US}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", nargs="?", default="driver", choices=["driver", "probe"])
    parser.add_argument("--seconds", type=float, default=0.5)
    args = parser.parse_args()
    if args.mode == "probe":
        print(json.dumps(probe(args.seconds)))
        return
    figures = measure(args.seconds)
    for kind in ("alone", "together"):
        for row in figures[kind]:
            print(kind, row, file=sys.stderr)
    print("wrote", write_result("machine_noise", figures))


if __name__ == "__main__":
    main()
