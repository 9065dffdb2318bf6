"""Vogels-Abbott CUBA: PyNN's own examples/VAbenchmarks.py on pyNN.nest and on neurochip.

    python -m benchmarks.pynn_va [--nest-python PATH] [--seeds N] [--pynn-source DIR]

The script (benchmarks/pynn_source.py fetches it) runs unchanged: `VAbenchmarks.py nest
CUBA` with the NEST venv's Python (NEST 3.10 and PyNN from PyPI, /work/venvs/nest by
default), and `VAbenchmarks.py neurochip CUBA` here, where `pyNN.neurochip` is made an alias
of `simulator.pynn` so that the script's get_simulator finds it (default fidelity and
machine). For the spread of rates between realisations of the same network it runs again
with other seeds: NEST with the script's `rngseed` changed, neurochip with `rng_seed` added to
its setup call (neurochip draws its own random numbers; it does not read NumpyRNG's seed).
Stores benchmarks/results/pynn_va.json.
"""

import argparse
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .common import write_result
from .pynn_source import pynn_source

NEST_PYTHON = "/work/venvs/nest/bin/python"
SCRIPT_SEED = 98765
LAUNCH_NEUROCHIP = """
import runpy, sys
import simulator.pynn
seed = int(sys.argv[1])
if seed >= 0:
    setup = simulator.pynn.setup
    simulator.pynn.setup = lambda *a, **k: setup(*a, rng_seed=seed, **k)
sys.modules["pyNN.neurochip"] = simulator.pynn
sys.argv = ["VAbenchmarks.py", "neurochip", "CUBA"]
runpy.run_path("VAbenchmarks.py", run_name="__main__")
"""
FIGURES = {"exc_rate_hz": r"Excitatory rate\s*:\s*([-\d.eE+]+)",
           "inh_rate_hz": r"Inhibitory rate\s*:\s*([-\d.eE+]+)",
           "build_s": r"Build time\s*:\s*([-\d.eE+]+)",
           "simulation_s": r"Simulation time\s*:\s*([-\d.eE+]+)"}


def run_script(command: list[str], script: str, folder: Path) -> dict:
    """Run VAbenchmarks.py (text `script`) in `folder` and read the figures it prints."""
    folder.mkdir(parents=True)
    (folder / "VAbenchmarks.py").write_text(script)
    started = time.perf_counter()
    done = subprocess.run(command, cwd=folder, capture_output=True, text=True, timeout=3600)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{done.stderr[-3000:]}")
    figures = {name: float(re.search(pattern, done.stdout)[1])
               for name, pattern in FIGURES.items()}
    figures["synapses"] = re.search(r"Number of Synapses\s*:\s*(.*)", done.stdout)[1].strip()
    figures["wall_s"] = round(time.perf_counter() - started, 2)
    return figures


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nest-python", default=NEST_PYTHON)
    parser.add_argument("--seeds", type=int, default=5, help="realisations on each side")
    parser.add_argument("--pynn-source", help="an unpacked PyNN source distribution")
    args = parser.parse_args(argv)
    source = pynn_source(args.pynn_source)
    script = (source / "examples" / "VAbenchmarks.py").read_text()
    assert f"rngseed  = {SCRIPT_SEED}" in script, "VAbenchmarks.py changed: check its seed"
    work = Path(tempfile.mkdtemp(prefix="pynn-va-"))
    nest, neurochip = [], []
    for k in range(args.seeds):
        seed = SCRIPT_SEED + k
        text = script.replace(f"rngseed  = {SCRIPT_SEED}", f"rngseed  = {seed}")
        nest.append({"rngseed": seed, "unchanged": k == 0, **run_script(
            [args.nest_python, "VAbenchmarks.py", "nest", "CUBA"], text, work / f"nest{k}")})
        neurochip.append({"rng_seed": None if k == 0 else k, "unchanged": k == 0, **run_script(
            [sys.executable, "-c", LAUNCH_NEUROCHIP, str(k if k else -1)], script,
            work / f"neurochip{k}")})
        print(f"seed {k}: nest {nest[-1]['exc_rate_hz']:.3f}/{nest[-1]['inh_rate_hz']:.3f} Hz,"
              f" neurochip {neurochip[-1]['exc_rate_hz']:.3f}/"
              f"{neurochip[-1]['inh_rate_hz']:.3f} Hz", flush=True)
    nest_version = subprocess.run([args.nest_python, "-c", "import nest, pyNN; print("
                                   "nest.__version__, pyNN.__version__)"],
                                  capture_output=True, text=True).stdout.split()[-2:]
    figures = {"script": "PyNN examples/VAbenchmarks.py (PyNN source distribution), CUBA",
               "nest_version": nest_version[0], "nest_pynn_version": nest_version[1],
               "nest": nest, "neurochip": neurochip}
    for side, runs in (("nest", nest), ("neurochip", neurochip)):
        for rate in ("exc_rate_hz", "inh_rate_hz"):
            values = [r[rate] for r in runs]
            figures[f"{side}_{rate}_range"] = [min(values), max(values)]
    path = write_result("pynn_va", figures)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
