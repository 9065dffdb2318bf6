"""The `toolchain` placer: slices placed as PACMAN's application placer places them.

Each population starts on a start chip, taken in (x, y) order: the previous population's
start chip while it has a free core, else the next chip of the machine with one. Its
slices fill that chip, then the chips next to those it already uses (breadth first over
live links); when that neighbourhood is full, the population goes on from the next start
chip. A population that fills whole chips so gets chips of its own, where `sequential`
runs straight on into the next chip.
"""

import numpy as np

from .placement import Placement, PlacementProblem, _check_fits, _finish


def place_toolchain(problem: PlacementProblem) -> Placement:
    _check_fits(problem)
    topology = problem.machine.topology
    free = problem.free.copy()
    left = free.sum(axis=1)
    todo = problem.unpinned
    chip = np.empty(len(todo), dtype=np.int64)
    core = np.empty(len(todo), dtype=np.int64)
    population = problem.slices.population[todo]
    starts = iter(range(topology.n_chips))
    start = -1
    at = 0
    for p in np.unique(population):  # populations in order
        count = int((population == p).sum())
        if start < 0 or left[start] == 0:
            start = next(c for c in starts if left[c] > 0)
        queue, seen = [start], {start}
        while count:
            if not queue:  # the neighbourhood is full: go on from the next start chip
                start = next(c for c in starts if left[c] > 0)
                queue, seen = [start], {start}
            current = queue[0]
            if left[current] == 0:
                queue.pop(0)
                for link in topology.link_of[current]:
                    if link >= 0:
                        nxt = int(topology.link_target[link])
                        if nxt not in seen and left[nxt] > 0:
                            seen.add(nxt)
                            queue.append(nxt)
                continue
            taken = min(count, int(left[current]))
            cores = np.flatnonzero(free[current])[:taken]
            chip[at:at + taken], core[at:at + taken] = current, cores
            free[current, cores] = False
            left[current] -= taken
            at += taken
            count -= taken
    return _finish(problem, todo, chip, core)
