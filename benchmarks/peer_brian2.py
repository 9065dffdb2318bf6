"""Side by side with Brian2 on the same networks and parameters: Brian2's runtime target
(Cython) and its cpp_standalone device against neurochip's functional and timed fidelity,
build time (including code generation, JIT and C++ compilation) and run time separately,
and the firing statistics of each so that the same work is compared. The Brian2 side is
written in neurochip's timing conventions (docs/conventions.md), so both run one network.

    python -m benchmarks.peer_brian2 [--cases cuba:4000 cuba:40000 brunel:12500]
                                     [--brian2-python PATH] [--repeat 3]

Brian2 lives in its own venv (it needs numpy < 2.4 on Python 3.11, and is never a
dependency of neurochip):

    python3.11 -m venv .venv-brian2 && .venv-brian2/bin/pip install brian2 "numpy<2.4"
"""

import argparse
import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np

import chips
from networks.library import LIBRARY
from simulator import MappingOptions, RunOptions, simulate
from simulator.distribution import SerialComm

from .brian2_side import statistics
from .common import write_result

REPO = Path(__file__).resolve().parents[1]
BRIAN2_PYTHON = REPO / ".venv-brian2" / "bin" / "python"
DURATION_MS, DT_MS = 1000.0, 0.1


def neurochip_case(network: str, neurons: int, fidelity: str) -> dict:
    """The network from neurochip's library on enough SpiNNaker2 chips, 64 neurons a core."""
    entry = LIBRARY[network]
    if network == "cuba":
        params = replace(entry.params(), n_neurons=neurons)
    else:
        params = replace(entry.params(), n_exc=neurons * 4 // 5)
    net = entry.build(params, DT_MS)
    cores = sum(-(-p.size // 64) for p in net.populations)
    n_chips = -(-cores // 152)
    width = max(2, int(np.ceil(np.sqrt(n_chips))))
    machine = chips.spinnaker2(width, -(-n_chips // width) if n_chips > 2 else 2)
    run = RunOptions(duration_ms=DURATION_MS, timestep_ms=DT_MS, fidelity=fidelity, seed=1,
                     traffic_window_ms=100.0)
    result = simulate(net, machine, run, MappingOptions(64, "spread", fit_memory=False), comm=SerialComm())
    ranges, offset = {}, 0
    ticks, ids = [], []
    for pop in net.populations:
        times, index = result.spikes(pop.name)
        if not pop.is_source:
            ranges[pop.name] = (offset, offset + pop.size)
            ticks.append(times)
            ids.append(index + offset)
        offset += pop.size
    times_s = np.concatenate(ticks) * DT_MS / 1000
    return {"simulator": f"neurochip {fidelity}",
            "build_wall_s": result.attributes["build_wall_s"],
            "run_wall_s": result.attributes["run_wall_s"],
            "synapses": int(result.datasets["mapping/edges"]["synapses"].sum()),
            "synaptic_events": result.attributes["synaptic_events"],
            "machine": result.attributes["machine"],
            "populations": statistics(times_s, np.concatenate(ids), ranges,
                                      DURATION_MS / 1000)}


def repeated(rows: list[dict]) -> dict:
    """The first row with the median run time of all and each one's."""
    times = [row["run_wall_s"] for row in rows]
    return {**rows[0], "run_wall_s": float(np.median(times)), "run_wall_s_each": times}


def brian2_case(network: str, neurons: int, device: str, python: Path,
                repeat: int = 1) -> dict:
    if not python.exists():
        raise SystemExit(f"no Brian2 venv at {python.parent.parent}; create it as the "
                         f"docstring of benchmarks/peer_brian2.py says, or give "
                         f"--brian2-python")
    done = subprocess.run([str(python), str(REPO / "benchmarks" / "brian2_side.py"),
                           network, "--neurons", str(neurons), "--device", device,
                           "--duration-ms", str(DURATION_MS), "--dt-ms", str(DT_MS),
                           "--repeat", str(repeat)],
                          check=True, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", nargs="+", default=["cuba:4000", "cuba:40000",
                                                       "brunel:12500"])
    parser.add_argument("--brian2-python", type=Path, default=BRIAN2_PYTHON)
    parser.add_argument("--repeat", type=int, default=3,
                        help="runs of Brian2's compiled binary and of neurochip functional, "
                             "back to back; their medians are compared")
    args = parser.parse_args()
    figures = {"duration_ms": DURATION_MS, "dt_ms": DT_MS, "repeat": args.repeat,
               "cases": []}
    for case in args.cases:
        network, neurons = case.split(":")
        rows = [brian2_case(network, int(neurons), "runtime", args.brian2_python),
                brian2_case(network, int(neurons), "cpp_standalone", args.brian2_python,
                            args.repeat),
                repeated([neurochip_case(network, int(neurons), "functional")
                          for _ in range(args.repeat)]),
                neurochip_case(network, int(neurons), "timed")]
        for row in rows:
            print(network, neurons, json.dumps(row), file=sys.stderr)
        by = {row["simulator"].split()[0] + " " + row["simulator"].split()[-1]: row
              for row in rows}
        functional = by["neurochip functional"]["run_wall_s"]
        figures["cases"].append({
            "network": network, "neurons": int(neurons), "results": rows,
            "functional_vs_cpp_standalone": round(
                by["brian2 cpp_standalone"]["run_wall_s"] / functional, 2),
            "functional_vs_runtime": round(by["brian2 runtime"]["run_wall_s"] / functional, 2),
            "timed_over_functional": round(by["neurochip timed"]["run_wall_s"] / functional,
                                           2)})
    print("wrote", write_result("peer_brian2", figures))


if __name__ == "__main__":
    main()
