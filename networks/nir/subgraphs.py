"""Flatten nested NIR graphs: a subgraph node (a `nir.NIRGraph` inside a graph, as snnTorch
writes its recurrent RLeaky and RSynaptic layers) becomes its own nodes, named
`subgraph.node`, and the edges into and out of it are joined to what its Input and Output
nodes connect to inside.

An outer edge may name the subgraph itself (`("fc1", "rnn")`: its one Input, or Output) or
one of its Input and Output nodes (`("fc1", "rnn.input")`); inner node names may already
carry the subgraph's prefix (snnTorch's `"rnn.lif"`).
"""

from .errors import NIRError


def flatten(graph):
    """`graph` with every nested graph, at any depth, replaced by its nodes."""
    import nir

    if not any(isinstance(node, nir.NIRGraph) for node in graph.nodes.values()):
        return graph
    nodes, edges = {}, []
    entries: dict[str, list[str]] = {}  # an Input of a subgraph -> the nodes it feeds
    exits: dict[str, list[str]] = {}    # an Output of a subgraph -> the nodes feeding it
    ports: dict[str, tuple[list[str], list[str]]] = {}  # subgraph -> (its Inputs, Outputs)
    for name, node in graph.nodes.items():
        if not isinstance(node, nir.NIRGraph):
            nodes[name] = node
            continue
        inner = flatten(node)
        full = {k: k if str(k).startswith(f"{name}.") else f"{name}.{k}" for k in inner.nodes}
        kinds = {full[k]: type(v).__name__ for k, v in inner.nodes.items()}
        inputs = [n for n, kind in kinds.items() if kind == "Input"]
        outputs = [n for n, kind in kinds.items() if kind == "Output"]
        ports[name] = (inputs, outputs)
        for k, v in inner.nodes.items():
            if full[k] not in inputs and full[k] not in outputs:
                nodes[full[k]] = v
        for n in inputs:
            entries[n] = []
        for n in outputs:
            exits[n] = []
        for src, dst in inner.edges:
            src, dst = full.get(src, src), full.get(dst, dst)
            if src in entries and dst in exits:
                raise NIRError(f"NIR subgraph {name!r} connects its input {src!r} straight to "
                               f"its output {dst!r}; give it a node between them")
            if src in entries:
                entries[src].append(dst)
            elif dst in exits:
                exits[dst].append(src)
            else:
                edges.append((src, dst))
    for src, dst in graph.edges:
        for a in _ends(src, ports, exits, 1):
            for b in _ends(dst, ports, entries, 0):
                edges.append((a, b))
    return nir.NIRGraph(nodes=nodes, edges=edges, metadata=dict(graph.metadata),
                        type_check=False)


def _ends(end, ports, joined, side):
    """The inner nodes an outer edge end stands for: the nodes that a subgraph's Input
    (`side` 0) feeds or that feed its Output (`side` 1), or the end itself."""
    if end in ports:
        named = ports[end][side]
        if len(named) != 1:
            kind = ("input", "output")[side]
            raise NIRError(f"NIR edge end {end!r} names a subgraph with {len(named)} {kind} "
                           f"nodes; name one of them ({', '.join(named) or 'none'})")
        return joined[named[0]]
    if end in joined:
        return joined[end]
    return [end]
