"""Strong scaling and oversubscription at `timed` fidelity: wall time of the simulation loop
on 1, 2 and 4 MPI ranks of this machine, on (a) Brunel's network (12,500 neurons, 15.6 M
synapses) on a 2 x 2 SpiNNaker2 torus, whose packets cross between chips, and (b) one full
SpiNNaker2 chip (`benchmarks.full_chip` at its busiest drive). Target: 2 ranks at least 1.6x
faster than 1; 4 ranks on 2 cores within 2x of the best.

    python -m benchmarks.timed_scaling [--ranks 1 2 4] [--repeats 3] [--cases torus chip]

Every measurement is its own `mpiexec -n R python -m benchmarks.timed_scaling worker ...`;
the rank counts take turns, and each figure is the median of the repeats (the machines are
shared: compare ratios, not seconds).
"""

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import chips
from networks.library import LIBRARY
from simulator import MappingOptions, RunOptions, load_result, simulate
from simulator.distribution import all_ranks_end_on_failure, world

from . import full_chip
from .common import write_result

MPIEXEC = next((str(p) for p in [Path(sys.executable).parent / "mpiexec"] if p.exists()),
               "mpiexec")
CASES = {
    "torus": "Brunel (2000) model A at scale 1 (12,500 LIF, 15.6 M synapses, 1.5 ms delays), "
             "2 x 2 SpiNNaker2 torus, 256 neurons a core (memory not checked), spread, 0.1 ms "
             "ticks",
    "chip": "one full SpiNNaker2 chip: 37,888 current-based LIF on 148 cores, 5.4 M synapses, "
            "1 ms delays and ticks, about 26 Hz (benchmarks.full_chip, drive 0.09 nA)",
}


def case(name: str, duration_ms: float, domains: int):
    """Network, machine, mapping and run options of a case."""
    if name == "torus":
        entry = LIBRARY["brunel"]
        network = entry.build(entry.params(scale=1.0), 0.1)
        return (network, chips.spinnaker2(2, 2), MappingOptions(256, "spread", fit_memory=False),
                RunOptions(duration_ms=duration_ms, timestep_ms=0.1, fidelity="timed", seed=1,
                           traffic_window_ms=duration_ms, fabric_domains=domains))
    return (full_chip.network(0.09), chips.spinnaker2(),
            MappingOptions(full_chip.PER_CORE, "sequential", fit_memory=False),
            RunOptions(duration_ms=duration_ms, timestep_ms=1.0, fidelity="timed",
                       traffic_window_ms=100.0, fabric_domains=domains))


def worker(args) -> None:
    comm = world()
    with all_ranks_end_on_failure(comm):
        network, machine, mapping, run = case(args.case, args.duration_ms, args.domains)
        result = simulate(network, machine, run, mapping, comm=comm)
        if result is not None:
            result.save(args.out)


def measure(name: str, ranks: int, duration_ms: float, domains: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "r.h5"
        command = [MPIEXEC, "-n", str(ranks), sys.executable, "-m", "benchmarks.timed_scaling",
                   "worker", "--case", name, "--duration-ms", str(duration_ms),
                   "--domains", str(domains), "--out", str(out)]
        subprocess.run(command, check=True, capture_output=True)
        result = load_result(out)
    d, a = result.datasets, result.attributes
    phases = result.group_attributes["profile"]["phases"]
    return {"ranks": ranks, "fabric_domains": domains, "run_wall_s": a["run_wall_s"],
            "spikes": int(sum(len(result.spikes(p)[0]) for p in result.populations)),
            "synaptic_events": int(d["cores/synaptic_events"].sum()),
            "packet_copies": int(d["cores/packets"].sum()),
            "link_packets": int(d["traffic/link_packets"].sum()),
            "router_packets": int(d["traffic/router_packets"].sum()),
            "neurons": int(sum(result.group_attributes[f"spikes/{p}"]["size"]
                               for p in result.populations)),
            "ticks": int(a["duration_ticks"]),
            "exchanges_per_rank": int(d["profile/exchanges"].max()),
            "windows_per_rank": int(d["profile/windows"].max()),
            "bytes_sent_per_rank": int(d["profile/bytes_sent"].max()),
            "profile_s": [dict(zip(phases, row)) for row in d["profile/seconds"].round(4)
                          .tolist()]}


def median_runs(runs: list[dict]) -> dict:
    """The run with the median wall time, with every wall time beside it."""
    ordered = sorted(runs, key=lambda r: r["run_wall_s"])
    return dict(ordered[len(ordered) // 2], run_wall_s_all=[r["run_wall_s"] for r in runs])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", nargs="?", default="driver", choices=["driver", "worker"])
    parser.add_argument("--ranks", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--cases", nargs="+", default=list(CASES), choices=list(CASES))
    parser.add_argument("--case", choices=list(CASES))
    parser.add_argument("--duration-ms", type=float, default=0.0,
                        help="model time (default: 200 ms on the torus, 500 ms on the chip)")
    parser.add_argument("--domains", type=int, default=1)
    parser.add_argument("--out")
    parser.add_argument("--name", default="timed_scaling")
    args = parser.parse_args()
    if args.mode == "worker":
        worker(args)
        return
    figures = {"target": "2 ranks >= 1.6x faster than 1; 4 ranks on 2 cores within 2x of the "
                         "best", "cases": {}}
    for name in args.cases:
        duration = args.duration_ms or {"torus": 200.0, "chip": 500.0}[name]
        variants = [(r, 1) for r in args.ranks]
        if name == "torus" and 2 in args.ranks:
            variants.append((2, 2))  # one fabric domain per rank: lookahead windows
        runs = {v: [] for v in variants}
        for _ in range(args.repeats):
            for ranks, domains in variants:
                runs[(ranks, domains)].append(measure(name, ranks, duration, domains))
                print(name, ranks, domains, runs[(ranks, domains)][-1]["run_wall_s"],
                      flush=True)
        results = [median_runs(r) for r in runs.values()]
        one = next(r["run_wall_s"] for r in results if r["ranks"] == 1)
        best = min(r["run_wall_s"] for r in results)
        for r in results:
            r["speedup_over_one_rank"] = round(one / r["run_wall_s"], 3)
            r["slowdown_over_best"] = round(r["run_wall_s"] / best, 3)
        figures["cases"][name] = {"workload": CASES[name], "duration_ms": duration,
                                  "results": results}
        print(json.dumps({f"{r['ranks']} ranks, {r['fabric_domains']} domains":
                          r["speedup_over_one_rank"] for r in results}))
    print("wrote", write_result(args.name, figures))


if __name__ == "__main__":
    main()
