"""EGRU stacks trained with EvNN (Subramoney et al., ICLR 2023) in: a checkpoint of EvNN's
arrays becomes a network of EGRU layers fed token ids or float rows, and a language model's
outputs are decoded on the host into per-token log-likelihoods."""

from .build import answer_tick, build_evnn, layer_name
from .checkpoint import EvnnCheckpoint, EvnnLayer, checkpoint_from_arrays, read_checkpoint
from .decoder import log_probabilities, perplexity, token_log_likelihood, top_outputs
from .errors import EvnnError
from .inputs import input_rows, read_input
from .source import EvnnSource


def read_evnn(path, input_path=None, x=None, tokens=None, name: str = "evnn"):
    """The network of the checkpoint at `path`, fed the input file `input_path`, or the rows
    `x`, or the token ids `tokens` (looked up in its embedding)."""
    checkpoint = read_checkpoint(path)
    given = read_input(input_path) if input_path is not None else \
        {"x": x} if x is not None else {"tokens": tokens}
    return build_evnn(checkpoint, input_rows(checkpoint, given), name)


__all__ = ["EvnnCheckpoint", "EvnnError", "EvnnLayer", "EvnnSource", "answer_tick",
           "build_evnn", "checkpoint_from_arrays", "input_rows", "layer_name",
           "log_probabilities", "perplexity", "read_checkpoint", "read_evnn", "read_input",
           "token_log_likelihood", "top_outputs"]
