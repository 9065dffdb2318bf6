"""Fuzzing the NIR reader: small random graphs, valid or not, either become a network whose
projections stay inside their populations, or fail with a `NIRError`; nothing else escapes."""

import nir
import numpy as np
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from networks.nir import NIRError, read_nir, write_nir

DT_MS = 0.1
GOOD = st.sampled_from([1.0, 0.5, 2e-3, 1e-4])
BAD = st.sampled_from([1e-5, 0.0, -1.0, np.nan, np.inf, 3e38 * 10])
VALUES = st.integers(0, 39).flatmap(lambda k: BAD if k == 0 else GOOD)


@st.composite
def neuron(draw, n):
    kind = draw(st.sampled_from(["LIF", "CubaLIF", "IF", "LI", "CubaLI", "I", "Threshold"]))
    v = lambda: np.full(n, draw(VALUES))  # noqa: E731
    if kind == "LIF":
        return nir.LIF(tau=v(), r=v(), v_leak=v(), v_threshold=v())
    if kind == "CubaLIF":
        return nir.CubaLIF(tau_syn=v(), tau_mem=v(), r=v(), v_leak=v(), v_threshold=v())
    if kind == "IF":
        return nir.IF(r=v(), v_threshold=v())
    if kind == "LI":
        return nir.LI(tau=v(), r=v(), v_leak=v())
    if kind == "CubaLI":
        return nir.CubaLI(tau_syn=v(), tau_mem=v(), r=v(), v_leak=v())
    if kind == "I":
        return nir.I(r=v())
    return nir.Threshold(threshold=v())


