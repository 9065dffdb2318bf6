"""Sparse linear operators for the NIR nodes that sit on edges (Affine, Linear, Scale, Flatten,
Conv1d, Conv2d, SumPool2d, AvgPool2d, Delay), and their composition along a path.

An operator maps a flat (C-order) input vector to a flat output vector: entry k adds
`value[k] * x[inp[k]]` to `y[out[k]]`, `delay_ticks[k]` later. Index arrays are built with
NumPy broadcasting, never a Python loop over synapses.
"""

from typing import NamedTuple

import numpy as np

from ..connectors import Convolution


class Operator(NamedTuple):
    """Entries (out, inp, value, delay_ticks) of a sparse map from n_in to n_out values."""

    out: np.ndarray    # int64
    inp: np.ndarray    # int64
    value: np.ndarray  # float64
    delay_ticks: np.ndarray  # int64
    n_in: int
    n_out: int
    conv: Convolution | None = None  # the structure, where the operator is one convolution


def identity(n: int, delay_ticks: np.ndarray | None = None) -> Operator:
    index = np.arange(n, dtype=np.int64)
    delay = np.zeros(n, dtype=np.int64) if delay_ticks is None else \
        np.asarray(delay_ticks, dtype=np.int64).ravel()
    return Operator(index, index.copy(), np.ones(n), delay, n, n)


def dense(weight: np.ndarray) -> Operator:
    """y = W x for a 2-D weight [out, in]; zero weights make no entry."""
    out, inp = np.nonzero(weight)
    return Operator(out.astype(np.int64), inp.astype(np.int64),
                    weight[out, inp].astype(np.float64), np.zeros(out.size, dtype=np.int64),
                    weight.shape[1], weight.shape[0])


def diagonal(scale: np.ndarray) -> Operator:
    op = identity(scale.size)
    return op._replace(value=scale.astype(np.float64).ravel())


