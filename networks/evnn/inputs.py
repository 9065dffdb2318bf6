"""The input of an EvNN run: token ids (looked up in the checkpoint's embedding) or float
rows, one row a tick, from an .npz file holding `tokens` [rows] or `x` [rows, inputs]."""

import numpy as np

from .checkpoint import EvnnCheckpoint
from .errors import EvnnError
from .files import load_arrays


def read_input(path) -> dict:
    """{"tokens": ids} or {"x": rows} from the .npz file at `path`."""
    arrays = load_arrays(path, "EvNN input file", "an .npz file holding tokens (ids) or x "
                         "(rows)")
    if sorted(arrays) not in (["tokens"], ["x"]):
        raise EvnnError(f"EvNN input file {path} must hold exactly one array, tokens (ids) or "
                        f"x (rows) (found {', '.join(sorted(arrays)) or 'nothing'})")
    return arrays


def input_rows(checkpoint: EvnnCheckpoint, given: dict, source: str = "EvNN input") -> np.ndarray:
    """The float rows [rows, inputs] that enter layer 0: `x` as it is, or the embedding of
    each of `tokens`."""
    if "x" in given:
        x = np.asarray(given["x"])
        if not np.issubdtype(x.dtype, np.floating) or x.ndim != 2 or \
                x.shape[1] != checkpoint.input_size or x.shape[0] < 1:
            raise EvnnError(f"{source} x must be floats [rows, {checkpoint.input_size}] with at "
                            f"least one row (got {x.dtype} {x.shape})")
        if not np.all(np.isfinite(x)):
            raise EvnnError(f"{source} x holds a value that is not finite")
        return x.astype(np.float64)
    tokens = np.asarray(given["tokens"])
    if checkpoint.embedding is None:
        raise EvnnError(f"{source} gives tokens but the checkpoint has no embedding; add "
                        f"embedding [vocab, {checkpoint.input_size}] or give x rows")
    vocab = checkpoint.embedding.shape[0]
    if not np.issubdtype(tokens.dtype, np.integer) or tokens.ndim != 1 or tokens.size < 1:
        raise EvnnError(f"{source} tokens must be a 1-D array of integer ids with at least one "
                        f"(got {tokens.dtype} {tokens.shape})")
    bad = (tokens < 0) | (tokens >= vocab)
    if bad.any():
        raise EvnnError(f"{source} token id {int(tokens[bad][0])} is outside the embedding's "
                        f"vocabulary [0, {vocab})")
    return checkpoint.embedding[tokens]
