"""NIR in and out: the NIR paper's LIF against its exact solution, the Braille RNN and a small
CNN against NumPy references of the same graphs, round trips, and the promised errors."""

from dataclasses import dataclass

import nir
import numpy as np
import pytest

from networks.models.nir_models import nir_model
from networks.nir import NIRError, read_nir, read_spikes, write_nir
from networks import FromList, Network, SpikeSourceArray
from simulator.cli import main

from .helpers import REFERENCE, run_serial
from .test_nir_fuzz import synapse_set

DT_MS = 0.1
DT_S = DT_MS * 1e-3


# -- the NIR paper's single LIF neuron ---------------------------------------------------------

def euler_error_bound(exact_v, spikes_in, tau_s, r, w, v_th):
    """Bound on |forward Euler - exact| per step, from the local errors of one step
    (propagator 1 - h/tau against exp(-h/tau); input gain h/tau against 1 - exp(-h/tau), each
    off by at most (h/tau)^2 / 2), carried by the Euler propagator. (After a reset the exact
    solution also keeps what it integrates after the crossing: the caller adds that.)"""
    x = DT_S / tau_s
    local = x * x / 2
    a_euler = 1 - x
    bound = np.zeros(exact_v.size)
    b = 0.0
    for n in range(exact_v.size):
        b = a_euler * b + local * abs(exact_v[n - 1] if n else 0.0) + local * r * abs(w) * \
            spikes_in[n]
        bound[n] = b
    return bound


def test_lif_norse_matches_the_exact_solution_and_norse(reference_dir):
    exact = np.loadtxt(reference_dir / "lif_exact.csv", delimiter=",")
    norse = np.loadtxt(reference_dir / "lif_norse.csv", delimiter=",")
    spinnaker2 = np.loadtxt(reference_dir / "lif_spinnaker2.csv", delimiter=",")
    graph = nir.read(reference_dir / "lif_norse.nir")
    steps = np.flatnonzero(exact[:, 0])
    network = read_nir(graph, DT_MS, spikes=(steps * DT_MS, np.zeros(steps.size, int)))
    lif = network.population("n_1")
    network.record(lif, ["v"])
    result = run_serial(network, duration_ms=101.0)
    ticks, ids = result.spikes("n_1")
    v = result.datasets["state/n_1/v"][1:1001, 0]  # one tick of projection latency
    # Output spikes: exactly the exact solution's steps, one tick later.
    assert ticks.tolist() == (np.flatnonzero(exact[:, 2]) + 1).tolist() == [461, 511, 711, 761]
    # Voltage: forward Euler is Norse's scheme, so equal to Norse's float32 trace.
    assert np.abs(v - norse[:, 1]).max() < 1e-6
    # Against the exact solution: within the Euler bound, plus after each reset the residual
    # the exact solution keeps from the part of the step after the crossing, which decays.
    node = graph.nodes["1"]
    tau, r, v_th = float(node.tau[0]), float(node.r[0]), float(node.v_threshold[0])
    bound = euler_error_bound(exact[:, 1], exact[:, 0], tau, r, 1.0, v_th)
    since_reset = np.full(exact.shape[0], np.inf)
    last = -np.inf
    for n in range(exact.shape[0]):
        if exact[n, 2]:
            last = n
        since_reset[n] = n - last
    residual = r * 1.0 * -np.expm1(-DT_S / tau) * np.exp(-since_reset * DT_S / tau)
    error = np.abs(v - exact[:, 1])
    assert np.all(error <= bound + residual + 1e-7)
    assert error[since_reset == np.inf].max() < 1e-3  # 1 % of threshold before the first spike
    assert bound.max() < 4e-3
    # SpiNNaker2 runs the same Euler recurrence with weights and threshold scaled by 25 in its
    # fixed-point units: the same spikes, the voltage 25 times larger, equal to 0.05 % of
    # threshold (its weight is 0.9998 rather than 1 in those units).
    assert np.array_equal(np.flatnonzero(spinnaker2[:, 2]), np.flatnonzero(exact[:, 2]))
    assert np.abs(spinnaker2[:, 1] / 25 - v).max() < 5e-4 * v_th


# -- the Braille RNN -----------------------------------------------------------------------------

