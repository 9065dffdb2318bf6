"""EGRU language model: activity sparsity per layer, packets per token, memory per core.

    python -m benchmarks.egru_report [RESULT.h5 | CONFIG.toml]     (default examples/egru.toml)

Given a config, it runs it first; given a result file of an EGRU run, it reads it. Figures go to
benchmarks/results/egru_report.json and are printed. One token enters per tick, so per-tick
counts are per-token counts. Memory per core is the mapper's count of what each core holds
(neuron state, input ring, synaptic rows in the core's format, routing data: the file's
/mapping/core_memory_bytes), set against the core's data memory.
"""

import argparse
import sys
from pathlib import Path

import numpy as np

from simulator import simulate
from simulator.config import load_config, parse_config
from simulator.distribution import SerialComm
from simulator.results import load_result

from .common import write_result

REPO = Path(__file__).resolve().parents[1]


def report(result, config) -> dict:
    """The figures of an EGRU run `result` made from `config`."""
    d = result.datasets
    ticks = int(result.attributes["duration_ticks"])
    layers = {}
    events = 0
    for pop in result.populations:
        size = result.group_attributes[f"spikes/{pop}"]["size"]
        n_events = len(result.spikes(pop)[0])
        events += n_events
        if pop != "tokens":
            layers[pop] = {"units": int(size), "events_per_token": n_events / ticks,
                           "activity_sparsity": 1.0 - n_events / (size * ticks)}
    placements = d["mapping/placements"]
    edges = d["mapping/edges"]
    core_bytes = d["mapping/core_memory_bytes"]
    data_bytes = config.machine.chip.core.data_bytes
    egru_cores = np.array([p != "tokens" for p in placements["population"]])
    chips_used = len({(x, y) for x, y in zip(placements["chip_x"], placements["chip_y"])})
    return {
        "tokens": ticks,
        "layers": layers,
        "packets_per_token": events / ticks,
        "router_lookups_per_token": float(d["traffic/router_packets"].sum()) / ticks,
        "inter_chip_packets_per_token": float(d["traffic/link_packets"].sum()) / ticks,
        "synapses": int(edges["synapses"].sum()),
        "cores": int(len(placements)),
        "chips_used": chips_used,
        "core_data_bytes": int(data_bytes),
        "egru_core_bytes_max": int(core_bytes[egru_cores].max()),
        "egru_core_bytes_mean": float(core_bytes[egru_cores].mean()),
        "cores_over_data_memory": int((core_bytes > data_bytes).sum()),
        "energy_j": float(result.attributes["energy_j"]),
        "mean_power_w": float(result.attributes["mean_power_w"]),
        "energy_per_token_j": float(result.attributes["energy_j"]) / ticks,
        "max_core_load": float(d["cores/cycles"].max(initial=0) / (
            result.group_attributes["cores"]["budget_cycles_per_tick"]
            * int(result.group_attributes["traffic"]["window_length_ticks"])))
        if "cores/cycles" in d else None,
    }


def summary(figures: dict) -> str:
    lines = [f"{figures['tokens']} tokens on {figures['cores']} cores of "
             f"{figures['chips_used']} chip(s), {figures['synapses']} synapses"]
    for name, layer in figures["layers"].items():
        lines.append(f"  {name}: {layer['units']} units, activity sparsity "
                     f"{layer['activity_sparsity']:.1%}, {layer['events_per_token']:.0f} "
                     f"events per token")
    lines.append(f"  packets per token: {figures['packets_per_token']:.0f} sent, "
                 f"{figures['router_lookups_per_token']:.0f} router lookups, "
                 f"{figures['inter_chip_packets_per_token']:.0f} on inter-chip links")
    lines.append(f"  memory per EGRU core: max {figures['egru_core_bytes_max'] / 1024:.1f} KiB, "
                 f"mean {figures['egru_core_bytes_mean'] / 1024:.1f} KiB of "
                 f"{figures['core_data_bytes'] / 1024:.0f} KiB; "
                 f"{figures['cores_over_data_memory']} cores over")
    lines.append(f"  energy: {figures['energy_per_token_j'] * 1e3:.3g} mJ per token, mean "
                 f"power {figures['mean_power_w']:.3g} W")
    return "\n".join(lines)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", nargs="?", default=str(REPO / "examples" / "egru.toml"))
    args = parser.parse_args(argv)
    if args.source.endswith(".toml"):
        config = load_config(args.source)
        result = simulate(config.build_network(), config.machine, config.run, config.mapping,
                          config.text, comm=SerialComm())
    else:
        result = load_result(args.source)
        config = parse_config(result.attributes["config"])
    figures = report(result, config)
    write_result("egru_report", figures)
    print(summary(figures))


if __name__ == "__main__":
    main(sys.argv[1:])
