"""The packet network at `functional` fidelity: every packet arrives in time.

Routes are deterministic, so the packets on every link and router are still exact: a spike
of slice s puts one packet on each link of s's multicast tree and through each router on it.
`timed.py` replaces this with link queues and router latencies.
"""

import numpy as np
from numba import njit

from ..mapping import Mapping


class FunctionalFabric:
    """Counts packets and bits per link, packets per router, and packets per source
    population and link, in each traffic window."""

    def __init__(self, mapping: Mapping, n_windows: int, window_ticks: int,
                 slice_bits: np.ndarray) -> None:
        topology = mapping.machine.topology
        self.routes = mapping.routes
        self.window_ticks = window_ticks
        self.slice_bits = slice_bits
        self.link_packets = np.zeros((n_windows, topology.n_links), dtype=np.int64)
        self.link_bits = np.zeros((n_windows, topology.n_links), dtype=np.int64)
        self.router_packets = np.zeros((n_windows, topology.n_chips), dtype=np.int64)
        self.slice_population = mapping.slices.population.astype(np.int64)
        n_populations = len(mapping.slices.population_offset) - 1
        self.population_link_packets = np.zeros((n_windows, n_populations, topology.n_links),
                                                dtype=np.int64)

    def counts(self) -> dict:
        """The counters under their result-file names."""
        return {"link_packets": self.link_packets, "link_bits": self.link_bits,
                "router_packets": self.router_packets,
                "population_link_packets": self.population_link_packets}


@njit(cache=True)
def count_packets(spike_slices, slice_bits, link_ptr, links, router_ptr, routers, link_packets,
                  link_bits, router_packets, slice_population, population_link_packets):
    """Add one packet per spike to every link and router of its slice's tree, and to its
    population's count on those links (unsigned indices: no wrap-around checks)."""
    for s in spike_slices:
        bits, population = slice_bits[s], population_link_packets[slice_population[s]]
        for k in range(np.uint64(link_ptr[s]), np.uint64(link_ptr[s + 1])):
            link = np.uint64(links[k])
            link_packets[link] += 1
            link_bits[link] += bits
            population[link] += 1
        for k in range(np.uint64(router_ptr[s]), np.uint64(router_ptr[s + 1])):
            router_packets[np.uint64(routers[k])] += 1
