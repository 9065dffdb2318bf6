"""EvNN's EGRU forward pass in eval mode, written in NumPy from its equations (Subramoney et
al., ICLR 2023, as EvNN's CPU kernel computes them), for the tests.

Per layer, with gates (z, r, g) along the 3H axis of W [in, 3H], R [H, 3H], b_x, b_r [3H]:

    Wx = x_t W + b_x;  Rh = y_{t-1} R + b_r        y_{-1} = h0 (EvNN's state), c_{-1} = 0
    z = sigmoid(Wx_z + Rh_z);  r = sigmoid(Wx_r + Rh_r);  g = tanh(Wx_g + r Rh_g)
    c' = z c + (1 - z) g;  c' = p c + (1 - p) c'  (zoneout p, eval mode)
    o = H(c' - thr) (H(0) = 0);  y = o c';  c = c' - o thr      thr clamped to [0, 1]
"""

import numpy as np


def sigmoid(a):
    return 1.0 / (1.0 + np.exp(-a))


def layer_forward(x, W, R, b_x, b_r, thr, zoneout=0.0, h0=None):
    """(c, y, o), each [steps, H], of one layer over the input rows x [steps, in]."""
    H = R.shape[0]
    thr = np.clip(thr, 0.0, 1.0)
    y = np.zeros(H) if h0 is None else np.asarray(h0, dtype=np.float64)
    c = np.zeros(H)
    cs, ys, os_ = (np.zeros((len(x), H)) for _ in range(3))
    for t in range(len(x)):
        wx = x[t] @ W + b_x
        rh = y @ R + b_r
        z = sigmoid(wx[:H] + rh[:H])
        r = sigmoid(wx[H:2 * H] + rh[H:2 * H])
        g = np.tanh(wx[2 * H:] + r * rh[2 * H:])
        new = z * c + (1 - z) * g
        if zoneout:
            new = zoneout * c + (1 - zoneout) * new
        o = (new - thr > 0).astype(np.float64)
        y = o * new
        c = new - o * thr
        cs[t], ys[t], os_[t] = c, y, o
    return cs, ys, os_


def stack_forward(arrays: dict, x: np.ndarray) -> list:
    """[(c, y, o) per layer] of an EvNN stack given as named arrays (`0.kernel`, ...)."""
    out = []
    k = 0
    while f"{k}.kernel" in arrays:
        get = lambda name, default=None: arrays.get(f"{k}.{name}", default)  # noqa: E731
        zoneout = float(np.asarray(get("zoneout", 0.0)))
        c, y, o = layer_forward(x, *(np.asarray(get(n), dtype=np.float64) for n in
                                     ("kernel", "recurrent_kernel", "bias", "recurrent_bias",
                                      "thr")), zoneout, get("h0"))
        out.append((c, y, o))
        x = y
        k += 1
    return out


#: The random checkpoints the tests run and benchmarks/evnn_reference.py runs EvNN on.
CASES = {"dense": {}, "pruned": {"pruning": 0.8}, "zoneout": {"zoneout": 0.3},
         "zero_thresholds_h0": {"zero_thresholds": True, "h0": True}}


def random_stack(seed, sizes=(9, 16, 12), pruning=0.0, zoneout=0.0, zero_thresholds=False,
                 h0=False, vocab=0):
    """Named float32 arrays of a random EvNN stack (input sizes[0], then the layers)."""
    rng = np.random.default_rng(seed)
    arrays = {}
    for k, (n_in, h) in enumerate(zip(sizes[:-1], sizes[1:])):
        for name, shape, scale in (("kernel", (n_in, 3 * h), 1.6 / np.sqrt(n_in)),
                                   ("recurrent_kernel", (h, 3 * h), 1.6 / np.sqrt(h))):
            w = rng.normal(0, scale / np.sqrt(1 - pruning), shape)
            arrays[f"{k}.{name}"] = (w * (rng.random(shape) >= pruning)).astype(np.float32)
        arrays[f"{k}.bias"] = rng.normal(0, 0.3, 3 * h).astype(np.float32)
        arrays[f"{k}.recurrent_bias"] = rng.normal(0, 0.3, 3 * h).astype(np.float32)
        thr = rng.uniform(-0.1, 0.4, h)            # EvNN clamps the negative ones to 0
        if zero_thresholds:
            thr[::3] = 0.0
        arrays[f"{k}.thr"] = thr.astype(np.float32)
        if zoneout:
            arrays[f"{k}.zoneout"] = np.float32(zoneout)
        if h0:
            arrays[f"{k}.h0"] = (rng.normal(0, 0.5, h) * (rng.random(h) < 0.5)).astype(np.float32)
    if vocab:
        arrays["embedding"] = rng.uniform(-1, 1, (vocab, sizes[0])).astype(np.float32)
        arrays["decoder.weight"] = rng.normal(0, 1, (vocab, sizes[-1])).astype(np.float32)
        arrays["decoder.bias"] = rng.normal(0, 0.1, vocab).astype(np.float32)
    return arrays
