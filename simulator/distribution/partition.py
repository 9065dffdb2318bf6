"""Which MPI rank does which work: fabric domains of chips, and the cores of each domain
shared out over its ranks.

The machine's chips are cut into `fabric domains` by recursive coordinate bisection (cut in
two along the longer side of their bounding box, in proportion to the domains each side
gets, until every domain has a block): compact blocks that cut few links. Every rank of a
domain routes every packet of that domain, so the fabric needs no synchronisation inside a
domain; only packets that cross a link between domains do (see `sync.py`). The cores in use
on a domain's chips are then split, in machine-wide order, into contiguous runs of about
equal expected work, one run per rank of the domain: neuron updates, synaptic rows and core
counters are split however few chips the machine has.
"""

from dataclasses import dataclass

import numpy as np

from chips import Machine

from ..errors import ConfigError

NEVER = np.iinfo(np.int64).max
# Relative cost of a neuron update and of a synaptic event on the host (both measured on the
# CUBA and full-chip benchmarks: about 5 ns and 10 ns); only the ratio matters for balance.
NEURON_COST, SYNAPTIC_EVENT_COST = 1.0, 2.0


@dataclass(frozen=True, eq=False)
class Partition:
    """The domains and the ranks: domain d is simulated by ranks `rank_ptr[d] ..
    rank_ptr[d + 1] - 1`, and slice s by rank `slice_rank[s]` (one of its chip's domain)."""

    n_ranks: int
    chip_domain: np.ndarray   # int32 [chips]
    rank_ptr: np.ndarray      # int64 [domains + 1]
    slice_rank: np.ndarray    # int32 [slices]

    @property
    def n_domains(self) -> int:
        return len(self.rank_ptr) - 1

    def domain_of(self, rank: int) -> int:
        return int(np.searchsorted(self.rank_ptr, rank, side="right") - 1)

    def ranks_of(self, domain: int) -> range:
        return range(int(self.rank_ptr[domain]), int(self.rank_ptr[domain + 1]))

    def slices_of(self, rank: int) -> np.ndarray:
        """The slices `rank` simulates, in slice order."""
        return np.flatnonzero(self.slice_rank == rank)

    def is_domain_leader(self, rank: int) -> bool:
        """The first rank of a domain reports the domain's fabric counters (all its ranks
        count the same)."""
        return rank == self.rank_ptr[self.domain_of(rank)]


def partition_work(machine: Machine, slice_chip: np.ndarray, slice_core: np.ndarray,
                   slice_cost: np.ndarray, n_ranks: int, n_domains: int = 1) -> Partition:
    """Cut the chips into `n_domains` fabric domains (at most one per rank and per chip) and
    share each domain's slices out over its ranks by expected work."""
    n_slices = len(slice_chip)
    if n_ranks > max(n_slices, 1):
        raise ConfigError(f"{n_ranks} MPI ranks need at least as many cores in use, but the "
                          f"mapping uses {n_slices}; run with mpiexec -n {max(n_slices, 1)} "
                          f"or fewer, or give the network more cores ([mapping] "
                          f"neurons_per_core smaller)")
    n_domains = max(1, min(n_domains, n_ranks, machine.n_chips))
    chip_domain = np.empty(machine.n_chips, dtype=np.int32)
    _bisect(machine.topology.chip_xy, np.arange(machine.n_chips), 0, n_domains, chip_domain)
    slice_domain = chip_domain[slice_chip]
    domain_cost = np.bincount(slice_domain, weights=slice_cost, minlength=n_domains)
    domain_slices = np.bincount(slice_domain, minlength=n_domains)
    ranks = _ranks_per_domain(domain_cost, domain_slices, n_ranks)
    rank_ptr = np.concatenate([[0], np.cumsum(ranks)]).astype(np.int64)
    slice_rank = np.empty(n_slices, dtype=np.int32)
    order = np.lexsort((slice_core, slice_chip))          # machine-wide core order
    for d in range(n_domains):
        mine = order[slice_domain[order] == d]
        slice_rank[mine] = rank_ptr[d] + _split(slice_cost[mine], int(ranks[d]))
    return Partition(n_ranks, chip_domain, rank_ptr, slice_rank)