def cuba_lif_reference(graph, input_spikes, n_ticks, reset_subtract=True):
    """The Braille graph in plain NumPy: input -> fc1 -> lif1 (+ w_rec) -> fc2 -> lif2, every
    edge one tick late, forward Euler, snnTorch's subtract reset (reset_delay=False: a v still
    above threshold after its last reset counts that reset again in the spike test)."""
    nodes = graph.nodes
    w1 = nodes["fc1"].weight.astype(np.float64)
    w_rec = nodes["lif1.w_rec"].weight.astype(np.float64)
    w2 = nodes["fc2"].weight.astype(np.float64)
    layers = [nodes["lif1.lif"], nodes["lif2"]]
    i = [np.zeros(n.tau_mem.size) for n in layers]
    v = [np.zeros(n.tau_mem.size) for n in layers]
    z = [np.zeros(n.tau_mem.size) for n in layers]
    z_in = np.zeros(w1.shape[1])
    spikes, volts = [[], []], [[], []]
    for t in range(n_ticks):
        drive = [w1 @ z_in + w_rec @ z[0], w2 @ z[0]]
        for k, node in enumerate(layers):
            i[k] = i[k] + DT_S / node.tau_syn * (node.w_in * drive[k] - i[k])
            carried = np.where(v[k] > node.v_threshold, node.v_threshold - node.v_reset, 0.0)
            v[k] = v[k] + DT_S / node.tau_mem * (node.v_leak - v[k] + node.r * i[k])
            fired = v[k] - carried > node.v_threshold
            v[k] = np.where(fired, v[k] - (node.v_threshold - node.v_reset), v[k])
            z[k] = fired.astype(np.float64)
            spikes[k] += [(t, j) for j in np.flatnonzero(fired)]
            volts[k].append(v[k].copy())
        z_in = input_spikes[t]
    return spikes, [np.array(x) for x in volts]


def test_braille_rnn_runs_on_cores_and_equals_numpy(reference_dir):
    path = reference_dir / "braille_noDelay_noBias_subtract.nir"
    graph = nir.read(path)
    n_ticks = 400
    rng = np.random.default_rng(7)
    raster = rng.random((n_ticks, 12)) < 0.08
    ticks, channels = np.nonzero(raster)
    network = read_nir(path, DT_MS, spikes=(ticks * DT_MS, channels), reset="subtract")
    assert [p.name for p in network.populations] == ["input", "lif1_lif", "lif2"]
    assert any(p.pre is p.post for p in network.projections)  # the recurrent weights
    for name in ("lif1_lif", "lif2"):
        network.record(network.population(name), ["v"])
    result = run_serial(network, duration_ms=n_ticks * DT_MS, neurons_per_core=16)
    assert len(result.datasets["mapping/placements"]) >= 4
    spikes, volts = cuba_lif_reference(graph, raster.astype(float), n_ticks)
    for k, name in enumerate(("lif1_lif", "lif2")):
        t, ids = result.spikes(name)
        assert sorted(zip(t.tolist(), ids.tolist())) == sorted(spikes[k])
        assert np.abs(result.datasets[f"state/{name}/v"] - volts[k]).max() < 1e-9
    assert len(spikes[1]) > 50 and len(spikes[0]) > 50


# -- a small CNN -------------------------------------------------------------------------------

def conv2d_reference(x, w, b, stride, pad):
    """PyTorch's Conv2d on one image [C, H, W], by explicit sums."""
    c_out, c_in, kh, kw = w.shape
    xp = np.pad(x, ((0, 0), (pad, pad), (pad, pad)))
    h = (xp.shape[1] - kh) // stride + 1
    wd = (xp.shape[2] - kw) // stride + 1
    y = np.zeros((c_out, h, wd))
    for o in range(c_out):
        for r in range(h):
            for c in range(wd):
                y[o, r, c] = (w[o] * xp[:, r * stride:r * stride + kh,
                                         c * stride:c * stride + kw]).sum() + b[o]
    return y


def cnn_graph(rng):
    w_conv = rng.normal(0, 0.6, (4, 2, 3, 3))
    b_conv = rng.normal(0, 0.05, 4)
    w_fc = rng.normal(0, 0.5, (5, 4 * 3 * 3))
    b_fc = rng.normal(0, 0.05, 5)
    nodes = {
        "input": nir.Input(input_type={"input": np.array([2, 6, 6])}),
        "conv": nir.Conv2d(input_shape=(6, 6), weight=w_conv, stride=1, padding=1,
                           dilation=1, groups=1, bias=b_conv),
        "if1": nir.IF(r=np.full((4, 6, 6), 1.0), v_threshold=np.full((4, 6, 6), 1.0)),
        "pool": nir.SumPool2d(kernel_size=np.array([2, 2]), stride=np.array([2, 2]),
                              padding=np.array([0, 0])),
        "if2": nir.IF(r=np.full((4, 3, 3), 0.5), v_threshold=np.full((4, 3, 3), 1.0)),
        "flat": nir.Flatten(input_type={"input": np.array([4, 3, 3])}, start_dim=0),
        "fc": nir.Affine(weight=w_fc, bias=b_fc),
        "if3": nir.IF(r=np.ones(5), v_threshold=np.ones(5)),
        "output": nir.Output(output_type={"output": np.array([5])}),
    }
    edges = [("input", "conv"), ("conv", "if1"), ("if1", "pool"), ("pool", "if2"),
             ("if2", "flat"), ("flat", "fc"), ("fc", "if3"), ("if3", "output")]
    return nir.NIRGraph(nodes=nodes, edges=edges, type_check=False)


