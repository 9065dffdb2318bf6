"""The Brian2 half of the convention cases (benchmarks/conventions_cases.py); runs in a venv
with Brian2 (never neurochip's) and prints one JSON object: for every case the membrane
trace at the end of each time step and the steps the cell fired in, written the way
docs/conventions.md says matches neurochip:

- refractory period of R ticks: Brian2 `refractory = (R + 1) * dt`;
- delta synapses (`lif`, NIR nodes): the synapses run before the thresholds
  (`when = "before_thresholds"`) with `delay = (d - 1) * dt`; exponential currents
  (`if_curr_exp`): the default schedule with `delay = d * dt`;
- input that arrives while refractory is discarded (`v += w * int(not_refractory)`);
- a neuron fires when `v >= v_thresh` (NIR: `v > v_threshold`);
- Brian2 refuses two spikes of one generator neuron in one step, so a tick listed twice
  becomes a second generator neuron.

    /path/to/brian2-venv/bin/python benchmarks/conventions_brian2.py
"""

import json
import platform
import sys
from collections import Counter
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from conventions_cases import (CASES, DT_MS, SOURCE_DURATION_TICKS,  # noqa: E402
                               SOURCE_TIMES_MS)


def generators(b2, inputs):
    """One SpikeGeneratorGroup for all inputs: the j-th spike of input k in a tick comes
    from generator neuron `first[k] + j`."""
    indices, times, first, at = [], [], [], 0
    for spec in inputs:
        first.append(at)
        repeats = Counter(spec["ticks"])
        seen = Counter()
        for tick in spec["ticks"]:
            indices.append(at + seen[tick])
            times.append(tick * DT_MS)
            seen[tick] += 1
        at += max(repeats.values(), default=1)
    first.append(at)
    group = b2.SpikeGeneratorGroup(max(at, 1), indices, np.array(times) * b2.ms)
    return group, first


def cell_group(b2, case):
    p, ms, mV, nA, nF = case["params"], b2.ms, b2.mV, b2.nA, b2.nF
    if case["model"] == "nir":
        return nir_group(b2, p)
    ticks = round(p["tau_refrac_ms"] / DT_MS)
    ns = dict(v_rest=p["v_rest_mv"] * mV, tau_m=p["tau_m_ms"] * ms, c_m=p["cm_nf"] * nF,
              i_offset=p["i_offset_na"] * nA, v_thresh=p["v_thresh_mv"] * mV,
              v_reset=p["v_reset_mv"] * mV)
    if case["model"] == "lif":
        eqs = "dv/dt = (v_rest - v) / tau_m + i_offset / c_m : volt (unless refractory)"
    else:
        ns.update(tau_e=p["tau_syn_e_ms"] * ms, tau_i=p["tau_syn_i_ms"] * ms)
        eqs = """dv/dt = (v_rest - v) / tau_m + (ie + ii + i_offset) / c_m : volt (unless refractory)
                 die/dt = -ie / tau_e : amp
                 dii/dt = -ii / tau_i : amp"""
    group = b2.NeuronGroup(1, eqs, threshold="v >= v_thresh", reset="v = v_reset",
                           refractory=(ticks + 1) * DT_MS * ms, method="exact", namespace=ns)
    group.v = p["v_rest_mv"] * mV
    return group


def nir_group(b2, p):
    """A NIR node stepped as neurochip's kernel does: S is the input of the step."""
    h = DT_MS * 1e-3
    ns = {k: v for k, v in p.items() if k not in ("kind", "reset")}
    ns["h"] = h
    if p["kind"] == "CubaLIF":
        current = "I = (1 - h / tau_syn) * I + h / tau_syn * w_in * (S + bias)"
    else:
        current = "I = S + bias"
    update = (f"{current}\n"
              "v = (1 - h / tau_mem) * v + h / tau_mem * v_leak + h / tau_mem * r * I")
    reset = "v = v - (v_threshold - v_reset)" if p["reset"] == "subtract" else "v = v_reset"
    group = b2.NeuronGroup(1, "v : 1\nI : 1\nS : 1", threshold="v > v_threshold",
                           reset=reset, namespace=ns)
    group.run_regularly(update, when="before_thresholds", order=1)
    group.run_regularly("S = 0", when="end")
    return group


def run_case(b2, case) -> dict:
    b2.start_scope()
    b2.defaultclock.dt = DT_MS * b2.ms
    cell = cell_group(b2, case)
    gen, first = generators(b2, case["inputs"])
    objects = [cell, gen]
    for k, spec in enumerate(case["inputs"]):
        d = spec["delay_ticks"]
        if case["model"] == "if_curr_exp":
            var = "ie" if spec["weight"] > 0 else "ii"
            syn = b2.Synapses(gen, cell, on_pre=f"{var}_post += w", delay=d * DT_MS * b2.ms,
                              namespace=dict(w=spec["weight"] * b2.nA))
        else:
            target = "S_post += w" if case["model"] == "nir" else \
                "v_post += w * int(not_refractory_post)"
            unit = 1 if case["model"] == "nir" else b2.mV
            syn = b2.Synapses(gen, cell, on_pre=target, delay=(d - 1) * DT_MS * b2.ms,
                              namespace=dict(w=spec["weight"] * unit))
            syn.pre.when, syn.pre.order = "before_thresholds", -1
        syn.connect(i=list(range(first[k], first[k + 1])), j=0)
        objects.append(syn)
    trace = b2.StateMonitor(cell, "v", record=0, when="end")
    spikes = b2.SpikeMonitor(cell)
    b2.Network(*objects, trace, spikes).run(case["duration_ticks"] * DT_MS * b2.ms)
    unit = 1 if case["model"] == "nir" else b2.mV
    return {"v": np.asarray(trace.v[0] / unit).tolist(),
            "spike_ticks": np.rint(np.asarray(spikes.t / b2.ms) / DT_MS).astype(int).tolist()}


def source_ticks(b2) -> list:
    """The step in which SpikeGeneratorGroup emits each of SOURCE_TIMES_MS."""
    b2.start_scope()
    b2.defaultclock.dt = DT_MS * b2.ms
    n = len(SOURCE_TIMES_MS)
    gen = b2.SpikeGeneratorGroup(n, list(range(n)), np.array(SOURCE_TIMES_MS) * b2.ms)
    monitor = b2.SpikeMonitor(gen)
    b2.Network(gen, monitor).run(SOURCE_DURATION_TICKS * DT_MS * b2.ms)
    ticks = np.rint(np.asarray(monitor.t / b2.ms) / DT_MS).astype(int)
    return [int(ticks[np.asarray(monitor.i) == k][0]) for k in range(n)]


def main() -> None:
    import brian2 as b2
    b2.prefs.codegen.target = "numpy"
    b2.set_device("runtime")
    json.dump({"simulator": f"brian2 {b2.__version__}", "numpy": np.__version__,
               "python": platform.python_version(), "codegen_target": "numpy",
               "dt_ms": DT_MS, "cases": {name: run_case(b2, case) for name, case in
                                         CASES.items() if name != "lif_refractory_off_grid"},
               "source_ticks": source_ticks(b2)}, sys.stdout)


if __name__ == "__main__":
    main()
