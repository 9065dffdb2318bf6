"""The NEST half of the convention cases (benchmarks/conventions_cases.py); runs in a venv
with NEST 3 (`pip install nest-simulator`, never neurochip's) and prints one JSON object:
for the `lif` (iaf_psc_delta), `if_curr_exp` (iaf_psc_exp) and off-grid refractory cases
the membrane trace and the ticks the cell fired in, written the way docs/conventions.md says
matches neurochip:

- a neurochip tick t is NEST's update step t, over (t h, (t + 1) h]: its state is what the
  multimeter shows at (t + 1) h and a spike in it has the time stamp (t + 1) h;
- a source spike in tick t is a spike_generator time (t + 1) h, a time listed twice sends
  two spikes; delays are d h, refractory periods R h; weights in pA (nA x 1000).

    /path/to/nest-venv/bin/python benchmarks/conventions_nest.py
"""

import json
import platform
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from conventions_cases import (CASES, DT_MS, SOURCE_DURATION_TICKS,  # noqa: E402
                               SOURCE_TIMES_MS)


def run_case(nest, case) -> dict:
    nest.ResetKernel()
    nest.resolution = DT_MS
    p = case["params"]
    params = dict(tau_m=p["tau_m_ms"], C_m=p["cm_nf"] * 1000.0, E_L=p["v_rest_mv"],
                  V_reset=p["v_reset_mv"], V_th=p["v_thresh_mv"], t_ref=p["tau_refrac_ms"],
                  I_e=p["i_offset_na"] * 1000.0, V_m=p["v_rest_mv"])
    if case["model"] == "lif":
        cell = nest.Create("iaf_psc_delta", params=params)
        scale = 1.0
    else:
        params.update(tau_syn_ex=p["tau_syn_e_ms"], tau_syn_in=p["tau_syn_i_ms"])
        cell = nest.Create("iaf_psc_exp", params=params)
        scale = 1000.0
    for spec in case["inputs"]:
        gen = nest.Create("spike_generator",
                          params={"spike_times": [(t + 1) * DT_MS for t in spec["ticks"]]})
        nest.Connect(gen, cell, syn_spec={"weight": spec["weight"] * scale,
                                          "delay": spec["delay_ticks"] * DT_MS})
    meter = nest.Create("multimeter", params={"record_from": ["V_m"], "interval": DT_MS})
    nest.Connect(meter, cell)
    recorder = nest.Create("spike_recorder")
    nest.Connect(cell, recorder)
    nest.Simulate(case["duration_ticks"] * DT_MS + DT_MS)
    times, v = meter.events["times"], meter.events["V_m"]
    keep = np.rint(times / DT_MS).astype(int) <= case["duration_ticks"]
    stamps = np.rint(recorder.events["times"] / DT_MS).astype(int) - 1
    return {"v": v[keep].tolist(),
            "spike_ticks": stamps[stamps < case["duration_ticks"]].tolist()}


def source_ticks(nest) -> list:
    """The tick (time stamp / h - 1) in which a spike_generator with allow_offgrid_times
    sends each of SOURCE_TIMES_MS shifted by h, seen through a parrot neuron."""
    nest.ResetKernel()
    nest.resolution = DT_MS
    ticks = []
    for time in SOURCE_TIMES_MS:
        gen = nest.Create("spike_generator", params={"spike_times": [time + DT_MS],
                                                     "allow_offgrid_times": True})
        parrot = nest.Create("parrot_neuron")
        recorder = nest.Create("spike_recorder")
        nest.Connect(gen, parrot, syn_spec={"delay": DT_MS})
        nest.Connect(parrot, recorder)
        ticks.append(recorder)
    nest.Simulate((SOURCE_DURATION_TICKS + 2) * DT_MS)
    return [int(round(r.events["times"][0] / DT_MS)) - 2 for r in ticks]


def main() -> None:
    import nest
    nest.set_verbosity("M_ERROR")
    json.dump({"simulator": f"nest {nest.__version__}", "numpy": np.__version__,
               "python": platform.python_version(), "dt_ms": DT_MS,
               "cases": {name: run_case(nest, case) for name, case in CASES.items()
                         if case["model"] != "nir"},
               "source_ticks": source_ticks(nest)}, sys.stdout)


if __name__ == "__main__":
    main()
