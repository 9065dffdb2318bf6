"""Synaptic rows of explicit synapse lists (`FromList`), counted from their structure.

A core keeps one row per source neuron with a synapse on it. For random connectivity the
memory estimate can only use the in-degree; a list (a convolution's, an EGRU's pruned
matrix) says exactly which sources reach which posts, and a convolution's neighbouring posts
share most of their sources, so that estimate is far off (a 1x1 convolution's slice: 84.6 KB
estimated, 109 KB needed). Here, for every slice size n, the most distinct sources that any
slice of n neighbouring posts (posts k n .. (k + 1) n - 1) receives, from one sweep over the
(pre, post) pairs sorted by pre then post.
"""

import numpy as np
from numba import njit


GRID_POINTS = 32  # slice sizes counted exactly; others take the next larger one's count


def list_rows_of_slices(pre: np.ndarray, post: np.ndarray, n_post: int,
                        sizes: np.ndarray) -> np.ndarray:
    """For each slice size in `sizes`, the most distinct `pre` that one slice of that many
    neighbouring posts receives (the pairs of all the lists from one source population).
    Counted exactly on a geometric grid of sizes; a size between two grid points gets the
    count of the larger (more posts never hold fewer sources, to within the windows'
    alignment), so the estimate errs towards more memory."""
    sizes = np.maximum(np.asarray(sizes, dtype=np.int64), 1)
    if len(pre) == 0 or len(sizes) == 0:
        return np.zeros(len(sizes), dtype=np.int64)
    grid, counted = rows_on_grid(pre, post, n_post, int(sizes.max()))
    return rows_at(grid, counted, sizes)


def rows_on_grid(pre, post, n_post: int, largest: int) -> tuple[np.ndarray, np.ndarray]:
    """(grid of slice sizes up to `largest`, the most rows a slice of each holds)."""
    grid = np.unique(np.concatenate([
        np.rint(np.geomspace(1, max(largest, 1), GRID_POINTS)).astype(np.int64), [largest]]))
    key = np.sort(pre.astype(np.int64) * n_post + post.astype(np.int64))
    return grid, _most_rows(key // n_post, key % n_post, int(n_post), grid)


def rows_at(grid: np.ndarray, counted: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """The grid's count for each size: that of the smallest grid size at least as large."""
    at = np.minimum(np.searchsorted(grid, np.maximum(sizes, 1)), len(grid) - 1)
    return counted[at]


@njit(cache=True)
def _most_rows(pre, post, n_post, sizes):
    """Pairs sorted by pre then post: a source counts once in each window its posts touch."""
    out = np.zeros(sizes.size, dtype=np.int64)
    for s in range(sizes.size):
        n = sizes[s]
        counts = np.zeros(n_post // n + 1, dtype=np.int64)
        for k in range(pre.size):
            window = post[k] // n
            if k == 0 or pre[k] != pre[k - 1] or post[k - 1] // n != window:
                counts[window] += 1
        out[s] = counts.max()
    return out
