"""Mapping time for 1 million neurons and 100 million synapses on a 48-chip SpiNNaker2 board
(target: under 60 s on one core), and the validation report of that mapping. Wall and CPU
time are both stored: on a shared machine the wall time includes waiting for a core.

    python -m benchmarks.mapping_scale [--scale 0.1] [--placer spread]

A Brunel-like network: 800,000 excitatory and 200,000 inhibitory neurons, each receiving
100 synapses (fixed in-degree: 80 excitatory, 20 inhibitory), 256 neurons a core (3,907
cores of the board's 7,296). With `--scale s` the neurons scale by s and the in-degree
stays 100, so the synapses scale by s too. Memory fitting is off: 100 synapses a neuron
need about 1.6 KB each on a core (4-byte synaptic words and a 12-byte row header per
source), so the network needs about 17,000 cores to fit their 96 KB; the report says so.
"""

import argparse
import time

import numpy as np

import chips
from networks import FixedInDegree, IFCurrExp, Network
from simulator import MappingOptions, map_network
from simulator.mapping.report import mapping_report

from .common import write_result

NEURONS = 1_000_000
IN_DEGREE = 100


def network(scale: float) -> Network:
    net = Network("brunel_1m")
    n = round(NEURONS * scale)
    exc = net.add_population("exc", n * 4 // 5, IFCurrExp())
    inh = net.add_population("inh", n - n * 4 // 5, IFCurrExp())
    for pre, k, receptor, weight in ((exc, 80, "excitatory", 0.1), (inh, 20, "inhibitory", -0.5)):
        for post in (exc, inh):
            net.connect(pre, post, FixedInDegree(k), weight=weight, delay_ticks=1,
                        receptor=receptor)
    return net


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--placer", default="spread")
    args = parser.parse_args()
    machine = chips.preset("spinnaker2", width=8, height=8, wrap=False, layout="board48")
    net = network(args.scale)
    options = MappingOptions(256, args.placer, fit_memory=False)
    started, cpu_started = time.perf_counter(), time.process_time()
    mapping = map_network(net, machine, options, seed=1)
    mapped, cpu_mapped = time.perf_counter(), time.process_time()
    report = mapping_report(net, mapping, timestep_ms=1.0)
    reported = time.perf_counter()
    synapses = int(mapping.edges.synapses.sum())
    figures = {
        "scale": args.scale, "placer": args.placer, "neurons": net.size,
        "synapses": synapses, "slices": len(mapping.slices), "edges": len(mapping.edges),
        "chips_used": report.chips_used,
        "map_wall_s": round(mapped - started, 2),
        "map_cpu_s": round(cpu_mapped - cpu_started, 2),
        "report_wall_s": round(reported - mapped, 2),
        "extrapolated_full_scale_map_wall_s": round((mapped - started) / args.scale, 1),
        "target_map_wall_s": 60,
        "max_router_entries": int(report.router_entries.max()),
        "max_core_memory_bytes": int(report.memory_bytes.max()),
        "fits": report.fits, "reasons": list(report.reasons)[:3],
        "max_link_load": float(report.link_load.max()),
        "max_cycles_per_tick": float(np.max(report.cycles_per_tick)),
    }
    print(figures)
    write_result("mapping_scale" + ("" if args.placer == "spread" else f"_{args.placer}")
                 + ("" if args.scale == 1.0 else f"_{args.scale:g}"), figures)


if __name__ == "__main__":
    main()
