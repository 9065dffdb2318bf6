"""Perplexity of the EvNN-trained language model (examples/evnn_lm.toml) on the modelled chip
against PyTorch, and what the machine does to it.

    python -m benchmarks.evnn_lm

The held-out text (400 characters) goes in as token ids; the top layer's recorded outputs
are decoded on the host (networks.evnn.token_log_likelihood). Runs: functional fidelity
(every packet in time), timed on one chip, and timed with the two layers on two chips
joined by a link slowed to 10 Mbit/s with a 2-packet buffer (a degraded link: packets queue,
are emergency-routed or dropped). EvNN's own perplexity (benchmarks/results/evnn_lm.json,
PyTorch float64, eval mode) is the reference.
"""

import json
from dataclasses import replace

import numpy as np

from networks.evnn import perplexity, read_checkpoint, token_log_likelihood
from simulator import load_config, simulate

from .common import RESULTS, write_result

CONFIG = RESULTS.parents[1] / "examples" / "evnn_lm.toml"


def run(config, fidelity, machine=None, mapping=None):
    net = config.build_network()
    result = simulate(net, machine or config.machine, replace(config.run, fidelity=fidelity),
                      mapping or config.mapping)
    checkpoint = read_checkpoint(config.network_params.path)
    tokens = np.load(config.network_params.input)["tokens"]
    ll = token_log_likelihood(checkpoint, result.datasets["state/layer1/y"], tokens)
    def total(name):
        return int(result.datasets[name].sum()) if name in result.datasets else 0

    return ll, {"perplexity": round(perplexity(ll), 4),
                "inter_chip_packets": total("traffic/link_packets"),
                "dropped": total("traffic/router_dropped"),
                "emergency_routed": total("traffic/router_emergency_routed"),
                "late_packets": total("cores/late_packets")}


def main() -> None:
    config = load_config(CONFIG)
    evnn = json.loads((RESULTS / "evnn_lm.json").read_text())
    reference = np.array(evnn["log_likelihood"])
    figures = {"evnn_pytorch_perplexity": round(evnn["perplexity"], 4),
               "uniform_perplexity": evnn["uniform_perplexity"]}
    for label, fidelity, machine, mapping in (
            ("functional", "functional", None, None),
            ("timed_one_chip", "timed", None, None),
            ("timed_two_chips_degraded_link", "timed",
             replace(config.machine, width=2, chip=replace(config.machine.chip, link=replace(
                 config.machine.chip.link, bandwidth_bps=10_000_000, buffer_packets=2))),
             replace(config.mapping, pins={"input": {"x": 0, "y": 0}, "layer0": {"x": 0, "y": 0},
                                           "layer1": {"x": 1, "y": 0}}))):
        ll, row = run(config, fidelity, machine, mapping)
        row["max_abs_log_likelihood_difference"] = float(np.abs(ll - reference).max())
        figures[label] = row
        print(label, row)
    write_result("evnn_lm_chip", figures)


if __name__ == "__main__":
    main()
