"""Mapping time of a network whose synapses are one explicit list of 5 million (`FromList`,
as the NIR and EvNN importers make them): the list is sorted once, not once per slice, so
the time grows with the synapses, not with synapses x slices.

    python -m benchmarks.fromlist_mapping [--synapses 5000000] [--old]

A 20,000-neuron layer onto a 20,000-neuron layer, 250 random inputs a neuron, on a 4 x 4
SpiNNaker2 torus, slices cut to core memory. `--old` times the previous per-slice sort (the
list gathered for every slice) beside the current one, for the ratio.
"""

import argparse
import time

import numpy as np

import chips
from networks import FromList, Network
from networks.models import NIRNeuron
from simulator import MappingOptions, map_network

from .common import write_result


def network(synapses: int, n: int = 20_000) -> Network:
    rng = np.random.default_rng(0)
    net = Network("fromlist")
    pre = net.add_population("pre", n, NIRNeuron(kind="IF", size=n))
    post = net.add_population("post", n, NIRNeuron(kind="IF", size=n))
    net.connect(pre, post, FromList(rng.integers(0, n, synapses), rng.integers(0, n, synapses),
                                    rng.normal(0, 1, synapses), np.ones(synapses)),
                receptor="input")
    return net


def per_slice_sort(connector):
    """The previous `_rows`: the sorted post indices gathered again for every slice."""
    def rows(post_start, post_stop):
        sorted_post = connector.post[connector._order]
        lo, hi = np.searchsorted(sorted_post, [post_start, post_stop])
        return connector._order[lo:hi]
    return rows


def time_map(net, machine) -> tuple[float, object]:
    started = time.perf_counter()
    mapping = map_network(net, machine, MappingOptions(256, "spread"), seed=1)
    return time.perf_counter() - started, mapping


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--synapses", type=int, default=5_000_000)
    parser.add_argument("--old", action="store_true")
    args = parser.parse_args()
    machine = chips.spinnaker2(4, 4)
    net = network(args.synapses)
    seconds, mapping = time_map(net, machine)
    figures = {"synapses": int(mapping.edges.synapses.sum()), "slices": len(mapping.slices),
               "map_wall_s": round(seconds, 2)}
    if args.old:
        connector = net.projections[0].connector
        object.__setattr__(connector, "_rows", per_slice_sort(connector))
        old_seconds, _ = time_map(net, machine)
        figures["map_wall_s_per_slice_sort"] = round(old_seconds, 2)
    print(figures)
    write_result("fromlist_mapping", figures)


if __name__ == "__main__":
    main()