def cnn_reference(graph, raster, bias_from=(1, 2, 3)):
    """The CNN graph in NumPy: each edge one tick late, IF: v += r x, fire above threshold,
    reset to v_reset; layer k's bias from tick `bias_from[k]` (its first input's by default)."""
    n = graph.nodes
    layers = [n["if1"], n["if2"], n["if3"]]
    v = [np.zeros(l.r.shape) for l in layers]
    z = [np.zeros(l.r.shape) for l in layers]
    z_in = np.zeros((2, 6, 6))
    out = [[], [], []]
    for t in range(raster.shape[0]):
        pooled = z[0].reshape(4, 3, 2, 3, 2).sum(axis=(2, 4))
        on = [float(t >= start) for start in bias_from]
        drive = [conv2d_reference(z_in, n["conv"].weight, n["conv"].bias * on[0], 1, 1), pooled,
                 n["fc"].weight @ z[1].ravel() + n["fc"].bias * on[2]]
        for k, layer in enumerate(layers):
            v[k] = v[k] + layer.r * drive[k]
            fired = v[k] > layer.v_threshold
            v[k] = np.where(fired, layer.v_reset, v[k])
            z[k] = fired.astype(np.float64)
            out[k] += [(t, j) for j in np.flatnonzero(fired.ravel())]
        z_in = raster[t].reshape(2, 6, 6)
    return out


@pytest.mark.parametrize("bias_start,bias_from", [("first_input", (1, 2, 3)),
                                                  ("tick0", (0, 0, 0))])
def test_conv_pool_flatten_affine_if_graph_equals_numpy(bias_start, bias_from):
    rng = np.random.default_rng(3)
    graph = cnn_graph(rng)
    n_ticks = 60
    raster = rng.random((n_ticks, 72)) < 0.2
    ticks, channels = np.nonzero(raster)
    network = read_nir(graph, DT_MS, spikes=(ticks * DT_MS, channels), bias_start=bias_start)
    assert [p.size for p in network.populations] == [72, 144, 36, 5]
    result = run_serial(network, duration_ms=n_ticks * DT_MS, neurons_per_core=32,
                        fidelity="functional")
    expected = cnn_reference(graph, raster.astype(float), bias_from)
    for k, name in enumerate(("if1", "if2", "if3")):
        t, ids = result.spikes(name)
        assert sorted(zip(t.tolist(), ids.tolist())) == sorted(expected[k]), name
        assert len(expected[k]) > 5, name


def test_conv1d_avgpool_and_delay_operators_equal_numpy():
    """Conv1d with stride, dilation and groups, AvgPool2d with padding and a Delay, as weights
    and delays of the projections they become."""
    rng = np.random.default_rng(5)
    w = rng.normal(size=(4, 1, 3))
    nodes = {
        "input": nir.Input(input_type={"input": np.array([2, 9])}),
        "delay": nir.Delay(delay=np.full(18, 3 * DT_S)),
        "conv": nir.Conv1d(input_shape=9, weight=w, stride=2, padding=1, dilation=2,
                           groups=2, bias=np.zeros(4)),
        "li": nir.LI(tau=np.full(16, 1e-3), r=np.ones(16), v_leak=np.zeros(16)),
        "pool": nir.AvgPool2d(kernel_size=np.array([2, 2]), stride=np.array([1, 2]),
                              padding=np.array([1, 0])),
        "cuba": nir.CubaLI(tau_syn=np.full(12, 1e-3), tau_mem=np.full(12, 2e-3),
                           r=np.ones(12), v_leak=np.zeros(12)),
    }
    # the LI's 16 values as [C=2, H=2, W=4] for the pooling: declare it
    nodes["pool"].input_type = {"input": np.array([2, 2, 4])}
    edges = [("input", "delay"), ("delay", "conv"), ("conv", "li"), ("li", "pool"),
             ("pool", "cuba")]
    network = read_nir(nir.NIRGraph(nodes=nodes, edges=edges, type_check=False), DT_MS)
    first, second = network.projections
    weights = np.zeros((16, 18))
    weights[first.connector.post, first.connector.pre] = first.connector.weight
    assert set(first.connector.delay_ticks.tolist()) == {4}
    x = rng.normal(size=(2, 9))
    expected = np.zeros((4, 4))
    for o in range(4):
        group = o // 2
        padded = np.pad(x[group], 1)
        for p in range(4):
            expected[o, p] = sum(w[o, 0, k] * padded[p * 2 + k * 2] for k in range(3))
    assert np.allclose(weights @ x.ravel(), expected.ravel())
    pool = np.zeros((12, 16))
    pool[second.connector.post, second.connector.pre] = second.connector.weight
    y = rng.normal(size=(2, 2, 4))
    padded = np.pad(y, ((0, 0), (1, 1), (0, 0)))
    expected = np.array([[[padded[c, r:r + 2, 2 * q:2 * q + 2].sum() / 4 for q in range(2)]
                          for r in range(3)] for c in range(2)])
    assert np.allclose(pool @ y.ravel(), expected.ravel())


