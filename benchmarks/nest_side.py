"""The NEST half of benchmarks/peer_nest.py; runs in a venv with NEST 3 (`pip install
nest-simulator`, never neurochip's) and prints one JSON line: build and simulation wall
time, synapses, spikes and firing statistics of one network, written as neurochip's library
builds it (docs/conventions.md: refractory R h, delays d h, weights in pA = nA x 1000,
threshold v >= theta):

- `cuba`: `networks/library/cuba.py` with iaf_psc_exp, pairwise Bernoulli p = 0.02;
- `brunel`: `networks/library/brunel.py` with iaf_psc_delta, fixed in-degrees C_E, C_I and
  one poisson_generator of C_E x eta x nu_thr onto every neuron.

    /path/to/nest-venv/bin/python benchmarks/nest_side.py cuba --neurons 4000 --threads 1
"""

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from brian2_side import statistics  # noqa: E402


def cuba(nest, n: int):
    """Vogels-Abbott CUBA: 80 % excitatory, w_exc 1.62 mV and w_inh -9 mV as currents."""
    n_exc = round(0.8 * n)
    tau_m, cm_pf = 20.0, 1000.0
    cells = nest.Create("iaf_psc_exp", n, params={
        "tau_m": tau_m, "C_m": cm_pf, "E_L": -49.0, "V_th": -50.0, "V_reset": -60.0,
        "t_ref": 5.0, "tau_syn_ex": 5.0, "tau_syn_in": 10.0,
        "V_m": nest.random.uniform(-60.0, -50.0)})
    mv_to_pa = cm_pf / tau_m
    for pre, weight_mv in ((cells[:n_exc], 1.62), (cells[n_exc:], -9.0)):
        nest.Connect(pre, cells, {"rule": "pairwise_bernoulli", "p": 0.02},
                     {"weight": weight_mv * mv_to_pa, "delay": 0.1})
    return cells, {"exc": (0, n_exc), "inh": (n_exc, n)}


def brunel(nest, n: int):
    """Brunel (2000) model A at the library's fixed in-degrees: J 0.1 mV, g 5, eta 2, delay
    1.5 ms, tau 20 ms, theta 20 mV, reset 10 mV, refractory 2 ms."""
    n_exc = n * 4 // 5
    c_exc, c_inh = min(n_exc, 1000), min(n - n_exc, 250)
    j, g, eta, tau, theta = 0.1, 5.0, 2.0, 20.0, 20.0
    cells = nest.Create("iaf_psc_delta", n, params={
        "tau_m": tau, "C_m": 1.0, "E_L": 0.0, "V_th": theta, "V_reset": 10.0, "t_ref": 2.0,
        "V_m": nest.random.uniform(0.0, theta)})
    for pre, c, weight in ((cells[:n_exc], c_exc, j), (cells[n_exc:], c_inh, -g * j)):
        nest.Connect(pre, cells, {"rule": "fixed_indegree", "indegree": c},
                     {"weight": weight, "delay": 1.5})
    rate_hz = c_exc * eta * theta / (j * c_exc * tau) * 1e3
    drive = nest.Create("poisson_generator", params={"rate": rate_hz})
    nest.Connect(drive, cells, syn_spec={"weight": j, "delay": 0.1})
    return cells, {"exc": (0, n_exc), "inh": (n_exc, n)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("network", choices=["cuba", "brunel"])
    parser.add_argument("--neurons", type=int, default=4000)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--duration-ms", type=float, default=1000.0)
    parser.add_argument("--dt-ms", type=float, default=0.1)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    import nest
    nest.set_verbosity("M_ERROR")
    nest.ResetKernel()
    nest.SetKernelStatus({"resolution": args.dt_ms, "local_num_threads": args.threads,
                          "rng_seed": args.seed})
    started = time.perf_counter()
    cells, ranges = (cuba if args.network == "cuba" else brunel)(nest, args.neurons)
    recorder = nest.Create("spike_recorder")
    nest.Connect(cells, recorder)
    nest.Prepare()
    built = time.perf_counter()
    nest.Run(args.duration_ms)
    run_s = time.perf_counter() - built
    nest.Cleanup()
    events = recorder.events
    first = cells[0].global_id
    times_s = np.asarray(events["times"]) / 1000.0
    ids = np.asarray(events["senders"]) - first
    json.dump({"simulator": f"nest {nest.__version__} {args.threads} thread"
                            f"{'s' if args.threads > 1 else ''}",
               "threads": args.threads, "build_wall_s": built - started, "run_wall_s": run_s,
               "synapses": int(nest.GetKernelStatus("num_connections")) - args.neurons
               - (args.neurons if args.network == "brunel" else 0),
               "spikes": int(len(times_s)),
               "populations": statistics(times_s, ids, ranges, args.duration_ms / 1000)},
              sys.stdout)


if __name__ == "__main__":
    main()
