"""What timing costs: wall time of functional, timed and packet fidelity on the bundled CUBA
example, and where the time goes. Target: timed at most 3x functional.

    python -m benchmarks.fidelity_cost [--repeats N]
"""

import argparse
from dataclasses import replace
from pathlib import Path

import numpy as np

from simulator import load_config, simulate
from simulator.distribution import SerialComm

from .common import write_result

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "cuba.toml"


def measure(fidelity: str, repeats: int) -> dict:
    config = load_config(EXAMPLE)
    network = config.build_network()
    run = replace(config.run, fidelity=fidelity)
    best = None
    for _ in range(repeats):
        result = simulate(network, config.machine, run, config.mapping, comm=SerialComm())
        if best is None or result.attributes["run_wall_s"] < best.attributes["run_wall_s"]:
            best = result
    seconds = best.datasets["profile/seconds"][0]
    phases = best.group_attributes["profile"]["phases"]
    return {"run_wall_s": best.attributes["run_wall_s"],
            "build_wall_s": best.attributes["build_wall_s"],
            "spikes": int(sum(len(best.spikes(p)[0]) for p in best.populations)),
            "link_packets": int(best.datasets["traffic/link_packets"].sum()),
            "profile_s": {str(p): round(float(s), 4) for p, s in zip(phases, seconds)}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    figures = {"network": "examples/cuba.toml: CUBA 4000 neurons, 2 x 2 SpiNNaker2, 1 s at "
                          "0.1 ms"}
    for fidelity in ("functional", "timed", "packet"):
        figures[fidelity] = measure(fidelity, args.repeats if fidelity != "packet" else 1)
        print(fidelity, figures[fidelity])
    figures["timed_over_functional"] = round(
        figures["timed"]["run_wall_s"] / figures["functional"]["run_wall_s"], 2)
    figures["packet_over_timed"] = round(
        figures["packet"]["run_wall_s"] / figures["timed"]["run_wall_s"], 1)
    assert np.isfinite(figures["timed_over_functional"])
    print("timed / functional:", figures["timed_over_functional"])
    print("wrote", write_result("fidelity_cost", figures))


if __name__ == "__main__":
    main()