def kinds_chain(rng):
    """Input -> CubaLIF -> LI -> Threshold -> I -> IF -> CubaLI -> LIF, dense weights, with
    time constants of a few ticks; LI, I and CubaLI pass on v as graded events."""
    n = 3
    tau = lambda: rng.uniform(2e-4, 1e-3, n)  # noqa: E731
    ones = np.ones(n)
    layers = [
        ("cubalif", nir.CubaLIF(tau_syn=tau(), tau_mem=tau(), r=rng.uniform(1, 3, n),
                                v_leak=np.zeros(n), v_threshold=ones * 0.5,
                                w_in=rng.uniform(1, 2, n))),
        ("li", nir.LI(tau=tau(), r=rng.uniform(1, 2, n), v_leak=rng.uniform(-0.1, 0.1, n))),
        ("threshold", nir.Threshold(threshold=np.full(n, 0.05))),
        ("integrator", nir.I(r=rng.uniform(0.1, 0.3, n))),
        ("if_", nir.IF(r=ones, v_threshold=ones * 0.8, v_reset=np.full(n, -0.1))),
        ("cubali", nir.CubaLI(tau_syn=tau(), tau_mem=tau(), r=ones, v_leak=np.zeros(n))),
        ("lif", nir.LIF(tau=tau(), r=ones * 2, v_leak=np.full(n, 0.05),
                        v_threshold=ones * 0.3)),
    ]
    nodes = {"input": nir.Input(input_type={"input": np.array([n])})}
    edges, previous = [], "input"
    for k, (name, node) in enumerate(layers):
        nodes[f"w{k}"] = nir.Linear(weight=rng.normal(0.6, 0.5, (n, n)).astype(np.float32))
        nodes[name] = node
        edges += [(previous, f"w{k}"), (f"w{k}", name)]
        previous = name
    return nir.NIRGraph(nodes=nodes, edges=edges, type_check=False), [n for n, _ in layers]


def kinds_reference(graph, names, raster):
    """The chain in NumPy, each edge one tick late, the update table of docs/nir.md."""
    h = DT_S
    nodes = graph.nodes
    state = {name: [np.zeros(3), np.zeros(3)] for name in names}   # i, v
    out = {name: np.zeros(3) for name in names}  # what each sent last tick
    spikes = {name: [] for name in names}
    vs = {name: [] for name in names}
    previous_input = np.zeros(3)
    for t in range(raster.shape[0]):
        sent = {}
        upstream = previous_input
        for k, name in enumerate(names):
            node = nodes[name]
            x = nodes[f"w{k}"].weight.astype(np.float64) @ upstream
            upstream = out[name]
            i, v = state[name]
            kind = type(node).__name__
            if kind in ("CubaLIF", "CubaLI"):
                i = i + h / node.tau_syn * (node.w_in * x - i)
                v = v + h / node.tau_mem * (node.v_leak - v + node.r * i)
            elif kind in ("LIF", "LI"):
                i = x
                v = v + h / node.tau * (node.v_leak - v + node.r * x)
            elif kind in ("IF", "I"):
                i = x
                v = v + node.r * x
            else:
                i, v = x, x
            if kind in ("CubaLIF", "LIF", "IF", "Threshold"):
                threshold = node.threshold if kind == "Threshold" else node.v_threshold
                fired = v > threshold
                reset = np.zeros(3) if kind == "Threshold" else node.v_reset
                v = np.where(fired, reset, v)
                sent[name] = fired.astype(float)
                spikes[name] += [(t, j) for j in np.flatnonzero(fired)]
            else:
                sent[name] = v.copy()
            state[name] = [i, v]
            vs[name].append(v.copy())
        out = sent
        previous_input = raster[t]
    return spikes, {k: np.array(v) for k, v in vs.items()}


def test_every_neuron_kind_and_graded_integrators_equal_numpy():
    rng = np.random.default_rng(11)
    graph, names = kinds_chain(rng)
    n_ticks = 120
    raster = rng.random((n_ticks, 3)) < 0.3
    ticks, channels = np.nonzero(raster)
    network = read_nir(graph, DT_MS, spikes=(ticks * DT_MS, channels))
    for name in names:
        network.record(network.population(name), ["v"])
    result = run_serial(network, duration_ms=n_ticks * DT_MS, neurons_per_core=2)
    spikes, volts = kinds_reference(graph, names, raster.astype(float))
    for name in names:
        assert np.allclose(result.datasets[f"state/{name}/v"], volts[name], atol=1e-12,
                           rtol=1e-9), name
        if name in ("cubalif", "threshold", "if_", "lif"):
            t, ids = result.spikes(name)
            assert sorted(zip(t.tolist(), ids.tolist())) == sorted(spikes[name]), name
            assert len(spikes[name]) > 3, name


