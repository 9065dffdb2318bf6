"""An EvNN EGRU stack saved as named arrays (`numpy.savez`), read and checked.

Arrays carry EvNN's own parameter names prefixed by the layer index, gates in EvNN's order
(z, r, g) along the 3H axis: `0.kernel` [in, 3H], `0.recurrent_kernel` [H, 3H], `0.bias` and
`0.recurrent_bias` [3H], `0.thr` [H]; optional `0.zoneout` (a number, EvNN's zoneout
probability) and `0.h0` [H] (EvNN's initial state: the output the recurrent weights see at
the first step; cells start at 0). Optional `embedding` [vocab, in], `decoder.weight`
[vocab, d] with `decoder.bias` [vocab], and `projection.weight` [d, H] with
`projection.bias` [d] (EvNN's language-model decoder: ReLU of the projection, then the
decoder). The names of EvNN's `LanguageModel.state_dict()` are accepted too (`rnns.0.kernel`,
`embeddings.weight`, `decoder.decoder.weight`, `decoder.projection.weight`).
"""

import re
from dataclasses import dataclass

import numpy as np

from .errors import EvnnError
from .files import load_arrays

LAYER_ARRAYS = ("kernel", "recurrent_kernel", "bias", "recurrent_bias", "thr")
LAYER_OPTIONAL = ("zoneout", "h0")
# EvNN parameters that only training uses: read and ignored.
TRAINING_ONLY = ("dampening_factor", "pseudo_derivative_support", "_max_norm", "alpha")
MODEL_ARRAYS = ("embedding", "decoder.weight", "decoder.bias", "projection.weight",
                "projection.bias")
ALIASES = {"embeddings.weight": "embedding", "decoder.decoder.weight": "decoder.weight",
           "decoder.decoder.bias": "decoder.bias",
           "decoder.projection.weight": "projection.weight",
           "decoder.projection.bias": "projection.bias"}
LAYER_KEY = re.compile(r"^(?:rnns\.)?(\d+)\.(?:module\.)?(\w+)$")


@dataclass(frozen=True, eq=False)
class EvnnLayer:
    """One EGRU layer in EvNN's layout (float64 copies of the stored values)."""

    kernel: np.ndarray            # [in, 3H]
    recurrent_kernel: np.ndarray  # [H, 3H]
    bias: np.ndarray              # [3H]
    recurrent_bias: np.ndarray    # [3H]
    thr: np.ndarray               # [H], clamped to [0, 1] as EvNN's forward pass does
    zoneout: float = 0.0
    h0: np.ndarray | None = None  # [H] or None (zeros)

    @property
    def size(self) -> int:
        return self.recurrent_kernel.shape[0]

    def gate(self, array: np.ndarray, k: int) -> np.ndarray:
        """Gate k (0 z, 1 r, 2 g) of a [..., 3H] array."""
        return array[..., k * self.size:(k + 1) * self.size]


@dataclass(frozen=True, eq=False)
class EvnnCheckpoint:
    """The layers of a stack, bottom first, and the optional embedding and decoder."""

    layers: tuple[EvnnLayer, ...]
    embedding: np.ndarray | None = None
    decoder_weight: np.ndarray | None = None
    decoder_bias: np.ndarray | None = None
    projection_weight: np.ndarray | None = None
    projection_bias: np.ndarray | None = None

    @property
    def input_size(self) -> int:
        return self.layers[0].kernel.shape[0]


def read_checkpoint(path) -> EvnnCheckpoint:
    """The checkpoint stored at `path` (.npz); every mistake is a one-sentence `EvnnError`."""
    arrays = load_arrays(path, "EvNN checkpoint", "an .npz file of the stack's arrays "
                         "(0.kernel, 0.recurrent_kernel, ...)",
                         "an .npz archive of named arrays")
    return checkpoint_from_arrays(arrays, f"EvNN checkpoint {path}")


def checkpoint_from_arrays(arrays: dict, source: str = "EvNN checkpoint") -> EvnnCheckpoint:
    """Check and assemble named arrays (as `read_checkpoint` finds them in a file)."""
    per_layer: dict[int, dict] = {}
    model: dict[str, np.ndarray] = {}
    for key, value in arrays.items():
        name = ALIASES.get(key, key)
        match = LAYER_KEY.match(name)
        if match and match.group(2) in LAYER_ARRAYS + LAYER_OPTIONAL:
            per_layer.setdefault(int(match.group(1)), {})[match.group(2)] = value
        elif match and match.group(2) in TRAINING_ONLY:
            continue
        elif name in MODEL_ARRAYS:
            model[name] = value
        else:
            raise EvnnError(f"{source} holds array {key!r}, which is not an EvNN parameter; "
                            f"the names are <layer>.{{{', '.join(LAYER_ARRAYS + LAYER_OPTIONAL)}}}"
                            f" and {', '.join(MODEL_ARRAYS)}")
    if not per_layer:
        raise EvnnError(f"{source} holds no layer; it needs 0.kernel, 0.recurrent_kernel, "
                        f"0.bias, 0.recurrent_bias and 0.thr")
    if sorted(per_layer) != list(range(len(per_layer))):
        raise EvnnError(f"{source} has layers {sorted(per_layer)}; number them 0, 1, ... "
                        f"without gaps")
    layers = []
    below = None
    for k in range(len(per_layer)):
        layer = _layer(source, k, per_layer[k], below)
        layers.append(layer)
        below = layer.size
    return _model(source, tuple(layers), model)


