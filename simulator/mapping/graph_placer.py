"""The `graph` placer: lower the traffic-weighted hop distance between communicating slices.

Start from the `spread` placement and from the `sequential` one and refine each: in a seeded
order, each slice moves to the chip that most lowers sum(packets/s x hops) over its edges (both directions), if a core is
free there, or swaps with the slice on that chip whose swap gains most (the pair's own edge
counted exactly). A few passes, stopping when a pass changes nothing. Of the two starts and
their refinements, keep the one whose multicast trees carry fewer packet-hops/s, so `graph`
is never worse than `spread` or `sequential` by that measure. Same seed, same placement.
"""

import numpy as np
from numba import njit

from ..csr import pointers
from ..errors import MappingError
from .connectivity import Edges
from .routing import hop_matrix, route

PASSES = 8
MAX_GRAPH_CHIPS = 4096


def adjacency(n_slices: int, source, target, weight):
    """Symmetric CSR adjacency: each edge (s, t, w) listed under s and under t."""
    keep = source != target
    s, t, w = source[keep].astype(np.int64), target[keep].astype(np.int64), weight[keep]
    row = np.concatenate([s, t])
    order = np.argsort(row, kind="stable")
    return (pointers(np.bincount(row, minlength=n_slices)), np.concatenate([t, s])[order],
            np.concatenate([w, w]).astype(np.float64)[order])


def place_graph(problem):
    from .placement import on_chips, spread_chips
    machine, slices = problem.machine, problem.slices
    n_chips = machine.n_chips
    if n_chips > MAX_GRAPH_CHIPS:
        raise MappingError(f"[mapping] placer \"graph\" handles up to {MAX_GRAPH_CHIPS} chips "
                           f"(this machine has {n_chips}); use \"spread\" for a larger machine")
    hops = hop_matrix(machine).astype(np.float64)
    todo = problem.unpinned
    movable = np.zeros(len(slices), dtype=np.bool_)
    movable[todo] = True
    ptr, cols, weights = adjacency(len(slices), problem.edge_source, problem.edge_target,
                                   problem.edge_packets_s)
    capacity = problem.capacity.astype(np.int64)
    order = np.random.default_rng(problem.seed).permutation(todo).astype(np.int64)
    best, best_total = None, np.inf
    packets_s = np.zeros(len(slices))
    packets_s[problem.edge_source] = problem.edge_packets_s
    edges = Edges(problem.edge_source, problem.edge_target, problem.edge_packets_s,
                  problem.edge_packets_s)
    for start in (spread_chips(problem), np.nonzero(problem.free)[0][:len(todo)]):
        chip = problem.pinned_chip.astype(np.int64).copy()
        chip[todo] = start
        candidates = [chip[todo].copy()]
        load = np.bincount(chip[todo], minlength=n_chips).astype(np.int64)
        cost = np.zeros((len(slices), n_chips), dtype=np.float64)
        node_costs(ptr, cols, weights, chip, hops, cost)
        refine(order, ptr, cols, weights, chip, movable, hops, cost, load, capacity, PASSES)
        if not np.array_equal(chip[todo], candidates[0]):
            candidates.append(chip[todo])
        # the refinement lowers pairwise hops, a proxy: judge every candidate, the starts
        # included, by the packet-hops of its real multicast trees
        for chips_of_todo in candidates:
            placement = on_chips(problem, todo, chips_of_todo)
            routes = route(machine, placement, edges, slices)
            total = float((packets_s * np.diff(routes.link_ptr)).sum())
            if total < best_total:
                best, best_total = placement, total
    return best


@njit(cache=True)
def node_costs(ptr, cols, weights, chip, hops, cost):
    """cost[s, c]: traffic-weighted hops of slice s's edges if s sat on chip c."""
    for s in range(ptr.size - 1):
        for k in range(ptr[s], ptr[s + 1]):
            cost[s, :] += weights[k] * hops[chip[cols[k]], :]


@njit(cache=True)
def _move(s, a, b, ptr, cols, weights, hops, cost, chip):
    for k in range(ptr[s], ptr[s + 1]):
        cost[cols[k], :] += weights[k] * (hops[b, :] - hops[a, :])
    chip[s] = b


@njit(cache=True)
def refine(order, ptr, cols, weights, chip, movable, hops, cost, load, capacity, passes):
    """Greedy moves and swaps in `order` until a pass changes nothing (or `passes` end)."""
    n_chips = hops.shape[0]
    shared = np.zeros(chip.size, dtype=np.float64)
    for _ in range(passes):
        changed = 0
        for s in order:
            a = chip[s]
            best, best_gain = -1, 1e-9
            for c in range(n_chips):
                if c != a and load[c] < capacity[c] and cost[s, a] - cost[s, c] > best_gain:
                    best, best_gain = c, cost[s, a] - cost[s, c]
            if best >= 0:
                _move(s, a, best, ptr, cols, weights, hops, cost, chip)
                load[a] -= 1
                load[best] += 1
                changed += 1
                continue
            b = a
            for c in range(n_chips):
                if c != a and capacity[c] > 0 and (b == a or cost[s, c] < cost[s, b]):
                    b = c
            if b == a or cost[s, a] - cost[s, b] <= 1e-9:
                continue
            for k in range(ptr[s], ptr[s + 1]):
                shared[cols[k]] += weights[k]
            partner, partner_gain = -1, 1e-9
            for u in range(chip.size):
                if chip[u] == b and movable[u]:
                    gain = (cost[s, a] - cost[s, b] + cost[u, b] - cost[u, a]
                            - 2.0 * shared[u] * hops[a, b])
                    if gain > partner_gain:
                        partner, partner_gain = u, gain
            for k in range(ptr[s], ptr[s + 1]):
                shared[cols[k]] = 0.0
            if partner >= 0:
                _move(s, a, b, ptr, cols, weights, hops, cost, chip)
                _move(partner, b, a, ptr, cols, weights, hops, cost, chip)
                changed += 1
        if changed == 0:
            break
