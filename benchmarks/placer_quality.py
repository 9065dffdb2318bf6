"""Placer quality: expected packet-hops per second (each slice's packets/s times the links of
its multicast tree, summed) of `graph` against `sequential` and `spread`, on a layered
network and on the Potjans-Diesmann microcircuit layout, both on a 48-chip SpiNNaker1 board
(16 application cores a chip, so the networks span many chips).

    python -m benchmarks.placer_quality

The microcircuit keeps the 8 populations of Potjans & Diesmann (2014) with their relative
sizes, connection probabilities and mean rates, scaled to 5% of the neurons (connection probabilities kept).
"""

import time

import chips
from networks import FixedProbability, IFCurrExp, Network
from simulator import MappingOptions, map_network
from simulator.mapping.report import mapping_report

from .common import write_result

PD_NAMES = ("L23e", "L23i", "L4e", "L4i", "L5e", "L5i", "L6e", "L6i")
PD_SIZES = (20683, 5834, 21915, 5479, 4850, 1065, 14395, 2948)
PD_RATES_HZ = (0.9, 2.8, 4.4, 5.7, 7.6, 8.7, 1.1, 7.7)
PD_PROBABILITY = (  # [target][source]
    (0.1009, 0.1689, 0.0437, 0.0818, 0.0323, 0.0, 0.0076, 0.0),
    (0.1346, 0.1371, 0.0316, 0.0515, 0.0755, 0.0, 0.0042, 0.0),
    (0.0077, 0.0059, 0.0497, 0.135, 0.0067, 0.0003, 0.0453, 0.0),
    (0.0691, 0.0029, 0.0794, 0.1597, 0.0033, 0.0, 0.1057, 0.0),
    (0.1004, 0.0622, 0.0505, 0.0057, 0.0831, 0.3726, 0.0204, 0.0),
    (0.0548, 0.0269, 0.0257, 0.0022, 0.06, 0.3158, 0.0086, 0.0),
    (0.0156, 0.0066, 0.0211, 0.0166, 0.0572, 0.0197, 0.0396, 0.2252),
    (0.0364, 0.001, 0.0034, 0.0005, 0.0277, 0.008, 0.0658, 0.1443))


def microcircuit(scale: float = 0.05) -> tuple[Network, dict]:
    net = Network("microcircuit")
    pops = [net.add_population(name, round(size * scale), IFCurrExp())
            for name, size in zip(PD_NAMES, PD_SIZES)]
    for t, post in enumerate(pops):
        for s, pre in enumerate(pops):
            if PD_PROBABILITY[t][s] > 0:
                inhibitory = PD_NAMES[s].endswith("i")
                net.connect(pre, post, FixedProbability(PD_PROBABILITY[t][s]),
                            weight=-0.4 if inhibitory else 0.1,
                            receptor="inhibitory" if inhibitory else "excitatory")
    return net, dict(zip(PD_NAMES, PD_RATES_HZ))


def layered(layers: int = 8, size: int = 1500, p: float = 0.05) -> tuple[Network, dict]:
    net = Network("layered")
    pops = [net.add_population(f"layer{i}", size, IFCurrExp()) for i in range(layers)]
    for a, b in zip(pops[:-1], pops[1:]):
        net.connect(a, b, FixedProbability(p), weight=0.1)
    return net, {p.name: 10.0 for p in pops}


def compare(net: Network, rates: dict) -> dict:
    machine = chips.spinnaker1()
    figures = {"neurons": net.size}
    for placer in ("sequential", "spread", "graph"):
        started = time.perf_counter()
        mapping = map_network(net, machine, MappingOptions(64, placer, rates_hz=rates), seed=1)
        wall = time.perf_counter() - started
        report = mapping_report(net, mapping, timestep_ms=1.0)
        figures[placer] = {"packet_hops_per_s": round(float(report.link_packets_per_s.sum()), 1),
                           "busiest_link_packets_per_s":
                               round(float(report.link_packets_per_s.max()), 1),
                           "chips_used": report.chips_used, "cores_used": report.cores_used,
                           "map_wall_s": round(wall, 2)}
    graph = figures["graph"]["packet_hops_per_s"]
    figures["graph_vs_sequential"] = round(graph / figures["sequential"]["packet_hops_per_s"], 3)
    figures["graph_vs_spread"] = round(graph / figures["spread"]["packet_hops_per_s"], 3)
    return figures


def main() -> None:
    figures = {"machine": "spinnaker1 48-chip board, 64 neurons a core at most",
               "layered": compare(*layered()), "microcircuit_5pct": compare(*microcircuit())}
    print(figures)
    write_result("placer_quality", figures)


if __name__ == "__main__":
    main()