# -- export and round trip -----------------------------------------------------------------------

def same_graph(a, b):
    assert set(a.nodes) == set(b.nodes) and sorted(a.edges) == sorted(b.edges)
    for name, node in a.nodes.items():
        other = b.nodes[name]
        assert type(node) is type(other), name
        for field, value in vars(node).items():
            if isinstance(value, np.ndarray):
                assert np.array_equal(value, getattr(other, field)), (name, field)
        assert (node.metadata or {}) == (other.metadata or {}), name


def test_round_trip_gives_the_same_graph(reference_dir, tmp_path):
    braille = nir.read(reference_dir / "braille_noDelay_noBias_subtract.nir")
    network = read_nir(braille, DT_MS, reset="subtract")
    written = write_nir(network, DT_MS)
    nir.write(tmp_path / "braille.nir", written)
    again = write_nir(read_nir(tmp_path / "braille.nir", DT_MS), DT_MS)
    same_graph(written, again)
    # and the written graph says what the original says: same neurons, same weights
    assert np.array_equal(written.nodes["input_to_lif1_lif"].weight, braille.nodes["fc1"].weight)
    assert np.array_equal(written.nodes["lif1_lif_to_lif1_lif"].weight,
                          braille.nodes["lif1.w_rec"].weight)
    assert np.array_equal(written.nodes["lif1_lif"].tau_mem, braille.nodes["lif1.lif"].tau_mem)
    assert written.nodes["lif2"].metadata == {"reset": "subtract"}


def test_every_neuron_kind_round_trips():
    graph, names = kinds_chain(np.random.default_rng(2))
    written = write_nir(read_nir(graph, DT_MS), DT_MS)
    same_graph(written, write_nir(read_nir(written, DT_MS), DT_MS))
    for name in names:
        original, back = graph.nodes[name], written.nodes[name]
        assert type(back) is type(original)
        fields = [f for f, v in vars(original).items() if isinstance(v, np.ndarray)
                  and not f.endswith("_type")]
        assert fields and all(np.array_equal(getattr(original, f), getattr(back, f))
                              for f in fields), name


def test_a_built_network_round_trips_with_bias_and_delays():
    net = Network("built")
    src = net.add_population("src", 3, SpikeSourceArray(((1.0,), (), (2.0, 3.0))))
    lif = net.add_population("lif", 2, nir_model("LIF", 2, tau_mem=[0.01, 0.02], r=[1, 2],
                                                    v_threshold=0.5, bias=[0.1, -0.2]))
    li = net.add_population("li", 2, nir_model("LI", 2, tau_mem=0.005))
    net.connect(src, lif, FromList([0, 1, 2, 2], [0, 1, 0, 1], [0.5, -0.25, 1.0, 2.0],
                                   [3, 2, 1, 1]), receptor="input")
    net.connect(lif, li, FromList([0, 1], [1, 0], [1.5, -1.5], [1, 1]), receptor="input")
    graph = write_nir(net, DT_MS)
    assert isinstance(graph.nodes["src_to_lif"], nir.Affine)  # the synapses of 1 tick
    assert np.array_equal(graph.nodes["src_to_lif"].weight, [[0, 0, 1.0], [0, 0, 2.0]])
    assert np.array_equal(graph.nodes["src_to_lif_d3"].weight, [[0.5, 0, 0], [0, 0, 0]])
    assert np.allclose(graph.nodes["src_to_lif_d3_delay"].delay, 2 * DT_S)
    assert np.allclose(graph.nodes["src_to_lif_d2_delay"].delay, DT_S)
    back = read_nir(graph, DT_MS)
    same_graph(graph, write_nir(back, DT_MS))
    lif_back = back.population("lif").model
    assert np.array_equal(lif_back.bias, [0.1, -0.2]) and np.array_equal(lif_back.r, [1, 2])
    conn = back.projections[0].connector
    assert sorted(zip(conn.pre, conn.post, conn.weight, conn.delay_ticks)) == \
        [(0, 0, 0.5, 3), (1, 1, -0.25, 2), (2, 0, 1.0, 1), (2, 1, 2.0, 1)]


# -- errors ------------------------------------------------------------------------------------

def lif_node(n):
    return nir.LIF(tau=np.full(n, 0.01), r=np.ones(n), v_leak=np.zeros(n),
                   v_threshold=np.ones(n))


