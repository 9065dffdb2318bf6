"""The EGRU kernel, through a full run, against a NumPy reference of the published equations."""

import numpy as np
import pytest

import chips
from networks import EGRU, FromList, Network, NetworkError
from networks.models import GradedSequenceSource

from .helpers import run_serial

GATES = ("update", "reset", "candidate_input")  # the receptors of x W
RECURRENT = ("update", "reset", "candidate_recurrent")  # the receptors of y R


def sigmoid(a):
    return 1.0 / (1.0 + np.exp(-a))


def reference(x, W, R, b_x, b_r, threshold):
    """EGRU as Subramoney et al. write it, with the simulator's one-tick delay: the unit at
    tick t sees x[t - 1] and its own y[t - 1]. W, R, b_x, b_r are (z, r, g) stacks."""
    ticks, n = x.shape[0], W.shape[2]
    c, y = np.zeros(n), np.zeros(n)
    cs, ys = np.zeros((ticks, n)), np.zeros((ticks, n))
    x_prev = np.zeros(x.shape[1])
    for t in range(ticks):
        wx = [x_prev @ W[k] + b_x[k] for k in range(3)]
        rh = [y @ R[k] + b_r[k] for k in range(3)]
        z = sigmoid(wx[0] + rh[0])
        r = sigmoid(wx[1] + rh[1])
        g = np.tanh(wx[2] + r * rh[2])
        c = z * c + (1 - z) * g
        o = (c - threshold > 0).astype(float)
        y = o * c
        c = c - o * threshold
        cs[t], ys[t] = c, y
        x_prev = x[t]
    return cs, ys


def egru_network(x, W, R, b_x, b_r, threshold):
    """A graded source playing `x` into one EGRU layer with (z, r, g) weight stacks."""
    net = Network("egru_test")
    source = net.add_population("x", x.shape[1], GradedSequenceSource(x))
    model = EGRU(threshold=tuple(threshold), b_update=tuple(b_x[0] + b_r[0]),
                 b_reset=tuple(b_x[1] + b_r[1]), b_candidate_input=tuple(b_x[2]),
                 b_candidate_recurrent=tuple(b_r[2]))
    layer = net.add_population("h", W.shape[2], model, record=["c", "y"])
    for pre, matrices, receptors in ((source, W, GATES), (layer, R, RECURRENT)):
        for matrix, receptor in zip(matrices, receptors):
            pre_i, post_i = np.nonzero(matrix)   # pruned weights are absent, as on the core
            net.connect(pre, layer, FromList(pre_i, post_i, matrix[pre_i, post_i],
                                             np.ones(len(pre_i))), receptor=receptor)
    return net


@pytest.mark.parametrize("pruned", [0.0, 0.8])
def test_egru_run_matches_numpy_reference(pruned):
    rng = np.random.default_rng(11)
    n_in, n, ticks = 7, 24, 60
    x = rng.normal(0.0, 1.0, (ticks, n_in)) * (rng.random((ticks, n_in)) < 0.6)
    scale = 1.5 / np.sqrt(1 - pruned)
    W = rng.normal(0, scale / np.sqrt(n_in), (3, n_in, n)) * (rng.random((3, n_in, n)) >= pruned)
    R = rng.normal(0, scale / np.sqrt(n), (3, n, n)) * (rng.random((3, n, n)) >= pruned)
    # the simulator stores weights in single precision, like the core
    W, R = W.astype(np.float32).astype(np.float64), R.astype(np.float32).astype(np.float64)
    b_x, b_r = rng.normal(0, 0.3, (3, n)), rng.normal(0, 0.3, (3, n))
    threshold = rng.uniform(0.05, 0.3, n)
    net = egru_network(x, W, R, b_x, b_r, threshold)
    result = run_serial(net, chips.spinnaker2(2, 1), neurons_per_core=5,
                        duration_ms=ticks * 0.1)
    c_ref, y_ref = reference(x, W, R, b_x, b_r, threshold)
    np.testing.assert_allclose(result.datasets["state/h/c"], c_ref, rtol=0, atol=1e-9)
    np.testing.assert_allclose(result.datasets["state/h/y"], y_ref, rtol=0, atol=1e-9)
    times, ids = result.spikes("h")
    fired = np.zeros((ticks, n), dtype=bool)
    fired[times, ids] = True
    np.testing.assert_array_equal(fired, y_ref > 0)
    assert 0.05 < fired.mean() < 0.6        # a regime where events and silence both happen
    if pruned:
        assert sum(len(p.connector.pre) for p in net.projections) < 0.3 * 3 * n * (n + n_in)


def test_egru_refuses_a_threshold_per_unit_of_the_wrong_length():
    with pytest.raises(NetworkError, match="egru.threshold must have one value per unit"):
        Network().add_population("h", 4, EGRU(threshold=(0.1, 0.2)))
    with pytest.raises(NetworkError, match="egru.threshold must be >= 0"):
        EGRU(threshold=-0.1)
    with pytest.raises(NetworkError, match="egru.zoneout must be in"):
        EGRU(zoneout=1.5)
    with pytest.raises(NetworkError, match="egru.initial_output must be 0 when start_tick"):
        EGRU(initial_output=0.5)


def test_language_model_prunes_its_weights_and_runs_sparse():
    from networks.library.egru import EgruParams, build_egru, synapses_per_unit
    params = EgruParams(layer_sizes=(60, 40), embedding_dim=30, vocab_size=50, n_tokens=20,
                        pruning=0.9)
    net = build_egru(params, 1.0)
    for name, n, expected in zip(("layer0", "layer1"), params.layer_sizes,
                                 synapses_per_unit(params)):
        count = sum(len(p.connector.pre) for p in net.projections if p.post.name == name)
        mean = expected * n   # binomial: within 5 standard deviations
        assert abs(count - mean) < 5 * np.sqrt(mean), name
    result = run_serial(net, chips.spinnaker2(1, 1), neurons_per_core=16,
                        duration_ms=20.0, timestep_ms=1.0)
    # every token sends its whole (dense) embedding, one graded event per dimension
    times, ids = result.spikes("tokens")
    np.testing.assert_array_equal(np.bincount(times, minlength=20), np.full(20, 30))
    for k in range(2):
        active = len(result.spikes(f"layer{k}")[0]) / (20 * params.layer_sizes[k])
        assert 0.0 < active < 0.9, k  # sparse activity, not silence or saturation