def _real(source, key, value, shape):
    array = np.asarray(value)
    if not (np.issubdtype(array.dtype, np.floating) or np.issubdtype(array.dtype, np.integer)):
        raise EvnnError(f"{source} array {key!r} must hold real numbers (got dtype "
                        f"{array.dtype})")
    if array.shape != shape:
        raise EvnnError(f"{source} array {key!r} has shape {array.shape} but must have "
                        f"shape {shape}")
    array = array.astype(np.float64)
    if not np.all(np.isfinite(array)):
        raise EvnnError(f"{source} array {key!r} holds a value that is not finite")
    return array


def _layer(source, k, arrays, below):
    for name in LAYER_ARRAYS:
        if name not in arrays:
            raise EvnnError(f"{source} has no array '{k}.{name}'; every layer needs "
                            f"{', '.join(LAYER_ARRAYS)}")
    recurrent = np.asarray(arrays["recurrent_kernel"])
    if recurrent.ndim != 2 or recurrent.shape[0] < 1 or \
            recurrent.shape[1] != 3 * recurrent.shape[0]:
        raise EvnnError(f"{source} array '{k}.recurrent_kernel' has shape {recurrent.shape} "
                        f"but must be [H, 3H] (gates z, r, g)")
    h = recurrent.shape[0]
    kernel = np.asarray(arrays["kernel"])
    n_in = kernel.shape[0] if kernel.ndim == 2 and below is None else below
    if below is None and (kernel.ndim != 2 or n_in < 1):
        raise EvnnError(f"{source} array '{k}.kernel' has shape {kernel.shape} but must be "
                        f"[inputs, 3H]")
    zoneout = 0.0
    if "zoneout" in arrays:
        z = np.asarray(arrays["zoneout"], dtype=np.float64).ravel()
        if z.size != 1 or not 0.0 <= z[0] <= 1.0:
            raise EvnnError(f"{source} array '{k}.zoneout' must be one number in [0, 1] "
                            f"(EvNN's zoneout probability)")
        zoneout = float(z[0])
    return EvnnLayer(
        kernel=_real(source, f"{k}.kernel", kernel, (n_in, 3 * h)),
        recurrent_kernel=_real(source, f"{k}.recurrent_kernel", recurrent, (h, 3 * h)),
        bias=_real(source, f"{k}.bias", arrays["bias"], (3 * h,)),
        recurrent_bias=_real(source, f"{k}.recurrent_bias", arrays["recurrent_bias"], (3 * h,)),
        thr=np.clip(_real(source, f"{k}.thr", np.ravel(arrays["thr"]), (h,)), 0.0, 1.0),
        zoneout=zoneout,
        h0=_real(source, f"{k}.h0", np.ravel(arrays["h0"]), (h,)) if "h0" in arrays else None)


def _model(source, layers, arrays):
    top = layers[-1].size
    embedding = decoder_weight = decoder_bias = projection_weight = projection_bias = None
    if "embedding" in arrays:
        e = np.asarray(arrays["embedding"])
        vocab = e.shape[0] if e.ndim == 2 else 0
        embedding = _real(source, "embedding", e, (vocab, layers[0].kernel.shape[0]))
    width = top
    if "projection.weight" in arrays:
        p = np.asarray(arrays["projection.weight"])
        width = p.shape[0] if p.ndim == 2 else 0
        projection_weight = _real(source, "projection.weight", p, (width, top))
        projection_bias = _real(source, "projection.bias",
                                arrays.get("projection.bias", np.zeros(width)), (width,))
    elif "projection.bias" in arrays:
        raise EvnnError(f"{source} has projection.bias without projection.weight; give both")
    if "decoder.weight" in arrays:
        d = np.asarray(arrays["decoder.weight"])
        vocab = d.shape[0] if d.ndim == 2 else 0
        decoder_weight = _real(source, "decoder.weight", d, (vocab, width))
        decoder_bias = _real(source, "decoder.bias", arrays.get("decoder.bias", np.zeros(vocab)),
                             (vocab,))
    elif "decoder.bias" in arrays or projection_weight is not None:
        raise EvnnError(f"{source} has a decoder bias or projection but no decoder.weight; "
                        f"give decoder.weight [vocab, {width}]")
    return EvnnCheckpoint(layers, embedding, decoder_weight, decoder_bias, projection_weight,
                          projection_bias)