def graph_of(nodes, edges):
    return nir.NIRGraph(nodes=nodes, edges=edges, type_check=False)


INPUT3 = nir.Input(input_type={"input": np.array([3])})


@pytest.mark.parametrize("nodes,edges,message", [
    ({"input": INPUT3, "fc": nir.Linear(weight=np.ones((4, 2))), "lif": lif_node(4)},
     [("input", "fc"), ("fc", "lif")],
     "NIR node 'fc' (Linear) has weights for 2 inputs but receives 3 values; the shapes must "
     "match"),
    ({"input": INPUT3, "fc": nir.Linear(weight=np.ones((4, 3))), "lif": lif_node(5)},
     [("input", "fc"), ("fc", "lif")],
     "NIR node 'lif' (LIF) has 5 inputs but receives 4 values from 'fc'"),
    ({"input": INPUT3, "sub": nir.NIRGraph(nodes={}, edges=[], type_check=False)},
     [("input", "sub")], "NIR edge end 'sub' names a subgraph with 0 input nodes; name one of "
                         "them (none)"),
    ({"input": INPUT3, "lif": lif_node(3), "sub": nir.NIRGraph(
        nodes={"in": nir.Input(input_type={"input": np.array([3])}),
               "out": nir.Output(output_type={"output": np.array([3])})},
        edges=[("in", "out")], type_check=False)}, [("input", "sub"), ("sub", "lif")],
     "NIR subgraph 'sub' connects its input 'sub.in' straight to its output 'sub.out'"),
    ({"input": INPUT3, "lif": lif_node(3)}, [("input", "nowhere")],
     "NIR edge ('input', 'nowhere') names node 'nowhere', which is not in the graph"),
    ({"input": INPUT3, "a": nir.Scale(scale=np.ones(3)), "b": nir.Scale(scale=np.ones(3)),
      "lif": lif_node(3)}, [("input", "a"), ("a", "b"), ("b", "a"), ("b", "lif")],
     "NIR node 'a' (Scale) is on a loop of edge nodes with no neuron node in it"),
    ({"input": INPUT3, "lif": lif_node(3)}, [("lif", "input")],
     "NIR node 'input' (Input) receives an edge from 'lif', but an Input node cannot have "
     "inputs"),
    ({"input": INPUT3, "d": nir.Delay(delay=np.full(3, 0.25e-4)), "lif": lif_node(3)},
     [("input", "d"), ("d", "lif")], "NIR node 'd' (Delay) has delays that are not whole "
                                     "numbers of the 0.1 ms timestep"),
    ({"input": INPUT3, "lif": lif_node(3), "fc": nir.Linear(weight=np.ones((2, 3))),
      "out": nir.Output(output_type={"output": np.array([2])})},
     [("input", "lif"), ("lif", "fc"), ("fc", "out")],
     "NIR node 'out' (Output) is reached from 'fc' through edge nodes, but only populations "
     "are recorded; put a neuron node such as LI before the Output"),
    ({"input": INPUT3, "lif": nir.LIF(tau=np.full(3, 1e-5), r=np.ones(3), v_leak=np.zeros(3),
                                      v_threshold=np.ones(3))}, [("input", "lif")],
     "NIR node 'lif' (LIF) has a bad parameter: LIF.tau_mem must be at least the timestep "
     "(0.0001 s) for forward Euler to be stable (got 1e-05)"),
])
def test_malformed_graphs_name_the_node_its_type_and_why(nodes, edges, message):
    with pytest.raises(NIRError) as err:
        read_nir(graph_of(nodes, edges), DT_MS)
    assert message in str(err.value) and str(err.value).count(". ") == 0


def test_unsupported_node_type_lists_the_supported_ones():
    @dataclass(eq=False)
    class Custom(nir.NIRNode):
        gain: np.ndarray

        def __post_init__(self):
            self.input_type = {"input": np.array([3])}
            self.output_type = {"output": np.array([3])}
    node = Custom(np.ones(3))
    with pytest.raises(NIRError, match=r"NIR node 'odd' \(Custom\) is not supported; the "
                                       r"supported node types are LIF, CubaLIF"):
        read_nir(graph_of({"input": INPUT3, "odd": node}, [("input", "odd")]), DT_MS)


LIF_TOML = """
[network]
nir = "{nir}"
input = "{input}"

[run]
duration_ms = 10.0
timestep_ms = 0.1
fidelity = "functional"

[record]
n_1 = ["v"]
"""


def run_cli(tmp_path, nir_path, input_path, capsys):
    (tmp_path / "lif.toml").write_text(LIF_TOML.format(nir=nir_path, input=input_path))
    code = main(["run", str(tmp_path / "lif.toml"), "--out", str(tmp_path / "out.h5"),
                 "--quiet"])
    return code, capsys.readouterr().err