def slice_costs(slice_sizes: np.ndarray, edge_source: np.ndarray, edge_target: np.ndarray,
                edge_synapses: np.ndarray, source_rate_hz: np.ndarray,
                timestep_ms: float) -> np.ndarray:
    """Expected host work of each slice per tick: its neuron updates and the synaptic events
    of the rows arriving at it (synapses x the source's expected rate)."""
    events = np.bincount(edge_target, weights=edge_synapses * source_rate_hz[edge_source]
                         * timestep_ms / 1000.0, minlength=len(slice_sizes))
    return NEURON_COST * slice_sizes + SYNAPTIC_EVENT_COST * events


def lookahead_ps(machine: Machine, chip_domain: np.ndarray) -> int:
    """The shortest time from a router handling a packet to the next router handling it, over
    the links cut between domains: serialisation, the wire and the router's pipeline. A
    packet crossing between domains is always at least this far in the future, so domains
    can run this far ahead of each other (NEVER when no link is cut)."""
    topology = machine.topology
    cut = chip_domain[topology.link_source] != chip_domain[topology.link_target]
    if not cut.any():
        return NEVER
    chip = machine.chip
    serialisation = machine.link_serialisation_ps(min(chip.packet_bits(False),
                                                      chip.packet_bits(True)))
    return int((serialisation + machine.link_latency_ns * 1000)[cut].min()
               + chip.router.latency_ns * 1000)


def cut_links(machine: Machine, chip_domain: np.ndarray) -> int:
    """How many directed links join chips of different domains."""
    topology = machine.topology
    return int(np.sum(chip_domain[topology.link_source] != chip_domain[topology.link_target]))


def _ranks_per_domain(cost: np.ndarray, n_slices: np.ndarray, n_ranks: int) -> np.ndarray:
    """One rank per domain, the rest one at a time to the domain with the most work per
    rank that still has a slice for another rank."""
    ranks = np.ones(len(cost), dtype=np.int64)
    for _ in range(n_ranks - len(cost)):
        share = np.where(ranks < n_slices, cost / ranks, -1.0)
        if share.max() < 0:
            raise ConfigError(f"{n_ranks} MPI ranks are more than the cores in use can keep "
                              f"busy in {len(cost)} fabric domains; run with fewer ranks or "
                              f"fewer [run] fabric_domains")
        ranks[int(np.argmax(share))] += 1
    return ranks


def _split(cost: np.ndarray, n: int) -> np.ndarray:
    """Part of each slice when a run of slices is cut into `n` contiguous parts of about equal
    cost, none empty (the run has at least `n` slices, or none)."""
    m = len(cost)
    if n == 1 or m == 0:
        return np.zeros(m, dtype=np.int64)
    total = np.cumsum(cost)
    cuts = np.empty(n - 1, dtype=np.int64)
    previous = 0
    for k in range(1, n):
        ideal = int(np.searchsorted(total, total[-1] * k / n, side="right"))
        cuts[k - 1] = previous = min(max(ideal, previous + 1), m - (n - k))
    return np.searchsorted(cuts, np.arange(m), side="right").astype(np.int64)


def _bisect(xy: np.ndarray, chips: np.ndarray, first: int, n: int, out: np.ndarray) -> None:
    if n == 1:
        out[chips] = first
        return
    extent = xy[chips].max(axis=0) - xy[chips].min(axis=0)
    axis = 0 if extent[0] >= extent[1] else 1
    order = chips[np.lexsort((xy[chips, 1 - axis], xy[chips, axis]))]
    left = n // 2
    cut = len(order) * left // n
    _bisect(xy, order[:cut], first, left, out)
    _bisect(xy, order[cut:], first + left, n - left, out)
