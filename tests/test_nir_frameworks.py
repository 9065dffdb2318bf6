"""NIR graphs with the training framework's semantics: snnTorch's exported Leaky, RLeaky and
Synaptic models spike for spike against snnTorch's own forward pass (stored traces, made by
benchmarks/snntorch_reference.py), biases that start with a layer's first input, residual
branches kept in step, the graph's timestep checked, and the layer order of populations."""

import json

import nir
import numpy as np
import pytest

import chips
from networks.nir import NIRError, read_nir
from networks.nir.reader import load_graph, population_names
from simulator import ConfigError, parse_config

from .helpers import REPO, run_serial

SNNTORCH = REPO / "examples" / "snntorch"
DT_MS = 0.1   # snnTorch's exporter writes time constants for dt = 1e-4 s


def spiking_nodes(traces, case):
    names = [k.split("/", 1)[1] for k in traces.files if k.startswith(f"{case}/")]
    return sorted((n for n in names if n != "input"), key=lambda n: int(n.split(".")[0]))


@pytest.mark.parametrize("case", ["leaky", "leaky_no_delay", "rleaky", "synaptic"])
def test_snntorch_models_spike_as_snntorch_does(case):
    traces = np.load(SNNTORCH / "traces.npz")
    provenance = json.loads((SNNTORCH / "provenance.json").read_text())
    raster = traces[f"{case}/input"]
    steps = raster.shape[0]
    ticks, channels = np.nonzero(raster)
    path = SNNTORCH / f"{case}.nir"
    network = read_nir(path, DT_MS, spikes=(ticks * DT_MS, channels), reset="subtract",
                       reset_delay=case != "leaky_no_delay", dt_ms=DT_MS)
    names = population_names(load_graph(path))
    layers = spiking_nodes(traces, case)
    assert [p.name for p in network.populations] == ["input"] + [names[n] for n in layers]
    result = run_serial(network, chips.spinnaker2(2, 1), neurons_per_core=8,
                        duration_ms=(steps + len(layers)) * DT_MS, fidelity="functional")
    for depth, node in enumerate(layers, start=1):
        expected = traces[f"{case}/{node}"] > 0
        t, ids = result.spikes(names[node])
        ours = np.zeros_like(expected)
        inside = t - depth < steps
        ours[t[inside] - depth, ids[inside]] = True     # layer d answers step s at tick s + d
        assert expected.sum() == provenance["cases"][case]["spikes_per_layer"][depth - 1]
        np.testing.assert_array_equal(ours, expected, err_msg=f"{case} {node}")
        assert 0.02 < expected.mean() < 0.6


def test_without_the_reset_delay_a_leaky_model_spikes_differently():
    """The delayed reset is what snnTorch's default does: ignoring it changes the rasters."""
    traces = np.load(SNNTORCH / "traces.npz")
    raster = traces["leaky/input"]
    ticks, channels = np.nonzero(raster)
    network = read_nir(SNNTORCH / "leaky.nir", DT_MS, spikes=(ticks * DT_MS, channels),
                       reset="subtract", reset_delay=False)
    result = run_serial(network, chips.spinnaker2(1, 1), duration_ms=123 * DT_MS,
                        fidelity="functional")
    t, ids = result.spikes("n_1")
    ours = np.zeros(raster.shape[:1] + (30,), dtype=bool)
    ours[t[t - 1 < 120] - 1, ids[t - 1 < 120]] = True
    assert (ours != (traces["leaky/1"] > 0)).sum() > 50


def chain_with_skip(rng, bias):
    """input(4) -> a(6) -> b(6) -> c(5), and a -> c directly (a residual branch), IF neurons
    with Affine biases."""
    w = {k: rng.normal(0, 1.2, shape) for k, shape in
         (("ia", (6, 4)), ("ab", (6, 6)), ("bc", (5, 6)), ("ac", (5, 6)))}
    b = {k: np.full(w[k].shape[0], bias) for k in w}
    if_node = lambda n: nir.IF(r=np.ones(n), v_threshold=np.ones(n),  # noqa: E731
                               v_reset=np.zeros(n))
    nodes = {"input": nir.Input(input_type={"input": np.array([4])}),
             "a": if_node(6), "b": if_node(6), "c": if_node(5),
             **{f"w_{k}": nir.Affine(weight=w[k], bias=b[k]) for k in w}}
    edges = [("input", "w_ia"), ("w_ia", "a"), ("a", "w_ab"), ("w_ab", "b"), ("b", "w_bc"),
             ("w_bc", "c"), ("a", "w_ac"), ("w_ac", "c")]
    return nir.NIRGraph(nodes=nodes, edges=edges, type_check=False), w, b


def framework_steps(w, b, raster):
    """The chain as a framework steps it: every layer within one step, biases every step,
    IF v += x, fire above 1, reset to 0. Returns each layer's spikes [steps, n]."""
    v = {k: np.zeros(n) for k, n in (("a", 6), ("b", 6), ("c", 5))}
    out = {k: [] for k in v}
    for x in raster:
        z = {}
        for layer, drive in (("a", lambda: w["ia"] @ x + b["ia"]),
                             ("b", lambda: w["ab"] @ z["a"] + b["ab"]),
                             ("c", lambda: w["bc"] @ z["b"] + b["bc"] + w["ac"] @ z["a"]
                              + b["ac"])):
            v[layer] = v[layer] + drive()
            z[layer] = (v[layer] > 1.0).astype(float)
            v[layer] = np.where(z[layer] > 0, 0.0, v[layer])
            out[layer].append(z[layer])
    return {k: np.array(s) for k, s in out.items()}


