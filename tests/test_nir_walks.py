"""The NIR reader walks graphs of any depth and width without recursion or work per path."""

import h5py
import nir
import numpy as np
import pytest

from networks.nir import NIRError, read_nir

DT_MS = 0.1
N = 3


def lif(n=N):
    return nir.LIF(tau=np.full(n, 0.01), r=np.ones(n), v_leak=np.zeros(n),
                   v_threshold=np.ones(n))


def source():
    return {"input": nir.Input(input_type={"input": np.array([N])}), "lif": lif()}


def chain(length: int, scale: float = 1.0) -> nir.NIRGraph:
    """Input -> Scale -> ... -> Scale -> LIF, `length` Scale nodes."""
    nodes, edges, previous = source(), [], "input"
    for i in range(length):
        nodes[f"s{i}"] = nir.Scale(scale=np.full(N, scale))
        edges.append((previous, f"s{i}"))
        previous = f"s{i}"
    return nir.NIRGraph(nodes=nodes, edges=edges + [(previous, "lif")], type_check=False)


def diamonds(stages: int, bias: float = 0.0) -> nir.NIRGraph:
    """Input -> Affine (bias) -> `stages` diamonds -> LIF: each diamond splits into two
    Scale nodes of 0.5 that join again, so 2**stages paths, each of weight 2**-stages."""
    nodes, edges = source(), [("input", "in")]
    nodes["in"] = nir.Affine(weight=np.eye(N), bias=np.full(N, bias))
    previous = "in"
    for i in range(stages):
        a, b, joined = f"a{i}", f"b{i}", f"j{i}"
        nodes[a], nodes[b] = nir.Scale(scale=np.full(N, 0.5)), nir.Scale(scale=np.full(N, 0.5))
        nodes[joined] = nir.Scale(scale=np.ones(N))
        edges += [(previous, a), (previous, b), (a, joined), (b, joined)]
        previous = joined
    return nir.NIRGraph(nodes=nodes, edges=edges + [(previous, "lif")], type_check=False)


def only_projection(network):
    (projection,) = network.projections
    c = projection.connector
    return sorted(zip(c.pre.tolist(), c.post.tolist(), c.weight.tolist(),
                      c.delay_ticks.tolist()))


def test_a_chain_of_3000_edge_nodes_composes_into_one_projection():
    """Far deeper than Python's recursion limit: 3,000 Scale nodes of 1.001 compose into one
    diagonal of 1.001**3000."""
    network = read_nir(chain(3000, 1.001), DT_MS)
    assert only_projection(network) == [(i, i, pytest.approx(1.001**3000), 1)
                                        for i in range(N)]


def test_a_chain_of_3000_edge_nodes_reads_from_its_file(tmp_path):
    nir.write(tmp_path / "chain.nir", chain(3000))
    network = read_nir(tmp_path / "chain.nir", DT_MS)
    assert [p.name for p in network.populations] == ["input", "lif"]
    assert only_projection(network) == [(i, i, 1.0, 1) for i in range(N)]


@pytest.mark.parametrize("stages", [18, 26])
def test_diamonds_of_edge_nodes_sum_every_path_once(stages):
    """2**26 paths: a walk per path never ends; summed at every join, the weights add up to
    exactly 1 (powers of two) and the bias reaches the neurons once per path's share."""
    network = read_nir(diamonds(stages, bias=0.25), DT_MS)
    assert only_projection(network) == [(i, i, 1.0, 1) for i in range(N)]
    np.testing.assert_array_equal(network.population("lif").model.bias, np.full(N, 0.25))


def test_paths_of_different_lengths_keep_their_own_delays():
    """Input -> LIF directly and through a Delay of two ticks: two synapses per neuron."""
    nodes = source()
    nodes["late"] = nir.Delay(delay=np.full(N, 2 * DT_MS * 1e-3))
    nodes["half"] = nir.Scale(scale=np.full(N, 0.5))
    edges = [("input", "lif"), ("input", "late"), ("late", "half"), ("half", "lif")]
    network = read_nir(nir.NIRGraph(nodes=nodes, edges=edges, type_check=False), DT_MS)
    assert only_projection(network) == sorted(
        [(i, i, 1.0, 1) for i in range(N)] + [(i, i, 0.5, 3) for i in range(N)])


def test_paths_that_disagree_on_a_size_name_the_node_where_they_meet():
    nodes = source()
    nodes["wide"] = nir.Linear(weight=np.ones((4, N)))
    nodes["meet"] = nir.Scale(scale=np.ones(N))
    edges = [("input", "wide"), ("wide", "meet"), ("input", "meet"), ("meet", "lif")]
    with pytest.raises(NIRError, match=r"NIR node 'meet' \(Scale\) receives 4 or 3 values "
                                       r"along different paths; the shapes must match"):
        read_nir(nir.NIRGraph(nodes=nodes, edges=edges, type_check=False), DT_MS)


def test_a_loop_far_down_a_long_chain_is_named():
    graph = chain(2000)
    graph.edges.append(("s1999", "s1000"))
    with pytest.raises(NIRError, match=r"NIR node 's1000' \(Scale\) is on a loop of edge "
                                       r"nodes"):
        read_nir(graph, DT_MS)


def test_a_file_with_a_node_type_nir_does_not_know_names_the_node(tmp_path):
    nir.write(tmp_path / "g.nir", chain(2))
    with h5py.File(tmp_path / "g.nir", "r+") as f:
        del f["node/nodes/s1/type"]
        f["node/nodes/s1/type"] = "Dropout"
    with pytest.raises(NIRError) as err:
        read_nir(tmp_path / "g.nir", DT_MS)
    assert str(err.value).startswith("NIR node 's1' has type 'Dropout', which is not "
                                     "supported; the supported node types are LIF, ")
    assert "\n" not in str(err.value)
