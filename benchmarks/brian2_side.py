"""The Brian2 half of the peer comparison; runs in a venv with Brian2 (never neurochip's).

    .venv-brian2/bin/python benchmarks/brian2_side.py cuba --neurons 4000 --device runtime

Prints one JSON object: build and run wall time, and firing statistics.
"""

import argparse
import json
import sys
import tempfile
import time

import numpy as np


def cuba(b2, n: int, p: float, dt_ms: float):
    """Vogels-Abbott CUBA as in Brian2's example (80 % excitatory, weights in mV) in
    neurochip's conventions (docs/conventions.md): refractory 5 ms = 50 ticks is Brian2's
    (50 + 1) dt, the one-tick delay of an exponential current is Brian2's delay dt in the
    default schedule, threshold v >= Vt."""
    ms, mV = b2.ms, b2.mV
    eqs = """dv/dt = (ge + gi - (v - El)) / taum : volt (unless refractory)
             dge/dt = -ge / taue : volt
             dgi/dt = -gi / taui : volt"""
    namespace = dict(taum=20 * ms, taue=5 * ms, taui=10 * ms, Vt=-50 * mV, Vr=-60 * mV,
                     El=-49 * mV, we=1.62 * mV, wi=-9 * mV)
    group = b2.NeuronGroup(n, eqs, threshold="v >= Vt", reset="v = Vr",
                           refractory=5 * ms + dt_ms * ms, method="exact",
                           namespace=namespace)
    group.v = "Vr + rand() * (Vt - Vr)"
    n_exc = int(0.8 * n)
    exc = b2.Synapses(group, group, on_pre="ge += we", delay=dt_ms * ms, namespace=namespace)
    inh = b2.Synapses(group, group, on_pre="gi += wi", delay=dt_ms * ms, namespace=namespace)
    exc.connect(condition=f"i < {n_exc}", p=p)
    inh.connect(condition=f"i >= {n_exc}", p=p)
    return [group, exc, inh], group, {"exc": (0, n_exc), "inh": (n_exc, n)}


def brunel(b2, scale: float, g: float, eta: float, seed: int, dt_ms: float):
    """Brunel (2000) model A as neurochip's `brunel` entry: fixed in-degrees C_E = 0.1 x
    10000 and C_I = 0.1 x 2500 at any scale, J = 0.1 mV, tau 20 ms, threshold 20 mV, reset
    10 mV, external drive by PoissonInput; in neurochip's conventions: refractory 2 ms = 20
    ticks is (20 + 1) dt, the 15-tick delay of a delta synapse is (15 - 1) dt with the
    synapses and the drive before the thresholds, input while refractory discarded (as
    NEST's iaf_psc_delta), threshold v >= theta."""
    ms, mV = b2.ms, b2.mV
    n_exc, n_inh = round(10000 * scale), round(2500 * scale)
    c_exc, c_inh = min(n_exc, 1000), min(n_inh, 250)
    j, tau, theta, v_reset = 0.1 * mV, 20 * ms, 20 * mV, 10 * mV
    nu_threshold = theta / (j * c_exc * tau)
    group = b2.NeuronGroup(n_exc + n_inh, "dv/dt = -v / tau : volt (unless refractory)",
                           threshold="v >= theta", reset="v = v_reset",
                           refractory=2 * ms + dt_ms * ms, method="exact",
                           namespace=dict(tau=tau, theta=theta, v_reset=v_reset))
    group.v = "rand() * theta"
    rng = np.random.default_rng(seed)
    n = n_exc + n_inh
    objects = [group]
    for lo, hi, c, w in ((0, n_exc, c_exc, j), (n_exc, n, c_inh, -g * j)):
        pre = np.concatenate([lo + rng.choice(hi - lo, c, replace=False) for _ in range(n)])
        post = np.repeat(np.arange(n), c)
        syn = b2.Synapses(group, group, on_pre="v += w * int(not_refractory)",
                          delay=1.5 * ms - dt_ms * ms, namespace=dict(w=w))
        syn.connect(i=pre, j=post)
        syn.pre.when = "before_thresholds"
        objects.append(syn)
    objects.append(b2.PoissonInput(group, "v", c_exc, eta * nu_threshold,
                                   weight="0.1 * mV * int(not_refractory)",
                                   when="before_thresholds"))
    return objects, group, {"exc": (0, n_exc), "inh": (n_exc, n)}


def statistics(times_s, ids, ranges, duration_s):
    """Mean rate per population and mean CV of inter-spike intervals (neurons with at
    least 3 spikes)."""
    out = {}
    for name, (lo, hi) in ranges.items():
        mine = (ids >= lo) & (ids < hi)
        t, i = times_s[mine], ids[mine]
        order = np.lexsort((t, i))
        t, i = t[order], i[order]
        cvs = []
        for neuron in np.unique(i):
            isi = np.diff(t[i == neuron])
            if len(isi) >= 2 and isi.mean() > 0:
                cvs.append(isi.std() / isi.mean())
        out[name] = {"rate_hz": len(t) / (hi - lo) / duration_s,
                     "cv_isi": float(np.mean(cvs)) if cvs else None}
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("network", choices=["cuba", "brunel"])
    parser.add_argument("--neurons", type=int, default=4000)
    parser.add_argument("--device", choices=["runtime", "cpp_standalone"], default="runtime")
    parser.add_argument("--duration-ms", type=float, default=1000.0)
    parser.add_argument("--dt-ms", type=float, default=0.1)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=1,
                        help="cpp_standalone: run the compiled binary this many times")
    args = parser.parse_args()
    import brian2 as b2
    b2.prefs.codegen.target = "cython" if args.device == "runtime" else "cpp"
    workdir = tempfile.mkdtemp(prefix="brian2-")
    if args.device == "cpp_standalone":
        b2.set_device("cpp_standalone", build_on_run=False, directory=workdir)
    b2.seed(args.seed)
    b2.defaultclock.dt = args.dt_ms * b2.ms
    started = time.perf_counter()
    if args.network == "cuba":
        objects, group, ranges = cuba(b2, args.neurons, 0.02, args.dt_ms)
    else:
        objects, group, ranges = brunel(b2, args.neurons / 12500, 5.0, 2.0, args.seed,
                                        args.dt_ms)
    monitor = b2.SpikeMonitor(group)
    network = b2.Network(*objects, monitor)
    duration = args.duration_ms * b2.ms
    if args.device == "runtime":
        network.run(0 * b2.ms)  # code generation and compilation happen here
        built = time.perf_counter()
        network.run(duration)
        run_s = time.perf_counter() - built
        build_s = built - started
    else:
        network.run(duration)
        b2.device.build(directory=workdir, compile=True, run=True, with_output=False)
        total = time.perf_counter() - started
        run_s = float(b2.device._last_run_time)
        build_s = total - run_s
        # the compiled binary run again: each run's loop time, the median reported
        each = [run_s]
        for _ in range(args.repeat - 1):
            b2.device.run(directory=workdir, with_output=False)
            each.append(float(b2.device._last_run_time))
        run_s = float(np.median(each))
    times = np.asarray(monitor.t / b2.second)
    ids = np.asarray(monitor.i)
    json.dump({"simulator": f"brian2 {b2.__version__} {args.device}",
               "build_wall_s": build_s, "run_wall_s": run_s,
               "run_wall_s_each": each if args.device == "cpp_standalone" else [run_s],
               "synapses": int(sum(len(o) for o in objects if isinstance(o, b2.Synapses))),
               "spikes": int(len(times)),
               "populations": statistics(times, ids, ranges, args.duration_ms / 1000)},
              sys.stdout)


if __name__ == "__main__":
    main()
