"""Memory per synapse and per neuron, measured as peak resident memory of fresh processes.
Targets: at most 16 bytes per synapse and 1 KB per neuron.

    python -m benchmarks.memory

Each point runs `python -m benchmarks.memory point NEURONS IN_DEGREE` in a new process, so
its peak RSS holds that run alone; the per-synapse and per-neuron costs are the slopes
between points (the interpreter, Numba and the libraries are the intercept).
"""

import argparse
import json
import resource
import subprocess
import sys

import chips
from networks import FixedInDegree, IFCurrExp, Network, SpikeSourcePoisson
from simulator import MappingOptions, RunOptions, simulate
from simulator.distribution import SerialComm

from .common import write_result


def point(neurons: int, in_degree: int) -> dict:
    net = Network("memory")
    drive = net.add_population("drive", 1000, SpikeSourcePoisson(rate_hz=5.0))
    cells = net.add_population("cells", neurons, IFCurrExp())
    if in_degree:
        net.connect(drive, cells, FixedInDegree(in_degree), weight=0.01)
    machine = chips.spinnaker2(4, 4)
    run = RunOptions(duration_ms=10.0, timestep_ms=1.0, fidelity="functional")
    result = simulate(net, machine, run, MappingOptions(256, "spread", fit_memory=False), comm=SerialComm())
    return {"neurons": neurons + 1000, "synapses": neurons * in_degree,
            "peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
            "spikes": int(len(result.spikes("cells")[0]))}


def measure(neurons: int, in_degree: int) -> dict:
    done = subprocess.run([sys.executable, "-m", "benchmarks.memory", "point", str(neurons),
                           str(in_degree)], check=True, capture_output=True, text=True)
    return json.loads(done.stdout)


def slope(a: dict, b: dict, key: str) -> float:
    return (b["peak_rss_bytes"] - a["peak_rss_bytes"]) / (b[key] - a[key])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", nargs="?", default="driver", choices=["driver", "point"])
    parser.add_argument("numbers", nargs="*", type=int)
    args = parser.parse_args()
    if args.mode == "point":
        print(json.dumps(point(*args.numbers)))
        return
    synapse_points = [measure(100_000, k) for k in (50, 500)]
    neuron_points = [measure(n, 0) for n in (50_000, 500_000)]
    figures = {"synapse_points": synapse_points, "neuron_points": neuron_points,
               "bytes_per_synapse": round(slope(*synapse_points, "synapses"), 2),
               "bytes_per_neuron": round(slope(*neuron_points, "neurons"), 1),
               "targets": {"bytes_per_synapse": 16, "bytes_per_neuron": 1024}}
    print(json.dumps(figures, indent=1))
    print("wrote", write_result("memory", figures))


if __name__ == "__main__":
    main()