def test_residual_branches_and_biases_keep_the_framework_step():
    rng = np.random.default_rng(4)
    graph, w, b = chain_with_skip(rng, 0.05)
    raster = (rng.random((80, 4)) < 0.3).astype(float)
    ticks, channels = np.nonzero(raster)
    network = read_nir(graph, DT_MS, spikes=(ticks * DT_MS, channels))
    skip = [p for p in network.projections if (p.pre.name, p.post.name) == ("a", "c")][0]
    assert set(skip.connector.delay_ticks) == {2}       # waits for the path through b
    result = run_serial(network, chips.spinnaker2(1, 1), duration_ms=84 * DT_MS,
                        fidelity="functional")
    expected = framework_steps(w, b, raster)
    for layer, depth in (("a", 1), ("b", 2), ("c", 3)):
        t, ids = result.spikes(layer)
        ours = np.zeros_like(expected[layer], dtype=bool)
        inside = t - depth < 80
        ours[t[inside] - depth, ids[inside]] = True
        np.testing.assert_array_equal(ours, expected[layer] > 0, err_msg=layer)
        assert expected[layer].sum() > 10


def test_a_bias_starts_with_the_layers_first_input_or_at_tick_0():
    graph, _, _ = chain_with_skip(np.random.default_rng(4), 0.3)
    for start, first in (("first_input", {"a": 1, "b": 2, "c": 3}),
                         ("tick0", {"a": 0, "b": 0, "c": 0})):
        network = read_nir(graph, DT_MS, bias_start=start)
        for name in first:
            network.record(network.population(name), ["v"])
        result = run_serial(network, chips.spinnaker2(1, 1), duration_ms=6 * DT_MS,
                            fidelity="functional")
        for name, tick in first.items():
            v = result.datasets[f"state/{name}/v"]
            assert not v[:tick].any() and v[tick].all(), (start, name)


def test_the_graph_timestep_must_be_the_runs(tmp_path):
    with pytest.raises(NIRError, match=r"NIR graph was trained at a timestep of 0.1 ms "
                                       r"\(\[network\] dt_ms\) but the run steps 1 ms; set "
                                       r"\[run\] timestep_ms = 0.1"):
        read_nir(SNNTORCH / "leaky.nir", 1.0, dt_ms=0.1)
    graph = load_graph(SNNTORCH / "leaky.nir")
    graph = nir.NIRGraph(nodes=graph.nodes, edges=graph.edges, metadata={"dt": 1e-4})
    with pytest.raises(NIRError, match=r"\(the graph's metadata dt\) but the run steps 0.5 ms"):
        read_nir(graph, 0.5)
    assert len(read_nir(graph, 0.1).populations) == 3
    (tmp_path / "in.npz").write_bytes((SNNTORCH / "traces.npz").read_bytes())
    text = (f'[network]\nnir = "{SNNTORCH / "leaky.nir"}"\nreset = "subtract"\n'
            f'reset_delay = true\ndt_ms = 0.1\n[run]\ntimestep_ms = 1.0\nduration_ms = 10.0\n')
    with pytest.raises(ConfigError) as err:
        parse_config(text, str(tmp_path / "x.toml"))
    message = str(err.value)
    assert message.startswith("[network] NIR graph was trained at a timestep of 0.1 ms")
    assert "\n" not in message
    ok = parse_config(text.replace("timestep_ms = 1.0", "timestep_ms = 0.1"),
                      str(tmp_path / "x.toml"))
    model = ok.build_network().population("n_1").model
    assert model.reset == "subtract" and model.reset_delay and model.bias_start_tick == 1


def test_nir_keys_need_a_nir_network(tmp_path):
    with pytest.raises(ConfigError, match=r"\[network\] dt_ms belongs to a NIR or EvNN"):
        parse_config('[network]\nlibrary = "cuba"\ndt_ms = 0.1\n', str(tmp_path / "x.toml"))
    with pytest.raises(ConfigError, match="bias_start must be one of"):
        parse_config(f'[network]\nnir = "{SNNTORCH / "leaky.nir"}"\nbias_start = "soon"\n',
                     str(tmp_path / "x.toml"))


def test_a_written_graph_keeps_its_ticks_when_read_back(tmp_path):
    """write_nir marks its graph as timed in ticks: read back, the skip keeps its aligned
    delay (not aligned twice) and the biases their start ticks."""
    from networks.nir import write_nir
    graph, _, _ = chain_with_skip(np.random.default_rng(4), 0.05)
    network = read_nir(graph, DT_MS)
    written = write_nir(network, DT_MS)
    assert written.metadata["timing"] == "ticks"
    nir.write(tmp_path / "g.nir", written)
    again = read_nir(tmp_path / "g.nir", DT_MS)
    def delays(net):
        return {(p.pre.name, p.post.name): sorted(set(p.connector.delay_ticks))
                for p in net.projections}
    assert delays(again) == delays(network) and delays(network)[("a", "c")] == [2]
    assert [p.model.bias_start_tick for p in again.populations[1:]] == [1, 2, 3]
