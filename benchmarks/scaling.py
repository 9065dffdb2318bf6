"""MPI scaling: wall time per simulated second of a Brunel-like network on a 48-chip
SpiNNaker2 board for several rank counts (strong scaling), and of one chip's workload per
rank (weak scaling). Target: at least 70 % parallel efficiency at 16 ranks.

    python -m benchmarks.scaling --ranks 1 2 4 8 16 [--neurons 1000000] [--duration-ms 200]

Each measurement is a separate `mpiexec -n R python -m benchmarks.scaling worker ...`.
"""

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import chips
from networks import FixedInDegree, IFCurrExp, Network, SpikeSourcePoisson, Uniform
from simulator import MappingOptions, RunOptions, load_result, simulate
from simulator.distribution import all_ranks_end_on_failure, world

from .common import write_result

BOARD = "spinnaker2 48-chip board (8 x 8, no wrap)"
# the launcher that came with this Python's mpich wheel, else whichever is on the PATH
MPIEXEC = next((str(p) for p in [Path(sys.executable).parent / "mpiexec"] if p.exists()),
               "mpiexec")


def brunel_like(n_neurons: int, in_degree: int = 100) -> Network:
    """Brunel's sparse balanced network (model A in the asynchronous irregular regime) with
    80 % excitatory neurons, in-degree `in_degree` (10 % of Brunel's 1000, so that a
    million neurons fit in memory), inhibition g = 5 and Poisson drive."""
    n_exc = n_neurons * 4 // 5
    net = Network("brunel-like")
    model = IFCurrExp(tau_m_ms=20.0, cm_nf=0.25, v_rest_mv=0.0, v_reset_mv=10.0,
                      v_thresh_mv=20.0, tau_refrac_ms=2.0, tau_syn_e_ms=0.5, tau_syn_i_ms=0.5)
    exc = net.add_population("exc", n_exc, model, {"v": Uniform(0.0, 20.0)})
    inh = net.add_population("inh", n_neurons - n_exc, model, {"v": Uniform(0.0, 20.0)})
    drive = net.add_population("drive", n_neurons // 10, SpikeSourcePoisson(rate_hz=20.0))
    weight = 0.25 * 0.5  # nA: about 1 mV per spike at these time constants
    delay = 15           # 1.5 ms at 0.1 ms ticks
    for post in (exc, inh):
        net.connect(exc, post, FixedInDegree(in_degree * 4 // 5), weight=weight,
                    delay_ticks=delay)
        net.connect(inh, post, FixedInDegree(in_degree // 5), weight=-5 * weight,
                    delay_ticks=delay, receptor="inhibitory")
        net.connect(drive, post, FixedInDegree(in_degree // 4), weight=weight,
                    delay_ticks=delay)
    return net


def worker(args) -> None:
    """One measurement, run under mpiexec: simulate and write the result file."""
    comm = world()
    with all_ranks_end_on_failure(comm):
        if args.weak:
            machine = chips.spinnaker2(comm.size, 1, wrap=False)
        else:
            machine = chips.Machine(chips.spinnaker2().chip, 8, 8, wrap=False,
                                    layout="board48")
        network = brunel_like(args.neurons)
        run = RunOptions(duration_ms=args.duration_ms, timestep_ms=0.1,
                         fidelity=args.fidelity, traffic_window_ms=args.duration_ms)
        result = simulate(network, machine, run, MappingOptions(256, "spread", fit_memory=False), comm=comm)
        if result is not None:
            result.save(args.out)


def measure(ranks: int, neurons: int, duration_ms: float, fidelity: str, weak: bool) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "r.h5"
        command = [MPIEXEC, "-n", str(ranks), sys.executable, "-m", "benchmarks.scaling",
                   "worker", "--neurons", str(neurons), "--duration-ms", str(duration_ms),
                   "--fidelity", fidelity, "--out", str(out)] + (["--weak"] if weak else [])
        subprocess.run(command, check=True)
        result = load_result(out)
    a = result.attributes
    seconds_simulated = duration_ms / 1000
    profile = result.datasets["profile/seconds"]
    return {"ranks": ranks, "neurons": neurons, "run_wall_s": a["run_wall_s"],
            "wall_s_per_simulated_s": a["run_wall_s"] / seconds_simulated,
            "build_wall_s": a["build_wall_s"], "peak_rss_bytes": a["peak_rss_bytes"],
            "spikes": int(sum(len(result.spikes(p)[0]) for p in result.populations)),
            "exchanges_per_rank": int(result.datasets["profile/exchanges"][0]),
            "profile_max_s": dict(zip(result.group_attributes["profile"]["phases"],
                                      profile.max(axis=0).round(3).tolist()))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", nargs="?", default="driver", choices=["driver", "worker"])
    parser.add_argument("--ranks", type=int, nargs="+", default=[1, 2, 4, 8, 16])
    parser.add_argument("--neurons", type=int, default=1_000_000)
    parser.add_argument("--weak-neurons", type=int, default=20_000,
                        help="neurons per rank (one chip's workload) for weak scaling")
    parser.add_argument("--duration-ms", type=float, default=200.0)
    parser.add_argument("--fidelity", default="functional")
    parser.add_argument("--weak", action="store_true")
    parser.add_argument("--out")
    parser.add_argument("--name", default="scaling")
    args = parser.parse_args()
    if args.mode == "worker":
        worker(args)
        return
    strong = [measure(r, args.neurons, args.duration_ms, args.fidelity, False)
              for r in args.ranks]
    base = strong[0]["run_wall_s"] * strong[0]["ranks"]
    for m in strong:
        m["efficiency"] = round(base / (m["run_wall_s"] * m["ranks"]), 3)
        print(json.dumps(m))
    weak = [measure(r, args.weak_neurons * r, args.duration_ms, args.fidelity, True)
            for r in args.ranks]
    for m in weak:
        m["efficiency"] = round(weak[0]["run_wall_s"] / m["run_wall_s"], 3)
        print(json.dumps(m))
    figures = {"workload": f"Brunel-like, in-degree 100, 1.5 ms delays, 0.1 ms ticks, "
                           f"{args.duration_ms:g} ms, {args.fidelity}",
               "strong": {"machine": BOARD, "results": strong},
               "weak": {"machine": "one SpiNNaker2 chip per rank, in a line",
                        "neurons_per_rank": args.weak_neurons, "results": weak}}
    print("wrote", write_result(args.name, figures))


if __name__ == "__main__":
    main()
