"""Brian2 runs of the reference networks, on the parameters neurochip's library uses.

    .venv-brian2/bin/python benchmarks/snn_references_brian2.py brunel --scale 0.2

Runs in a venv with Brian2 (never neurochip's); prints one JSON object with the rate and the
mean CV of inter-spike intervals of each population (same statistics as neurochip's side).
Brunel here matches neurochip's `brunel` entry: fixed in-degrees C_E = 0.1 x 10000 and
C_I = 0.1 x 2500 at any scale, input that arrives during the refractory period discarded
(as NEST's iaf_psc_delta), external drive by PoissonInput. CUBA is Brian2's own example.
"""

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from brian2_side import cuba, statistics  # noqa: E402


def brunel(b2, scale: float, g: float, eta: float, seed: int):
    ms, mV = b2.ms, b2.mV
    n_exc, n_inh = round(10000 * scale), round(2500 * scale)
    c_exc, c_inh = min(n_exc, 1000), min(n_inh, 250)
    j, tau, theta, v_reset = 0.1 * mV, 20 * ms, 20 * mV, 10 * mV
    nu_threshold = theta / (j * c_exc * tau)
    group = b2.NeuronGroup(n_exc + n_inh, "dv/dt = -v / tau : volt (unless refractory)",
                           threshold="v >= theta", reset="v = v_reset", refractory=2 * ms,
                           method="exact",
                           namespace=dict(tau=tau, theta=theta, v_reset=v_reset))
    group.v = "rand() * theta"
    rng = np.random.default_rng(seed)
    n = n_exc + n_inh
    objects = [group]
    for lo, hi, c, w in ((0, n_exc, c_exc, j), (n_exc, n, c_inh, -g * j)):
        pre = np.concatenate([lo + rng.choice(hi - lo, c, replace=False) for _ in range(n)])
        post = np.repeat(np.arange(n), c)
        syn = b2.Synapses(group, group, on_pre="v += w * int(not_refractory)",
                          delay=1.5 * ms, namespace=dict(w=w))
        syn.connect(i=pre, j=post)
        objects.append(syn)
    objects.append(b2.PoissonInput(group, "v", c_exc, eta * nu_threshold,
                                   weight="0.1 * mV * int(not_refractory)"))
    return objects, group, {"exc": (0, n_exc), "inh": (n_exc, n)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("network", choices=["cuba", "brunel"])
    parser.add_argument("--scale", type=float, default=0.2)
    parser.add_argument("--g", type=float, default=5.0)
    parser.add_argument("--eta", type=float, default=2.0)
    parser.add_argument("--duration-ms", type=float, default=1000.0)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    import brian2 as b2
    b2.seed(args.seed)
    b2.defaultclock.dt = 0.1 * b2.ms
    started = time.perf_counter()
    if args.network == "cuba":
        objects, group, ranges = cuba(b2, 4000, 0.02)
    else:
        objects, group, ranges = brunel(b2, args.scale, args.g, args.eta, args.seed)
    monitor = b2.SpikeMonitor(group)
    b2.Network(*objects, monitor).run(args.duration_ms * b2.ms)
    times = np.asarray(monitor.t / b2.second)
    ids = np.asarray(monitor.i)
    json.dump({"simulator": f"brian2 {b2.__version__}", "wall_s": time.perf_counter() - started,
               "populations": statistics(times, ids, ranges, args.duration_ms / 1000)},
              sys.stdout)


if __name__ == "__main__":
    main()
