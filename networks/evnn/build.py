"""An EvNN stack as a network: its input rows as graded events, then layers `layer0`, ...

Population `input` plays one input row a tick (row t at tick t, once); layer k is an `EGRU`
population whose input weights come from the population below and recurrent weights from
itself, one `FromList` per gate (zero weights, as pruning leaves them, make no synapse).
Every projection takes one tick, and layer k starts at tick k + 1, with its first input: so
layer k answers input row t at tick t + k + 1 (`answer_tick`), with no bias-only ticks before,
and its state then equals EvNN's after step t.
"""

import numpy as np

from ..connectors import FromList
from ..models import EGRU, GradedSequenceSource
from ..network import Network
from .checkpoint import EvnnCheckpoint
from .errors import EvnnError

INPUT_RECEPTORS = ("update", "reset", "candidate_input")        # x W of gates z, r, g
RECURRENT_RECEPTORS = ("update", "reset", "candidate_recurrent")  # y R of gates z, r, g


def layer_name(k: int) -> str:
    return f"layer{k}"


def answer_tick(layer: int, row: int) -> int:
    """The tick at whose end layer `layer` holds its state after input row `row`."""
    return row + layer + 1


def layer_model(checkpoint: EvnnCheckpoint, k: int) -> EGRU:
    """Layer k's EGRU: EvNN's biases summed where EvNN sums them, thresholds, zoneout, h0."""
    layer = checkpoint.layers[k]
    bias, recurrent = layer.bias, layer.recurrent_bias
    h0 = layer.h0 if layer.h0 is not None else 0.0
    return EGRU(threshold=tuple(layer.thr),
                b_update=tuple(layer.gate(bias, 0) + layer.gate(recurrent, 0)),
                b_reset=tuple(layer.gate(bias, 1) + layer.gate(recurrent, 1)),
                b_candidate_input=tuple(layer.gate(bias, 2)),
                b_candidate_recurrent=tuple(layer.gate(recurrent, 2)),
                zoneout=layer.zoneout, initial_output=h0 if np.isscalar(h0) else tuple(h0),
                start_tick=k + 1)


def build_evnn(checkpoint: EvnnCheckpoint, rows: np.ndarray, name: str = "evnn") -> Network:
    """The network of `checkpoint` fed the float input `rows` [rows, inputs]."""
    rows = np.asarray(rows, dtype=np.float64)
    if rows.ndim != 2 or rows.shape[1] != checkpoint.input_size or rows.shape[0] < 1:
        raise EvnnError(f"EvNN input must be [rows, {checkpoint.input_size}] with at least one "
                        f"row (got shape {rows.shape})")
    net = Network(name)
    below = net.add_population("input", checkpoint.input_size,
                               GradedSequenceSource(rows, repeat=False))
    for k, layer in enumerate(checkpoint.layers):
        population = net.add_population(layer_name(k), layer.size, layer_model(checkpoint, k))
        for pre, matrix, receptors in ((below, layer.kernel, INPUT_RECEPTORS),
                                       (population, layer.recurrent_kernel,
                                        RECURRENT_RECEPTORS)):
            for gate, receptor in enumerate(receptors):
                weights = layer.gate(matrix, gate)
                pre_i, post_i = np.nonzero(weights)
                net.connect(pre, population,
                            FromList(pre_i, post_i, weights[pre_i, post_i],
                                     np.ones(len(pre_i), dtype=np.int64)),
                            receptor=receptor)
        below = population
    return net
