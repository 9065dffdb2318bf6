"""The host memory estimate (`simulator/memory.py`) against the measured peak resident memory
of `neurochip run`: the example networks as shipped, larger CUBA networks (many slices, so
many slice pairs and synaptic rows), recorded state variables and a Poisson flood of
recorded spikes. Target: the estimate within 25 % of the measured peak for every case
(`tests/test_memory.py` recomputes the estimates against the figures stored here).

    python -m benchmarks.memory_estimate [CASE ...]

Each case runs `neurochip run` in a fresh process, twice; the peak RSS of the second run
(from wait4) is kept, so that Numba compiling kernels after a code change (cached on disk
for later runs, about 180 MB more once) is not counted.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from simulator import load_config, parse_config
from simulator.memory import estimate

from .common import RESULTS, write_result

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = ("synfire", "nir_lif", "cuba", "brunel", "microcircuit", "bottleneck", "egru",
            "evnn_lm")
CUBA = (REPO / "examples" / "cuba.toml").read_text()
BOTTLENECK = (REPO / "examples" / "bottleneck.toml").read_text()


def cuba(neurons: int, duration_ms: float, fidelity: str = "timed", record: str = "",
         chips: int = 4) -> str:
    return CUBA.replace("n_neurons = 4000", f"n_neurons = {neurons}").replace(
        "duration_ms = 1000.0", f"duration_ms = {duration_ms}").replace(
        'fidelity = "timed"', f'fidelity = "{fidelity}"').replace(
        "width = 2\nheight = 2", f"width = {chips}\nheight = {chips}") + record


CONFIGS = {
    "cuba_20k_timed": cuba(20_000, 100.0),
    "cuba_20k_functional": cuba(20_000, 100.0, "functional"),
    "cuba_30k_functional": cuba(30_000, 20.0, "functional", chips=8),
    "cuba_record_state": cuba(4000, 200.0, record='\n[record]\nexc = ["v", "i_exc", "i_inh"]\n'
                                                  'inh = ["v"]\n'),
    # 8192 Poisson sources at 1 kHz: 4.1 million recorded spikes in 0.5 s; the LIF layers
    # behind them stay silent (input_mv 0.1), so the spikes are those the rates predict.
    "poisson_flood": BOTTLENECK.replace("input_rate_hz = 20.0", "input_rate_hz = 1000.0")
    .replace("width = 1024", "width = 8192").replace("layers_per_chip = 2",
                                                     "layers_per_chip = 1")
    .replace("in_degree = 100", "in_degree = 10").replace("input_mv = 45.0",
                                                          "input_mv = 0.1"),
}


def config_of(case: str):
    """The checked config of a case: an example file, or a stored text."""
    if case in EXAMPLES:
        return load_config(REPO / "examples" / f"{case}.toml")
    return parse_config(CONFIGS[case])


def estimate_bytes(case: str) -> int:
    config = config_of(case)
    return int(estimate(config.build_network(), config.machine, config.run, config.mapping,
                        1).total)


def measure(case: str) -> dict:
    """Peak RSS of `neurochip run` of the case in a fresh process, after a first run."""
    run_once(case)
    return run_once(case)


def run_once(case: str) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        path = REPO / "examples" / f"{case}.toml" if case in EXAMPLES else \
            Path(folder) / f"{case}.toml"
        if case not in EXAMPLES:
            path.write_text(CONFIGS[case])
        started = time.perf_counter()
        process = subprocess.Popen([sys.executable, "-m", "simulator.cli", "run", str(path),
                                    "--out", str(Path(folder) / "r.h5"), "--quiet"],
                                   cwd=REPO)
        _, status, usage = os.wait4(process.pid, 0)
        if status != 0:
            raise SystemExit(f"{case}: neurochip run failed (status {status})")
        return {"peak_rss_bytes": usage.ru_maxrss * 1024,
                "wall_s": round(time.perf_counter() - started, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cases", nargs="*", help="cases to rerun (default: all)")
    args = parser.parse_args()
    stored = RESULTS / "memory_estimate.json"
    cases = json.loads(stored.read_text())["figures"]["cases"] if stored.exists() else {}
    chosen = args.cases or [*EXAMPLES, *CONFIGS]
    # Every run first, while this process is small: Linux counts the memory of the process
    # that starts a child in the child's peak RSS (until exec), so estimating first (EGRU
    # builds 300 MB here) would inflate the peaks of the small cases measured after it.
    measured = {case: measure(case) for case in chosen}
    for case in chosen:
        figures = measured[case]
        figures["estimate_bytes"] = estimate_bytes(case)
        figures["ratio"] = round(figures["estimate_bytes"] / figures["peak_rss_bytes"], 3)
        cases[case] = figures
        print(case, json.dumps(figures), flush=True)
    figures = {"cases": cases, "configs": CONFIGS, "target": "estimate within 25 % of the "
                                                              "measured peak"}
    print("wrote", write_result("memory_estimate", figures))


if __name__ == "__main__":
    main()
