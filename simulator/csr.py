"""Rows of variable length stored as pointers + values (CSR), built without Python loops."""

import numpy as np


def pointers(counts: np.ndarray) -> np.ndarray:
    """Row pointers (int64, one longer than `counts`) for rows of these lengths."""
    ptr = np.zeros(len(counts) + 1, dtype=np.int64)
    np.cumsum(counts, out=ptr[1:])
    return ptr


def group_by(row: np.ndarray, values: np.ndarray, n_rows: int) -> tuple[np.ndarray, np.ndarray]:
    """Pointers and values with `values[i]` in row `row[i]`, keeping their order within a row."""
    order = np.argsort(row, kind="stable")
    return pointers(np.bincount(row, minlength=n_rows)), values[order]


def row_of(ptr: np.ndarray) -> np.ndarray:
    """The row of every value of a CSR structure."""
    return np.repeat(np.arange(len(ptr) - 1), np.diff(ptr))


def unique_rows(ptr: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each row reduced to its sorted distinct values."""
    row = row_of(ptr)
    pairs = np.unique(np.stack([row, values.astype(np.int64)], axis=1), axis=0)
    return pointers(np.bincount(pairs[:, 0], minlength=len(ptr) - 1)), pairs[:, 1]


def reorder_rows(ptr: np.ndarray, values: np.ndarray,
                 order: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The rows taken in `order`: new pointers and values."""
    counts = np.diff(ptr)[order]
    new_ptr = pointers(counts)
    take = (np.arange(new_ptr[-1], dtype=np.int64) - np.repeat(new_ptr[:-1], counts)
            + np.repeat(ptr[:-1][order], counts))
    return new_ptr, values[take]