def convolution(weight: np.ndarray, in_spatial: tuple, stride, padding, dilation,
                groups: int) -> tuple[Operator, tuple]:
    """Cross-correlation as PyTorch's ConvNd: weight [C_out, C_in / groups, *kernel] over an
    input [C_in, *in_spatial]. Returns the operator and the output shape."""
    c_out, c_in_group = weight.shape[:2]
    kernel = weight.shape[2:]
    nd = len(kernel)
    in_spatial = tuple(int(s) for s in in_spatial)
    if isinstance(padding, str):
        if padding == "valid":
            pad = (0,) * nd
        else:  # same (stride 1): PyTorch puts the odd element of the padding at the end
            pad = tuple(d * (k - 1) // 2 for d, k in zip(dilation, kernel))
        out_spatial = in_spatial if padding == "same" else tuple(
            (n - d * (k - 1) - 1) // s + 1 for n, d, k, s in
            zip(in_spatial, dilation, kernel, stride))
    else:
        pad = tuple(padding)
        out_spatial = tuple((n + 2 * p - d * (k - 1) - 1) // s + 1 for n, p, d, k, s in
                            zip(in_spatial, pad, dilation, kernel, stride))
    out_spatial = tuple(max(o, 0) for o in out_spatial)
    per_group_out = c_out // groups
    # One axis per index: c_out, c_in_group, kernel dims, output dims.
    axes = [c_out, c_in_group, *kernel, *out_spatial]
    grids = np.meshgrid(*[np.arange(a, dtype=np.int64) for a in axes], indexing="ij",
                        sparse=True)
    co, cig = grids[0], grids[1]
    ks, os_ = grids[2:2 + nd], grids[2 + nd:]
    valid = np.ones([1] * len(axes), dtype=bool)
    in_flat = (co // per_group_out) * c_in_group + cig
    for d in range(nd):
        position = os_[d] * stride[d] - pad[d] + ks[d] * dilation[d]
        valid = valid & (position >= 0) & (position < in_spatial[d])
        in_flat = in_flat * in_spatial[d] + position
    out_flat = co
    for d in range(nd):
        out_flat = out_flat * out_spatial[d] + os_[d]
    value = weight.reshape(weight.shape + (1,) * nd)
    shape = np.broadcast_shapes(valid.shape, in_flat.shape, out_flat.shape, value.shape)
    valid = np.broadcast_to(valid, shape)
    value = np.broadcast_to(value, shape)[valid]
    keep = value != 0
    inp = np.broadcast_to(in_flat, shape)[valid][keep]
    out = np.broadcast_to(out_flat, shape)[valid][keep]
    n_in = c_in_group * groups * int(np.prod(in_spatial))
    n_out = c_out * int(np.prod(out_spatial))
    conv = Convolution(c_in_group * groups, c_out, tuple(int(k) for k in kernel),
                       tuple(int(s) for s in stride), tuple(int(p) for p in pad),
                       tuple(int(d) for d in dilation), int(groups), in_spatial,
                       tuple(int(o) for o in out_spatial))
    return (Operator(out.astype(np.int64), inp.astype(np.int64), value[keep].astype(np.float64),
                     np.zeros(out.size, dtype=np.int64), n_in, n_out, conv),
            (c_out, *out_spatial))


def pooling(channels: int, in_spatial: tuple, kernel, stride, padding,
            average: bool) -> tuple[Operator, tuple]:
    """Sum (or average, dividing by the kernel area as PyTorch does by default) pooling of
    each channel on its own: a grouped convolution with a constant kernel."""
    kernel = tuple(int(k) for k in kernel)
    value = 1.0 / float(np.prod(kernel)) if average else 1.0
    weight = np.full((channels, 1, *kernel), value)
    return convolution(weight, in_spatial, stride, padding, (1,) * len(kernel), channels)


def compose(first: Operator, then: Operator) -> Operator:
    """The operator of `first` followed by `then`; entries with the same (out, inp, delay)
    are summed, zeros dropped."""
    if _is_identity(first):
        return then
    if _is_identity(then):
        return first
    order = np.argsort(then.inp, kind="stable")
    then_inp = then.inp[order]
    lo = np.searchsorted(then_inp, first.out, side="left")
    hi = np.searchsorted(then_inp, first.out, side="right")
    counts = hi - lo
    left = np.repeat(np.arange(first.out.size), counts)
    starts = np.repeat(lo - np.cumsum(counts) + counts, counts)
    right = order[starts + np.arange(left.size)]
    return _combine(then.out[right], first.inp[left], first.value[left] * then.value[right],
                    first.delay_ticks[left] + then.delay_ticks[right], first.n_in, then.n_out)


def concatenate(parts: list[Operator]) -> Operator:
    """The sum of operators with the same sizes, without entries of weight 0 (a synapse of
    weight 0 changes nothing, and a dense NIR matrix cannot tell it from no synapse)."""
    if len(parts) == 1:
        op = parts[0]
        if np.all(op.value != 0):
            return op
        keep = op.value != 0
        return Operator(op.out[keep], op.inp[keep], op.value[keep], op.delay_ticks[keep],
                        op.n_in, op.n_out)
    return _combine(*(np.concatenate([getattr(p, f) for p in parts])
                      for f in ("out", "inp", "value", "delay_ticks")),
                    parts[0].n_in, parts[0].n_out)


def _combine(out, inp, value, delay, n_in, n_out) -> Operator:
    if out.size == 0:
        return Operator(out.astype(np.int64), inp.astype(np.int64), value.astype(np.float64),
                        delay.astype(np.int64), n_in, n_out)
    span = int(delay.max()) + 1
    if n_out * n_in * span < 2 ** 62:  # one int64 key per entry: a fast 1-D sort
        key = (out.astype(np.int64) * n_in + inp) * span + delay
        unique, inverse = np.unique(key, return_inverse=True)
        columns = np.stack([unique // span // n_in, unique // span % n_in, unique % span])
    else:
        columns, inverse = np.unique(np.stack([out, inp, delay]), axis=1, return_inverse=True)
    summed = np.bincount(inverse.ravel(), weights=value, minlength=columns.shape[1])
    keep = summed != 0
    return Operator(columns[0][keep], columns[1][keep], summed[keep], columns[2][keep], n_in,
                    n_out)


def _is_identity(op: Operator) -> bool:
    """Whether `op` passes every value straight through, at once."""
    n = op.n_in
    return (op.n_out == n and op.out.size == n and not op.delay_ticks.any()
            and bool(np.all(op.value == 1.0)) and np.array_equal(op.out, np.arange(n))
            and np.array_equal(op.inp, op.out))


def apply(op: Operator, x: np.ndarray) -> np.ndarray:
    """y = op(x) for a dense vector x (delays ignored: for constant biases)."""
    return np.bincount(op.out, weights=op.value * x[op.inp], minlength=op.n_out)
