"""Firing rates and CV of inter-spike intervals of the library's SNNs against references.

    python -m benchmarks.snn_references [--brian2-python PATH] [--brunel-scales 0.2 1.0]
                                        [--microcircuit-scales 0.1 0.25 0.5]

CUBA (4000 neurons) and Brunel (scale 0.2: 2000 + 500 neurons with the full in-degrees, and
scale 1) run here and in Brian2 on the same parameters (benchmarks/snn_references_brian2.py, in the
Brian2 venv: .venv-brian2 beside the repository, or the path given); the microcircuit runs at
reduced scales and is set against the published full-scale rates. 1 s of model time at
0.1 ms, functional fidelity. Stores benchmarks/results/snn_references.json.
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
from networks.library.microcircuit import POPULATIONS, REFERENCE_RATES_HZ
from simulator import MappingOptions, RunOptions, simulate
from simulator.distribution import SerialComm

from .brian2_side import statistics
from .common import RESULTS, write_result

REPO = Path(__file__).resolve().parents[1]
BRIAN2_CANDIDATES = (REPO / ".venv-brian2" / "bin" / "python",
                     REPO.parent / "main" / ".venv-brian2" / "bin" / "python")
DT_MS, DURATION_MS = 0.1, 1000.0


def neurochip_rates(library: str, params, populations, skip_ms: float = 0.0) -> dict:
    """Rate and mean CV of ISI of `populations` of a library network, on a 2 x 2 SpiNNaker2
    torus (256 neurons a core, spread placement, slices not cut to core memory: this measures
    the network, not the mapping); spikes before `skip_ms` left out."""
    net = LIBRARY[library].build(params, DT_MS)
    run = RunOptions(duration_ms=DURATION_MS, timestep_ms=DT_MS, fidelity="functional",
                     seed=1, traffic_window_ms=100.0)
    result = simulate(net, chips.spinnaker2(2, 2), run,
                      MappingOptions(256, "spread", fit_memory=False), comm=SerialComm())
    out = {}
    for name in populations:
        ticks, ids = result.spikes(name)
        keep = ticks * DT_MS >= skip_ms
        size = net.population(name).size
        out.update(statistics(ticks[keep] * DT_MS * 1e-3, ids[keep], {name: (0, size)},
                              (DURATION_MS - skip_ms) * 1e-3))
    return {"populations": out, "run_wall_s": float(result.attributes["run_wall_s"]),
            "build_wall_s": float(result.attributes["build_wall_s"])}


def brian2_rates(python: Path | None, network: str, scale: float = 1.0) -> dict | None:
    if python is None:
        return None
    args = [str(python), str(REPO / "benchmarks" / "snn_references_brian2.py"), network,
            "--scale", str(scale)]
    done = subprocess.run(args, check=True, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--brian2-python", type=Path, default=None)
    parser.add_argument("--brunel-scales", nargs="*", type=float, default=[0.2, 1.0])
    parser.add_argument("--microcircuit-scales", nargs="*", type=float,
                        default=[0.1, 0.25, 0.5])
    parser.add_argument("--networks", nargs="*", default=["cuba", "brunel", "microcircuit"],
                        help="run only these; the others keep their stored figures, and "
                             "microcircuit runs of other scales are kept")
    args = parser.parse_args(argv)
    python = args.brian2_python or next((p for p in BRIAN2_CANDIDATES if p.exists()), None)
    stored = RESULTS / "snn_references.json"
    figures = json.loads(stored.read_text())["figures"] if stored.exists() else {}
    figures.update({"duration_ms": DURATION_MS, "timestep_ms": DT_MS})
    if "cuba" in args.networks:
        figures["cuba"] = {
        "neurochip": neurochip_rates("cuba", LIBRARY["cuba"].params(), ("exc", "inh")),
            "brian2": brian2_rates(python, "cuba"),
            "published": "Brian2 CUBA example, 4000 neurons: 5.60-5.66 Hz, CV about 0.51"}
    if "brunel" in args.networks:
        figures["brunel"] = []
        for scale in args.brunel_scales:
            brunel = replace(LIBRARY["brunel"].params(), scale=scale)
            figures["brunel"].append({
                "scale": scale, "neurochip": neurochip_rates("brunel", brunel, ("exc", "inh")),
                "brian2": brian2_rates(python, "brunel", scale)})
    if "microcircuit" in args.networks:
        kept = [r for r in figures.get("microcircuit", {}).get("runs", [])
                if r["scale"] not in args.microcircuit_scales]
        figures["microcircuit"] = {
            "reference_rates_hz": dict(zip(POPULATIONS, REFERENCE_RATES_HZ.tolist())),
            "skip_ms": 200.0, "runs": kept}
        for scale in args.microcircuit_scales:
            params = replace(LIBRARY["microcircuit"].params(), scale=scale, k_scale=scale)
            run = neurochip_rates("microcircuit", params, POPULATIONS, skip_ms=200.0)
            figures["microcircuit"]["runs"].append({"scale": scale, "k_scale": scale, **run})
        figures["microcircuit"]["runs"].sort(key=lambda r: r["scale"])
    write_result("snn_references", figures)
    print(json.dumps({k: v for k, v in figures.items()}, indent=1, default=float)[:6000])


if __name__ == "__main__":
    main(sys.argv[1:])