def test_cli_runs_a_nir_model_and_records_its_output(reference_dir, tmp_path, capsys):
    np.savez(tmp_path / "spikes.npz", times_ms=np.array([1.0, 1.5, 2.0, 2.5, 3.0]),
             indices=np.zeros(5, dtype=np.int64))
    code, err = run_cli(tmp_path, reference_dir / "lif_norse.nir", "spikes.npz",
                        capsys)
    assert code == 0, err
    import h5py
    with h5py.File(tmp_path / "out.h5") as f:
        v = f["state/n_1/v"][:, 0]
        assert f["spikes/n_1/times"][:].tolist() == [26]  # fifth input, one tick late
    assert v[11] == pytest.approx(0.04, rel=1e-6)


def test_the_bundled_example_reproduces_the_reference_spikes(reference_dir):
    from simulator import load_config, simulate
    from simulator.distribution import SerialComm

    from .helpers import REPO
    config = load_config(REPO / "examples" / "nir_lif.toml")
    result = simulate(config.build_network(), config.machine, config.run, config.mapping,
                      comm=SerialComm())
    exact = np.loadtxt(reference_dir / "lif_exact.csv", delimiter=",")
    assert result.spikes("n_1")[0].tolist() == (np.flatnonzero(exact[:, 2]) + 1).tolist()
    assert result.datasets["state/n_1/v"].shape == (1000, 1)


