"""The host side of an EvNN language model: the last layer's outputs decoded into token
log-probabilities, as the SpiNNaker2 language model decodes them off the chip.

Layer L - 1 (the top) answers input row t at tick t + L (`answer_tick`); its output y there
goes through EvNN's decoder (ReLU of the projection, if any, then the decoder's linear map)
and a log-softmax. The log-likelihood of token t + 1 given tokens 0 .. t is that row's entry
for token t + 1; perplexity is exp(-mean log-likelihood).
"""

import numpy as np

from .build import answer_tick, layer_name
from .checkpoint import EvnnCheckpoint
from .errors import EvnnError


def log_probabilities(checkpoint: EvnnCheckpoint, outputs: np.ndarray) -> np.ndarray:
    """log softmax of the decoder for each row of the top layer's `outputs` [rows, H]."""
    if checkpoint.decoder_weight is None:
        raise EvnnError("the EvNN checkpoint has no decoder.weight; a language model needs "
                        "one to turn outputs into token probabilities")
    x = np.asarray(outputs, dtype=np.float64)
    if checkpoint.projection_weight is not None:
        x = np.maximum(x @ checkpoint.projection_weight.T + checkpoint.projection_bias, 0.0)
    logits = x @ checkpoint.decoder_weight.T + checkpoint.decoder_bias
    top = logits.max(axis=1, keepdims=True)
    return logits - top - np.log(np.exp(logits - top).sum(axis=1, keepdims=True))


def top_outputs(checkpoint: EvnnCheckpoint, recorded_y: np.ndarray, rows: int) -> np.ndarray:
    """The top layer's answers to input rows 0 .. rows - 1, from its recorded y [ticks, H]."""
    top = len(checkpoint.layers) - 1
    last = answer_tick(top, rows - 1)
    if recorded_y.shape[0] <= last:
        raise EvnnError(f"the run recorded {recorded_y.shape[0]} ticks of {layer_name(top)}.y "
                        f"but the answer to row {rows - 1} comes at tick {last}; run at least "
                        f"{last + 1} ticks")
    return recorded_y[answer_tick(top, 0):last + 1]


def token_log_likelihood(checkpoint: EvnnCheckpoint, recorded_y: np.ndarray,
                         tokens: np.ndarray) -> np.ndarray:
    """log P(token t + 1 | tokens 0 .. t) for t = 0 .. len(tokens) - 2, from the top layer's
    recorded y (`result.datasets["state/layer<L-1>/y"]`)."""
    tokens = np.asarray(tokens, dtype=np.int64)
    outputs = top_outputs(checkpoint, recorded_y, len(tokens) - 1)
    log_p = log_probabilities(checkpoint, outputs)
    return log_p[np.arange(len(tokens) - 1), tokens[1:]]


def perplexity(log_likelihood: np.ndarray) -> float:
    return float(np.exp(-np.mean(log_likelihood)))
