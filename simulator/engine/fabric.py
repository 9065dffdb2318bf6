"""The packet network at `functional` fidelity: every packet arrives in time.

Routes are deterministic, so the packets on every link and router are still exact: a spike
of slice s puts one packet on each link of s's multicast tree and through each router on it.
Timed fidelity replaces this with link queues and router latencies.
"""

import numpy as np
from numba import njit

from ..mapping import Mapping


class FunctionalFabric:
    """Counts packets per link and per router in each traffic window."""

    def __init__(self, mapping: Mapping, n_windows: int, window_ticks: int) -> None:
        topology = mapping.machine.topology
        self.routes = mapping.routes
        self.window_ticks = window_ticks
        self.link_packets = np.zeros((n_windows, topology.n_links), dtype=np.int64)
        self.router_packets = np.zeros((n_windows, topology.n_chips), dtype=np.int64)

    def send(self, tick: int, spike_slices: np.ndarray) -> None:
        """Route one packet for every spike of the tick (`spike_slices`: its slice)."""
        window = tick // self.window_ticks
        routes = self.routes
        count_packets(spike_slices, routes.link_ptr, routes.links, routes.router_ptr,
                      routes.routers, self.link_packets[window], self.router_packets[window])


@njit(cache=True)
def count_packets(spike_slices, link_ptr, links, router_ptr, routers, link_packets,
                  router_packets):
    """Add one packet per spike to every link and router of its slice's tree."""
    for s in spike_slices:
        for k in range(link_ptr[s], link_ptr[s + 1]):
            link_packets[links[k]] += 1
        for k in range(router_ptr[s], router_ptr[s + 1]):
            router_packets[routers[k]] += 1