@st.composite
def edge_node(draw, n_in, n_out):
    kind = draw(st.sampled_from(["Linear", "Affine", "Scale", "Delay", "Flatten", "Conv1d",
                                 "SumPool2d"]))
    value = draw(VALUES)
    if kind == "Linear":
        return nir.Linear(weight=np.full((n_out, n_in), value))
    if kind == "Affine":
        return nir.Affine(weight=np.full((n_out, n_in), value), bias=np.full(n_out, value))
    if kind == "Scale":
        return nir.Scale(scale=np.full(n_in, value))
    if kind == "Delay":
        return nir.Delay(delay=np.full(n_in, draw(st.sampled_from([0.0, 1e-4, 3e-4, 5e-5,
                                                                  -1e-4, 1e3]))))
    if kind == "Flatten":
        return nir.Flatten(input_type={"input": np.array([n_in])}, start_dim=0)
    if kind == "Conv1d":
        k = draw(st.integers(1, 3))
        conv = nir.Conv1d(input_shape=draw(st.integers(1, 4)), weight=np.full((n_out, 1, k),
                          value), stride=1, padding=draw(st.sampled_from([0, 1, "valid"])),
                          dilation=1, groups=1, bias=np.zeros(n_out))
        conv.stride = draw(st.integers(0, 2))  # set afterwards: nir would divide by zero
        conv.groups = draw(st.integers(0, 2))
        return conv
    stride = draw(st.integers(0, 2))
    pool = nir.SumPool2d(kernel_size=np.array([2, 2]), stride=np.array([stride, stride]),
                         padding=np.array([0, 0]))
    if draw(st.booleans()):
        pool.input_type = {"input": np.array([1, 2, n_in // 2 or 1])}
    return pool


@st.composite
def graphs(draw):
    sizes = draw(st.lists(st.integers(1, 4), min_size=2, max_size=5))
    nodes = {"in": nir.Input(input_type={"input": np.array([sizes[0]])})}
    edges = []
    previous = "in"
    for k, n in enumerate(sizes[1:]):
        n_in = sizes[k] if draw(st.integers(0, 5)) else sizes[k] + 1
        if draw(st.booleans()):
            name = f"e{k}"
            nodes[name] = draw(edge_node(n_in, n))
            if type(nodes[name]).__name__ in ("Scale", "Delay", "Flatten"):
                n = n_in
            edges.append((previous, name))
            previous = name
        else:
            n = n_in
        name = f"n{k}"
        nodes[name] = draw(neuron(n))
        sizes[k + 1] = n
        edges.append((previous, name))
        previous = name
    names = list(nodes) + ["ghost"] * draw(st.integers(0, 1))
    # extra edges: recurrent, backwards or naming no node
    for _ in range(draw(st.sampled_from([0, 0, 0, 1, 2]))):
        edges.append((draw(st.sampled_from(names)), draw(st.sampled_from(names))))
    nodes["out"] = nir.Output(output_type={"output": np.array([sizes[-1]])})
    edges.append((previous, "out"))
    spikes = (np.array(draw(st.lists(st.floats(0, 5), max_size=4))),)
    index = st.integers(-1, 4) if draw(st.integers(0, 9)) == 0 else \
        st.integers(0, sizes[0] - 1)
    spikes += (np.array(draw(st.lists(index, min_size=len(spikes[0]),
                                      max_size=len(spikes[0]))), dtype=np.int64),)
    return nir.NIRGraph(nodes=nodes, edges=edges, type_check=False), spikes


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(graphs(), st.sampled_from([None, None, "value", "subtract", "subtract", "sideways"]))
def test_reader_builds_a_consistent_network_or_raises_nir_error(case, reset):
    graph, spikes = case
    try:
        network = read_nir(graph, DT_MS, spikes=spikes, reset=reset)
    except NIRError as err:
        message = str(err)
        assert message.startswith("NIR ") and "\n" not in message
        event(f"refused: {message.split(' (')[0][:40]}")
        return
    event(f"built: {len(network.projections)} projections")
    sizes = {p.name: p.size for p in network.populations}
    for projection in network.projections:
        c = projection.connector
        assert c.pre.max() < sizes[projection.pre.name]
        assert c.post.max() < sizes[projection.post.name]
        assert np.all(np.isfinite(c.weight)) and np.all(c.delay_ticks >= 1)
    for pop in network.populations:
        for name in ("tau_mem", "tau_syn"):
            if hasattr(pop.model, name):
                assert np.all(getattr(pop.model, name) >= DT_MS * 1e-3)
    try:
        graph = write_nir(network, DT_MS)
    except NIRError as err:  # a bias nobody feeds, for example
        assert str(err).startswith("population ")
        return
    again = read_nir(graph, DT_MS, spikes=spikes, reset=reset)
    assert [(p.name, p.size) for p in again.populations] == \
        [(p.name, p.size) for p in network.populations]
    assert synapse_set(again) == synapse_set(network)


def synapse_set(network):
    """Every synapse as (pre population, post population, pre, post, delay) -> weight, in
    the single precision the simulator keeps."""
    weights = {}
    for p in network.projections:
        c = p.connector
        for key, w in zip(zip(c.pre.tolist(), c.post.tolist(), c.delay_ticks.tolist()),
                          c.weight.astype(np.float32).tolist()):
            full = (p.pre.name, p.post.name) + key
            weights[full] = weights.get(full, 0.0) + w
    return weights


def spike_file_bytes(kind: str) -> bytes:
    """A valid spike file of `kind` (npz or h5), as bytes."""
    import io

    import h5py
    times, indices = np.array([0.5, 1.0, 2.5]), np.array([0, 1, 0])
    if kind == "npz":
        buffer = io.BytesIO()
        np.savez(buffer, times_ms=times, indices=indices)
        return buffer.getvalue()
    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as f:
        f["times_ms"], f["indices"] = times, indices
    return buffer.getvalue()


VALID_FILES = {kind: spike_file_bytes(kind) for kind in ("npz", "h5")}


def h5_data_offsets(raw: bytes) -> list[int]:
    """Byte offsets of the dataset values in an HDF5 file (its own structures are left
    alone: some changes there make libhdf5 itself loop; docs/nir.md)."""
    import io

    import h5py
    offsets = []
    with h5py.File(io.BytesIO(raw), "r") as f:
        for item in f.values():
            start = item.id.get_offset()
            offsets.extend(range(start, start + item.id.get_storage_size()))
    return offsets


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(["npz", "h5"]), st.data())
def test_damaged_spike_files_are_read_or_refused_in_one_sentence(tmp_path_factory, kind, data):
    """Truncated, random, or with a byte changed (anywhere in an NPZ, in the values of an
    HDF5 file): checked arrays, or one NIRError sentence."""
    from networks.nir import read_spikes
    good = VALID_FILES[kind]
    damage = data.draw(st.sampled_from(["truncate", "flip", "random"]))
    if damage == "truncate":
        raw = good[:data.draw(st.integers(0, len(good) - 1))]
    elif damage == "flip":
        at = data.draw(st.integers(0, len(good) - 1) if kind == "npz" else
                       st.sampled_from(h5_data_offsets(good)))
        raw = good[:at] + bytes([good[at] ^ data.draw(st.integers(1, 255))]) + good[at + 1:]
    else:
        raw = data.draw(st.binary(max_size=200))
    path = tmp_path_factory.mktemp("spikes") / f"s.{kind}"
    path.write_bytes(raw)
    try:
        times, indices = read_spikes(path)
    except NIRError as err:
        assert str(err).startswith("input spike file ") and "\n" not in str(err)
        assert str(err).count(". ") == 0, str(err)
        event(f"{damage}: refused")
        return
    event(f"{damage}: read")
    assert times.dtype == np.float64 and indices.dtype == np.int64
    assert times.shape == indices.shape and np.all(times >= 0)


def value_offsets(path) -> list[int]:
    """Byte offsets in the file of every parameter value (the float32 datasets)."""
    import h5py

    offsets = []
    with h5py.File(path, "r") as f:
        def visit(name, item):
            if isinstance(item, h5py.Dataset) and item.dtype == np.float32:
                start = item.id.get_offset()
                offsets.extend(range(start, start + item.id.get_storage_size()))
        f.visititems(visit)
    return offsets


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_damaged_nir_files_are_read_or_refused_in_one_sentence(tmp_path_factory, data):
    """The paper's LIF graph cut short anywhere, or with a byte of a parameter value changed:
    a network, or one NIRError. (Bytes of HDF5's own structures are left alone: some changes
    there make libhdf5 itself loop, which no reader above it can catch; docs/nir.md.)"""
    from .helpers import REFERENCE
    source = REFERENCE / "lif_norse.nir"
    good = source.read_bytes()
    if data.draw(st.booleans()):
        raw = good[:data.draw(st.integers(0, len(good) - 1))]
    else:
        at = data.draw(st.sampled_from(value_offsets(source)))
        raw = good[:at] + bytes([good[at] ^ data.draw(st.integers(1, 255))]) + good[at + 1:]
    path = tmp_path_factory.mktemp("nir") / "damaged.nir"
    path.write_bytes(raw)
    try:
        network = read_nir(path, DT_MS)
    except NIRError as err:
        assert str(err).startswith("NIR ") and "\n" not in str(err)
        event("refused")
        return
    event("read")
    assert [p.size for p in network.populations] == [1, 1]
