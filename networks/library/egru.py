"""EGRU language model, shaped like the one run on a SpiNNaker2 chip.

A token stream (one token per tick) enters as graded events: a `GradedSequenceSource`
plays the embedding of each token. Stacked EGRU layers follow, each with input weights W
from the layer below and recurrent weights R from itself, for the three gates, with a fraction
`pruning` of all weights removed (absent from the synaptic rows, as on the core). Weights,
biases, thresholds, the embedding and the tokens are drawn from `weight_seed`: an untrained
model with the published sizes, for traffic, sparsity and memory, not for perplexity.
Defaults: 3 layers of 1350, 1350 and 750 units, embedding 750, 95 % pruned (Nazeer et al.,
"Language modeling on a SpiNNaker 2 neuromorphic chip", 2024; Subramoney et al., ICLR 2023).
"""

from dataclasses import dataclass

import numpy as np

from ..connectors import FromList
from ..errors import check
from ..models import EGRU, GradedSequenceSource
from ..network import MAX_POPULATIONS, Network

INPUT_RECEPTORS = ("update", "reset", "candidate_input")
RECURRENT_RECEPTORS = ("update", "reset", "candidate_recurrent")
MAX_DRAWN = 2**28   # 2 GiB of float64 drawn at once, before any memory check can run


@dataclass(frozen=True)
class EgruParams:
    layer_sizes: tuple[int, ...] = (1350, 1350, 750)
    embedding_dim: int = 750
    vocab_size: int = 10000
    n_tokens: int = 300
    pruning: float = 0.95
    weight_gain: float = 2.5
    threshold_low: float = 0.1
    threshold_high: float = 0.3
    update_bias: float = 1.0
    weight_seed: int = 0

    def __post_init__(self) -> None:
        check(len(self.layer_sizes) >= 1 and all(n >= 1 for n in self.layer_sizes),
              "layer_sizes", "list at least one layer size, each >= 1", self.layer_sizes)
        check(self.embedding_dim >= 1, "embedding_dim", "be >= 1", self.embedding_dim)
        check(self.vocab_size >= 1, "vocab_size", "be >= 1", self.vocab_size)
        check(self.n_tokens >= 1, "n_tokens", "be >= 1", self.n_tokens)
        check(0.0 <= self.pruning < 1.0, "pruning", "be in [0, 1)", self.pruning)
        check(self.weight_gain >= 0, "weight_gain", "be >= 0", self.weight_gain)
        check(0 < self.threshold_low <= self.threshold_high, "threshold_low",
              f"be > 0 and at most threshold_high ({self.threshold_high})", self.threshold_low)
        check(self.weight_seed >= 0, "weight_seed", "be >= 0", self.weight_seed)
        check(len(self.layer_sizes) < MAX_POPULATIONS, "layer_sizes",
              f"list fewer than {MAX_POPULATIONS:,} layers", len(self.layer_sizes))
        inputs = (self.embedding_dim, *self.layer_sizes)
        for field, values in (("vocab_size", self.vocab_size * self.embedding_dim),
                              ("n_tokens", self.n_tokens * self.embedding_dim),
                              ("layer_sizes", max(max(a, b) * b for a, b in
                                                  zip(inputs, self.layer_sizes)))):
            check(values <= MAX_DRAWN, field, f"keep the values the builder draws at once (an "
                                              f"embedding or a layer's pairs) within "
                                              f"{MAX_DRAWN:,}", getattr(self, field))


def layer_names(params: EgruParams) -> list[str]:
    return [f"layer{k}" for k in range(len(params.layer_sizes))]


def build_egru(params: EgruParams, timestep_ms: float) -> Network:
    """Population `tokens` (the embedded token stream) and `layer0`, `layer1`, ... (EGRU)."""
    rng = np.random.default_rng(params.weight_seed)
    net = Network("egru")
    embedding = rng.normal(0.0, 1.0, (params.vocab_size, params.embedding_dim))
    # Zipf-like token frequencies, as in natural text
    frequency = 1.0 / np.arange(1, params.vocab_size + 1)
    tokens = rng.choice(params.vocab_size, params.n_tokens, p=frequency / frequency.sum())
    below = net.add_population("tokens", params.embedding_dim,
                               GradedSequenceSource(embedding[tokens]))
    keep = 1.0 - params.pruning
    for name, n in zip(layer_names(params), params.layer_sizes):
        model = EGRU(threshold=tuple(rng.uniform(params.threshold_low, params.threshold_high, n)),
                     b_update=tuple(params.update_bias + rng.normal(0.0, 0.1, n)),
                     b_reset=tuple(rng.normal(0.0, 0.1, n)),
                     b_candidate_input=tuple(rng.normal(0.0, 0.1, n)),
                     b_candidate_recurrent=tuple(rng.normal(0.0, 0.1, n)))
        layer = net.add_population(name, n, model)
        for pre, receptors in ((below, INPUT_RECEPTORS), (layer, RECURRENT_RECEPTORS)):
            std = params.weight_gain / np.sqrt(max(pre.size * keep, 1.0))
            for receptor in receptors:
                pre_i, post_i = sparse_pairs(rng, pre.size, n, keep)
                weight = rng.normal(0.0, std, len(pre_i))
                net.connect(pre, layer, FromList(pre_i, post_i, weight, np.ones(len(pre_i))),
                            receptor=receptor)
        below = layer
    return net


def sparse_pairs(rng, n_pre: int, n_post: int, keep: float):
    """(pre, post) of the weights that survive pruning: each kept with probability `keep`."""
    flat = np.flatnonzero(rng.random(n_pre * n_post) < keep)
    return flat // n_post, flat % n_post


def synapses_per_unit(params: EgruParams) -> list[float]:
    """Expected synapses onto one unit of each layer (three gates, input and recurrent)."""
    inputs = [params.embedding_dim, *params.layer_sizes[:-1]]
    return [3 * (1 - params.pruning) * (d + n) for d, n in zip(inputs, params.layer_sizes)]