def truncated(path, tmp_path, name):
    data = path.read_bytes()
    (tmp_path / name).write_bytes(data[:len(data) // 2])
    return tmp_path / name


@pytest.mark.parametrize("case,message", [
    ("missing_nir", "NIR file {tmp}/none.nir does not exist"),
    ("truncated_nir", "cannot be read as a NIR graph"),
    ("garbage_nir", "cannot be read as a NIR graph"),
    ("missing_input", "input spike file {tmp}/none.npz does not exist"),
    ("truncated_input", "input spike file {tmp}/cut.npz cannot be read"),
    ("wrong_shapes", "must hold 1-D times_ms and indices of equal length"),
    ("wrong_dtype", "indices must be integers (got dtype float64)"),
    ("no_times", "has no 'times_ms' dataset"),
    ("out_of_range", "NIR node 'input' (Input) has 1 neurons but the input spikes name index "
                     "4"),
    ("negative_time", "times_ms must be finite and >= 0"),
])
def test_bad_files_exit_2_with_one_sentence(reference_dir, tmp_path, capsys, case, message):
    lif = reference_dir / "lif_norse.nir"
    good = dict(times_ms=np.array([1.0]), indices=np.array([0]))
    spikes = {"wrong_shapes": dict(times_ms=np.ones(2), indices=np.zeros(3, int)),
              "wrong_dtype": dict(times_ms=np.ones(2), indices=np.zeros(2)),
              "no_times": dict(indices=np.zeros(2, int)),
              "out_of_range": dict(times_ms=np.ones(2), indices=np.array([0, 4])),
              "negative_time": dict(times_ms=np.array([-1.0]), indices=np.array([0]))}
    np.savez(tmp_path / "spikes.npz", **spikes.get(case, good))
    nir_path, input_path = lif, tmp_path / "spikes.npz"
    if case == "missing_nir":
        nir_path = tmp_path / "none.nir"
    elif case == "truncated_nir":
        nir_path = truncated(lif, tmp_path, "cut.nir")
    elif case == "garbage_nir":
        nir_path = tmp_path / "garbage.nir"
        nir_path.write_bytes(b"not a nir file at all")
    elif case == "missing_input":
        input_path = tmp_path / "none.npz"
    elif case == "truncated_input":
        input_path = truncated(tmp_path / "spikes.npz", tmp_path, "cut.npz")
    code, err = run_cli(tmp_path, nir_path, input_path, capsys)
    assert code == 2
    assert message.format(tmp=tmp_path) in err and err.count("\n") == 1
    assert not (tmp_path / "out.h5").exists()


def test_spike_file_in_hdf5_reads_like_npz(tmp_path):
    import h5py
    with h5py.File(tmp_path / "s.h5", "w") as f:
        f["times_ms"] = np.array([0.5, 0.2])
        f["indices"] = np.array([1, 0], dtype=np.int32)
    times, indices = read_spikes(tmp_path / "s.h5")
    assert times.tolist() == [0.5, 0.2] and indices.tolist() == [1, 0]


def test_config_nir_and_library_exclude_each_other(tmp_path, capsys):
    (tmp_path / "x.toml").write_text('[network]\nnir = "a.nir"\nlibrary = "cuba"\n')
    code = main(["run", str(tmp_path / "x.toml"), "--out", str(tmp_path / "o.h5")])
    assert code == 2 and "nir and library/params exclude each other" in capsys.readouterr().err


BRAILLE_TOML = """
[machine]
width = 2
height = 2

[network]
nir = "{nir}"
input = "in.npz"
reset = "subtract"

[mapping]
neurons_per_core = 8
placer = "spread"

[run]
duration_ms = 40.0
timestep_ms = 0.1

[record]
lif2 = ["v", "i"]
"""


def test_braille_gives_the_same_file_on_two_ranks(reference_dir, tmp_path):
    from simulator import load_result

    from .test_mpi import NEUROCHIP, assert_same_results, mpiexec
    raster = np.random.default_rng(1).random((400, 12)) < 0.08
    ticks, channels = np.nonzero(raster)
    np.savez(tmp_path / "in.npz", times_ms=ticks * DT_MS, indices=channels)
    (tmp_path / "b.toml").write_text(BRAILLE_TOML.format(
        nir=reference_dir / "braille_noDelay_noBias_subtract.nir"))
    for n in (1, 2):
        done = mpiexec(n, NEUROCHIP, "run", "b.toml", "--out", f"{n}.h5", "--quiet",
                       cwd=tmp_path)
        assert done.returncode == 0, done.stderr
    one, two = load_result(tmp_path / "1.h5"), load_result(tmp_path / "2.h5")
    assert_same_results(one, two)
    assert two.attributes["n_ranks"] == 2 and len(one.spikes("lif2")[0]) > 50


def test_a_zero_weight_path_is_no_projection_and_survives_a_round_trip():
    """Scale(0) between two neuron nodes makes weight-0 synapses: they change nothing and a
    dense NIR matrix cannot keep them, so the reader leaves them out on every path (found by
    the fuzz test with seed 22)."""
    one = np.array([1.0])
    graph = nir.NIRGraph(nodes={
        "in": nir.Input(input_type={"input": np.array([1])}),
        "n0": nir.LIF(tau=one, r=one, v_leak=one * 0, v_threshold=one, v_reset=one * 0),
        "e1": nir.Scale(scale=np.array([0.0])),
        "n1": nir.I(r=one),
        "out": nir.Output(output_type={"output": np.array([1])})},
        edges=[("in", "n0"), ("n0", "e1"), ("e1", "n1"), ("n1", "out")], type_check=False)
    spikes = (np.array([0.5]), np.array([0]))
    network = read_nir(graph, 0.1, spikes=spikes)
    assert [(p.pre.name, p.post.name) for p in network.projections] == [("in", "n0")]
    again = read_nir(write_nir(network, 0.1), 0.1, spikes=spikes)
    assert [(p.pre.name, p.post.name) for p in again.projections] == [("in", "n0")]


def nested_braille(reference_dir, outer_names_ports: bool):
    """The Braille RNN as snnTorch nests a recurrent layer: `lif1` a subgraph holding the
    CubaLIF and its recurrent weights between its own Input and Output nodes."""
    flat = nir.read(reference_dir / "braille_noDelay_noBias_subtract.nir")
    lif = flat.nodes["lif1.lif"]
    inner = nir.NIRGraph(nodes={
        "lif1.input": nir.Input(input_type={"input": np.array([lif.tau_mem.size])}),
        "lif1.lif": lif, "lif1.w_rec": flat.nodes["lif1.w_rec"],
        "lif1.output": nir.Output(output_type={"output": np.array([lif.tau_mem.size])})},
        edges=[("lif1.input", "lif1.lif"), ("lif1.lif", "lif1.w_rec"),
               ("lif1.w_rec", "lif1.lif"), ("lif1.lif", "lif1.output")], type_check=False)
    into, out_of = ("lif1.input", "lif1.output") if outer_names_ports else ("lif1", "lif1")
    nodes = {k: v for k, v in flat.nodes.items() if not k.startswith("lif1.")}
    nodes["lif1"] = inner
    edges = [("input", "fc1"), ("fc1", into), (out_of, "fc2"), ("fc2", "lif2"),
             ("lif2", "output")]
    return flat, nir.NIRGraph(nodes=nodes, edges=edges, type_check=False)


@pytest.mark.parametrize("outer_names_ports", [False, True])
def test_a_nested_recurrent_layer_reads_as_its_flat_graph(reference_dir, outer_names_ports):
    flat, nested = nested_braille(reference_dir, outer_names_ports)
    spikes = (np.array([0.1, 0.3, 0.3]), np.array([0, 5, 11]))
    one = read_nir(flat, DT_MS, spikes=spikes, reset="subtract")
    other = read_nir(nested, DT_MS, spikes=spikes, reset="subtract")
    assert sorted((p.name, p.size) for p in other.populations) == \
        sorted((p.name, p.size) for p in one.populations)
    assert synapse_set(other) == synapse_set(one)
    assert any(p.pre is p.post for p in other.projections)
