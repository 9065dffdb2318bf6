"""Read a NIR graph into a `Network`.

Neuron nodes (Input, LIF, CubaLIF, IF, LI, CubaLI, I, Threshold) become populations named
after the node (characters other than letters, digits and _ become _). Edge nodes (Affine,
Linear, Scale, Flatten, Conv1d, Conv2d, SumPool2d, AvgPool2d, Delay, Identity) between two
neuron nodes are composed into one sparse operator, which becomes a `FromList` projection on
the single receptor "input" with signed weights; every projection adds one tick of delay
(NIR Delay nodes add theirs on top). Biases become a constant input of the neurons they reach.
"""

import re
from pathlib import Path

import numpy as np

from ..connectors import FromList
from ..errors import NetworkError
from ..models import SpikeSourceEvents
from ..models.nir_models import KINDS, RESETS, nir_model
from ..network import MAX_DELAY_TICKS, Network
from . import operators as ops
from .errors import NIRError
from .subgraphs import flatten

NEURON_NODES = tuple(KINDS) + ("Input",)
EDGE_NODES = ("Affine", "Linear", "Scale", "Flatten", "Conv1d", "Conv2d", "SumPool2d",
              "AvgPool2d", "Delay", "Identity")
SUPPORTED = NEURON_NODES + EDGE_NODES + ("Output",)
# NIR parameter name -> the model's name for it, where they differ.
RENAMED = {"tau": "tau_mem", "threshold": "v_threshold"}


def node_error(name: str, node, why: str) -> NIRError:
    return NIRError(f"NIR node {name!r} ({type(node).__name__}) {why}")


def load_graph(source):
    """A `nir.NIRGraph` from a graph object or the path of a .nir file."""
    import nir

    if isinstance(source, nir.NIRGraph):
        return source
    path = Path(source)
    if not path.is_file():
        raise NIRError(f"NIR file {path} does not exist; give the path of a .nir file")
    try:
        return nir.read(path, type_check=False)
    except Exception as err:  # h5py and nir raise many kinds for a damaged file
        if _is_result_file(path):
            raise NIRError(f"NIR file {path} is a neurochip result file, not a NIR graph; give "
                           f"the .nir file the model was exported to") from None
        unknown = _unknown_node(path)
        if unknown is not None:
            raise NIRError(f"NIR node {unknown[0]!r} has type {unknown[1]!r}, which is not "
                           f"supported; the supported node types are "
                           f"{', '.join(SUPPORTED)}") from None
        raise NIRError(f"NIR file {path} cannot be read as a NIR graph ({reason(err)}); give a "
                       f"file written by nir.write") from None


def _is_result_file(path: Path) -> bool:
    import h5py

    try:
        with h5py.File(path, "r") as f:
            return "neurochip_version" in f.attrs
    except Exception:  # not HDF5, or damaged: the caller's message stands
        return False


def _unknown_node(path: Path) -> tuple[str, str] | None:
    """(name, type) of the first node in the file, at any depth of nested graphs, whose type
    is none that this reader knows, or None."""
    import h5py

    known = (*SUPPORTED, "NIRGraph")
    try:
        with h5py.File(path, "r") as f:
            stack = [("", f.get("node"))]
            while stack:
                prefix, graph = stack.pop()
                nodes = graph.get("nodes") if isinstance(graph, h5py.Group) else None
                for name, node in (nodes.items() if isinstance(nodes, h5py.Group) else ()):
                    kind = node.get("type") if isinstance(node, h5py.Group) else None
                    kind = kind[()] if isinstance(kind, h5py.Dataset) else None
                    kind = kind.decode(errors="replace") if isinstance(kind, bytes) else kind
                    if kind == "NIRGraph":
                        stack.append((f"{prefix}{name}.", node))
                    elif isinstance(kind, str) and kind not in known:
                        return f"{prefix}{name}", kind
    except Exception:  # a file h5py cannot walk: the caller's message stands
        return None
    return None


def reason(err: Exception) -> str:
    """The first sentence of what a library said about a file, for a one-sentence error."""
    text = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
    return text.split(". ")[0].rstrip(".")


def population_names(graph) -> dict[str, str]:
    """Population name of every neuron node of `graph`."""
    names: dict[str, str] = {}
    for node_name, node in graph.nodes.items():
        if type(node).__name__ not in NEURON_NODES:
            continue
        base = re.sub(r"\W", "_", str(node_name)) or "node"
        if not (base[0].isalpha() or base[0] == "_"):
            base = "n_" + base
        name, k = base, 1
        while name in names.values():
            k += 1
            name = f"{base}_{k}"
        names[node_name] = name
    return names


BIAS_STARTS = ("first_input", "tick0")
# Graph metadata "timing" = TICKS: every projection takes one tick plus its Delay, as written
# (by write_nir); otherwise the framework's steps are aligned by depth.
TICKS = "ticks"


def read_nir(source, timestep_ms: float, spikes: dict | None = None, reset: str | None = None,
             name: str = "nir", reset_delay: bool | None = None, dt_ms: float | None = None,
             bias_start: str = "first_input") -> Network:
    """The network of the NIR graph `source` (a `nir.NIRGraph` or a .nir path).

    `spikes` maps Input node names to (times_ms, indices) arrays, or is one such tuple for
    a graph with one Input node (as `read_spikes` returns them); `reset` ("value" or
    "subtract") and `reset_delay` override the reset of every spiking node (otherwise its
    metadata "reset" and "reset_delay", else "value" and no delay). `timestep_ms` turns NIR
    Delay times (seconds) into ticks; `dt_ms` (or the graph's metadata "dt", in seconds) is
    the timestep the graph was trained at, which must equal it. `bias_start` "first_input"
    starts each neuron's bias at the tick its first input can arrive, "tick0" at tick 0.
    """
    graph = flatten(load_graph(source))
    if reset is not None and reset not in RESETS:
        raise NIRError(f"NIR reset must be one of {RESETS} (got {reset!r})")
    if bias_start not in BIAS_STARTS:
        raise NIRError(f"NIR bias_start must be one of {BIAS_STARTS} (got {bias_start!r})")
    _check_dt(graph, dt_ms, timestep_ms)
    nodes = dict(graph.nodes)
    for node_name, node in nodes.items():
        kind = type(node).__name__
        if kind not in SUPPORTED:
            raise node_error(node_name, node, f"is not supported; the supported node types "
                                              f"are {', '.join(SUPPORTED)}")
    successors: dict[str, list[str]] = {n: [] for n in nodes}
    for edge in graph.edges:
        if not (isinstance(edge, (tuple, list)) and len(edge) == 2):
            raise NIRError(f"NIR edge {edge!r} must be a pair (source, target) of node names")
        src, dst = edge
        for end in (src, dst):
            if end not in nodes:
                raise NIRError(f"NIR edge {edge!r} names node {end!r}, which is not in the "
                               f"graph; the nodes are {', '.join(map(str, nodes))}")
        successors[src].append(dst)
    names = population_names(graph)
    shapes = {n: _neuron_shape(n, nodes[n]) for n in names}
    spikes = _spikes_per_input(spikes or {}, nodes)

    # Biases: each edge node's bias, carried forward to the neurons it reaches.
    bias = {n: np.zeros(int(np.prod(shapes[n]))) for n in names}
    for node_name, node in nodes.items():
        b = _bias(node_name, node)
        if b is None:
            continue
        if type(node).__name__ == "Affine":
            out_shape = (b.size,)
        else:  # convolution: one bias per output channel, at every output position
            out_shape = _edge_operator(node_name, node, _conv_input_shape(node),
                                       timestep_ms)[1]
            b = np.repeat(b, int(np.prod(out_shape)) // b.size)
        reached = _reach(node_name, ops.diagonal(b), out_shape, nodes, successors, names,
                         shapes, timestep_ms)
        for target, parts in reached.items():
            for op in parts if target in names else ():
                bias[target] = bias[target] + ops.apply(op, np.ones(op.n_in))

    # Operators between neuron nodes: one projection per (source, target) pair.
    projections: dict[tuple[str, str], ops.Operator] = {}
    for src in names:
        start = ops.identity(int(np.prod(shapes[src])))
        reached = _reach(src, start, shapes[src], nodes, successors, names, shapes,
                         timestep_ms)
        for target, parts in reached.items():
            if type(nodes[target]).__name__ == "Output":
                continue
            op = ops.concatenate(parts)
            if op.out.size > 0:
                projections[(src, target)] = op
    depth, back, order = layer_depths(list(names), [n for n in names
                                                    if type(nodes[n]).__name__ == "Input"],
                                      list(projections))
    as_written = (getattr(graph, "metadata", None) or {}).get("timing") == TICKS

    network = Network(name)
    populations = {}
    for node_name in order:
        node = nodes[node_name]
        kind = type(node).__name__
        size = int(np.prod(shapes[node_name]))
        if kind == "Input":
            model = _input_source(node_name, node, size, spikes.get(node_name))
        else:
            params = {RENAMED.get(k, k): np.asarray(getattr(node, k), dtype=np.float64)
                      for k in _parameters(node)}
            metadata = getattr(node, "metadata", None) or {}
            if KINDS[kind][0] and kind != "Threshold":
                params["reset"] = reset or str(metadata.get("reset", "value"))
                params["reset_delay"] = bool(metadata.get("reset_delay", False)) \
                    if reset_delay is None else bool(reset_delay)
            params["bias"] = bias[node_name]
            params["bias_start_tick"] = _whole_metadata(node_name, node, metadata,
                                                        "bias_start_tick") \
                if as_written else depth[node_name] if bias_start == "first_input" else 0
            try:
                model = nir_model(kind, size, **params)
                model.coefficients(timestep_ms)
            except NetworkError as err:
                raise node_error(node_name, node, f"has a bad parameter: {err}") from None
        populations[node_name] = network.add_population(names[node_name], size, model)

    rank = {n: k for k, n in enumerate(order)}
    for (src, target), op in sorted(projections.items(),
                                    key=lambda item: (rank[item[0][0]], rank[item[0][1]])):
        # a forward edge waits until the target's other inputs arrive (residual branches in
        # step); a recurrent one reads the previous step, as the frameworks do
        lag = 1 if as_written else \
            depth[target] - depth[src] + (1 if (src, target) in back else 0)
        try:
            network.connect(populations[src], populations[target],
                            FromList(op.inp, op.out, op.value, op.delay_ticks + max(lag, 1),
                                     op.conv),
                            receptor="input")
        except NetworkError as err:
            raise NIRError(f"NIR weights from node {src!r} to node {target!r} cannot be "
                           f"used: {err}") from None
    return network


def _whole_metadata(name, node, metadata, key) -> int:
    """A whole number >= 0 from a node's metadata (0 when absent)."""
    value = metadata.get(key, 0)
    try:
        number = int(np.asarray(value).ravel()[0])
    except (TypeError, ValueError, IndexError):
        number = -1
    if number < 0 or number != np.asarray(value).ravel()[0]:
        raise node_error(name, node, f"has metadata {key} = {value!r}; it must be a whole "
                                     f"number of ticks >= 0")
    return number


def _check_dt(graph, dt_ms, timestep_ms):
    """Refuse a run whose timestep is not the one the graph was trained at (where declared)."""
    declared, where = dt_ms, "[network] dt_ms"
    metadata = getattr(graph, "metadata", None) or {}
    if declared is None and "dt" in metadata:
        try:
            declared = float(np.asarray(metadata["dt"]).ravel()[0]) * 1e3
        except (TypeError, ValueError, IndexError):
            raise NIRError(f"NIR graph metadata dt must be a number of seconds (got "
                           f"{metadata['dt']!r})") from None
        where = "the graph's metadata dt"
    if declared is None:
        return
    if not (np.isfinite(declared) and declared > 0):
        raise NIRError(f"NIR graph timestep ({where}) must be a number of ms > 0 (got "
                       f"{declared!r})")
    if abs(declared - timestep_ms) > 1e-9 * max(declared, timestep_ms):
        raise NIRError(f"NIR graph was trained at a timestep of {declared:g} ms ({where}) but "
                       f"the run steps {timestep_ms:g} ms; set [run] timestep_ms = "
                       f"{declared:g}, as its time constants assume")


def layer_depths(nodes: list, inputs: list, edges: list) -> tuple[dict, set, list]:
    """(depth, back edges, layer order) of the neuron-node graph `edges` (pairs).

    A depth-first walk from the Input nodes (then from any node not reached) marks the edges
    that close a loop as back edges (recurrent connections); on the others, depth is the
    longest path from a root, so a node's inputs can all arrive by tick `depth`. The layer
    order sorts nodes by depth, then by when the walk met them."""
    successors = {n: [] for n in nodes}
    for src, dst in edges:
        successors[src].append(dst)
    met, back, state = {}, set(), {}
    for root in inputs + nodes:
        if root in state:
            continue
        state[root] = "open"
        met[root] = len(met)
        stack = [(root, iter(successors[root]))]
        while stack:
            node, rest = stack[-1]
            nxt = next(rest, None)
            if nxt is None:
                state[node] = "done"
                stack.pop()
            elif state.get(nxt) == "open":
                back.add((node, nxt))
            elif nxt not in state:
                state[nxt] = "open"
                met[nxt] = len(met)
                stack.append((nxt, iter(successors[nxt])))
    forward = [(s, d) for s, d in edges if (s, d) not in back]
    indegree = {n: 0 for n in nodes}
    for _, d in forward:
        indegree[d] += 1
    depth = {n: 0 for n in nodes}
    ready = sorted((n for n in nodes if indegree[n] == 0), key=met.get)
    forward_successors = {n: [] for n in nodes}
    for s, d in forward:
        forward_successors[s].append(d)
    while ready:
        node = ready.pop()
        for d in forward_successors[node]:
            depth[d] = max(depth[d], depth[node] + 1)
            indegree[d] -= 1
            if indegree[d] == 0:
                ready.append(d)
    return depth, back, sorted(nodes, key=lambda n: (depth[n], met[n]))


def _reach(start, op, shape, nodes, successors, names, shapes, timestep_ms):
    """{neuron or Output node: [operator of each edge into it]} for the nodes reached from
    `start` through edge nodes only. Each edge node is composed once, with the sum of what
    reaches it, so the walk is linear in the size of the graph: a chain of thousands of
    nodes needs no recursion, and diamonds of edge nodes no work per path."""
    order, feeders = _edge_order(start, nodes, successors, names)
    out = {start: (op, shape)}
    for node in order:
        parts = [out[f] for f in feeders[node]]
        sizes = list(dict.fromkeys(p.n_out for p, _ in parts))
        if len(sizes) > 1:
            raise node_error(node, nodes[node], f"receives {' or '.join(map(str, sizes))} "
                                                f"values along different paths; the shapes "
                                                f"must match")
        arriving = parts[0][0] if len(parts) == 1 else ops.concatenate([p for p, _ in parts])
        step, out_shape = _edge_operator(node, nodes[node], parts[0][1], timestep_ms,
                                         n_in=arriving.n_out)
        out[node] = (ops.compose(arriving, step), out_shape)
    reached: dict[str, list] = {}
    for target, via in feeders.items():
        node = nodes[target]
        kind = type(node).__name__
        if target not in names and kind != "Output":
            continue
        for src in via:
            if kind == "Output" and src not in names:
                raise node_error(target, node, f"is reached from {src!r} through edge nodes, "
                                               f"but only populations are recorded; put a "
                                               f"neuron node such as LI before the Output")
            if kind == "Input":
                raise node_error(target, node, f"receives an edge from {src!r}, but an Input "
                                               f"node cannot have inputs; remove that edge")
            arriving = out[src][0]
            size = int(np.prod(shapes[target])) if target in names else \
                _declared_size(node, "input")
            if size is not None and size != arriving.n_out:
                raise node_error(target, node, f"has {size} inputs but receives "
                                               f"{arriving.n_out} values from {src!r}; the "
                                               f"shapes must match")
            reached.setdefault(target, []).append(arriving)
    return reached


def _edge_order(start, nodes, successors, names):
    """The edge nodes reached from `start` without passing a neuron or Output node, in
    topological order, and for every node reached the nodes its edges come from, in the
    order a depth-first walk (an explicit stack, not recursion) meets them."""
    done = object()
    feeders: dict[str, list[str]] = {}
    on_stack, finished, seen = {start}, [], {start}
    stack = [(start, iter(successors[start]))]
    while stack:
        node, todo = stack[-1]
        target = next(todo, done)
        if target is done:
            stack.pop()
            on_stack.discard(node)
            finished.append(node)
            continue
        feeders.setdefault(target, []).append(node)
        if target in names or type(nodes[target]).__name__ == "Output":
            continue
        if target in on_stack:
            raise node_error(target, nodes[target], "is on a loop of edge nodes with no neuron "
                                                    "node in it; a recurrent loop must pass "
                                                    "through a neuron")
        if target not in seen:
            seen.add(target)
            on_stack.add(target)
            stack.append((target, iter(successors[target])))
    return [n for n in reversed(finished) if n != start], feeders


def _edge_operator(name, node, shape, timestep_ms, n_in=None):
    """(operator, output shape) of edge node `node` receiving `n_in` values (by default all
    of `shape`) laid out as `shape`."""
    kind = type(node).__name__
    n = n_in if n_in is not None else int(np.prod(shape))

    def need(ok, why):
        if not ok:
            raise node_error(name, node, why)

    if kind in ("Affine", "Linear"):
        weight = np.asarray(node.weight, dtype=np.float64)
        need(weight.ndim == 2, f"has a weight of shape {weight.shape}; only 2-D weights "
                               f"[out, in] are supported")
        need(weight.shape[1] == n, f"has weights for {weight.shape[1]} inputs but receives "
                                   f"{n} values; the shapes must match")
        return ops.dense(weight), (weight.shape[0],)
    if kind == "Scale":
        scale = np.asarray(node.scale, dtype=np.float64).ravel()
        scale = np.full(n, scale[0]) if scale.size == 1 else scale
        need(scale.size == n, f"scales {scale.size} values but receives {n}; the shapes must "
                              f"match")
        return ops.diagonal(scale), tuple(shape) if shape is not None else (n,)
    if kind in ("Flatten", "Identity"):
        declared = _declared_size(node, "input")
        need(declared is None or declared == n, f"expects {declared} inputs but receives {n}; "
                                                f"the shapes must match")
        out = _declared_shape(node, "output")
        return ops.identity(n), (out if out is not None else (n,))
    if kind == "Delay":
        delay_s = np.asarray(node.delay, dtype=np.float64).ravel()
        if delay_s.size == 1:
            delay_s = np.full(n, delay_s[0])
        need(delay_s.size == n, f"delays {delay_s.size} values but receives {n}; the shapes "
                                f"must match")
        ticks = delay_s / (timestep_ms * 1e-3)
        need(bool(np.all(np.isfinite(ticks)) and np.all(ticks >= 0)),
             "has a delay that is negative or not finite; delays must be >= 0 seconds")
        need(bool(np.all(ticks < MAX_DELAY_TICKS)),
             f"has a delay above {MAX_DELAY_TICKS - 1} ticks of {timestep_ms:g} ms")
        need(bool(np.all(np.abs(ticks - np.rint(ticks)) < 1e-6)),
             f"has delays that are not whole numbers of the {timestep_ms:g} ms timestep; "
             f"round them or change the timestep")
        return ops.identity(n, np.rint(ticks)), tuple(shape) if shape else (n,)
    if kind in ("Conv1d", "Conv2d"):
        weight = np.asarray(node.weight, dtype=np.float64)
        nd = 1 if kind == "Conv1d" else 2
        need(weight.ndim == nd + 2, f"has a weight of shape {weight.shape}; expected "
                                    f"{nd + 2} dimensions [C_out, C_in, kernel...]")
        groups = int(node.groups)
        need(groups >= 1 and weight.shape[0] % groups == 0,
             f"has {groups} groups, which must divide its {weight.shape[0]} output channels")
        c_in = weight.shape[1] * groups
        spatial = _conv_spatial(node, nd)
        if spatial is None:
            need(n is not None and n % c_in == 0 and nd == 1,
                 "has no input_shape; give input_shape so the input is unambiguous")
            spatial = (n // c_in,)
        need(c_in * int(np.prod(spatial)) == n,
             f"expects {c_in} x {' x '.join(map(str, spatial))} inputs but receives {n}; the "
             f"shapes must match")
        stride, dilation = (_pair(getattr(node, a), nd) for a in ("stride", "dilation"))
        padding = node.padding if isinstance(node.padding, str) else _pair(node.padding, nd)
        need(min(stride) >= 1 and min(dilation) >= 1, "has a stride or dilation below 1")
        need(isinstance(padding, str) or min(padding) >= 0, "has a negative padding")
        op, out_shape = ops.convolution(weight, spatial, stride, padding, dilation, groups)
        return op, out_shape
    if kind in ("SumPool2d", "AvgPool2d"):
        declared = _declared_shape(node, "input")
        in_shape = tuple(shape) if shape is not None and len(shape) == 3 else declared
        need(in_shape is not None and len(in_shape) == 3 and int(np.prod(in_shape)) == n,
             f"receives {n} values without a [channels, height, width] shape; put it after a "
             f"Conv2d or give its input_type")
        kernel, stride = _pair(node.kernel_size, 2), _pair(node.stride, 2)
        padding = _pair(node.padding, 2)
        need(min(kernel) >= 1 and min(stride) >= 1 and min(padding) >= 0,
             "has a kernel or stride below 1 or a negative padding")
        op, out_shape = ops.pooling(in_shape[0], in_shape[1:], kernel, stride, padding,
                                    kind == "AvgPool2d")
        return op, out_shape
    raise node_error(name, node, "cannot sit on an edge")  # pragma: no cover


def _pair(value, nd):
    array = np.asarray(value).ravel()
    if array.size == 1:
        array = np.repeat(array, nd)
    return tuple(int(v) for v in array[:nd])


def _conv_spatial(node, nd):
    shape = getattr(node, "input_shape", None)
    if shape is None:
        return None
    return tuple(int(s) for s in np.asarray(shape).ravel()[:nd])


def _conv_input_shape(node):
    weight = np.asarray(node.weight)
    spatial = _conv_spatial(node, weight.ndim - 2)
    return None if spatial is None else (weight.shape[1] * int(node.groups), *spatial)


def _bias(name, node):
    kind = type(node).__name__
    if kind not in ("Affine", "Conv1d", "Conv2d"):
        return None
    b = np.asarray(node.bias, dtype=np.float64).ravel()
    if not np.any(b):
        return None
    if kind == "Affine":
        rows = np.asarray(node.weight).shape[0]
        if b.size != rows:
            raise node_error(name, node, f"has {b.size} biases for {rows} outputs; the shapes "
                                         f"must match")
    else:
        channels = np.asarray(node.weight).shape[0]
        if b.size != channels:
            raise node_error(name, node, f"has {b.size} biases for {channels} output "
                                         f"channels; the shapes must match")
        if _conv_input_shape(node) is None:
            raise node_error(name, node, "has a bias but no input_shape; give input_shape")
    return b


def _declared_shape(node, port):
    types = getattr(node, f"{port}_type", None) or {}
    value = types.get(port) if isinstance(types, dict) else None
    if value is None:
        return None
    return tuple(int(s) for s in np.asarray(value).ravel())


def _declared_size(node, port):
    shape = _declared_shape(node, port)
    return None if shape is None else int(np.prod(shape))


def _parameters(node):
    return [p for p in ("tau", "tau_syn", "tau_mem", "r", "v_leak", "v_threshold", "v_reset",
                        "w_in", "threshold") if getattr(node, p, None) is not None]


def _neuron_shape(name, node):
    kind = type(node).__name__
    if kind == "Input":
        shape = _declared_shape(node, "input") or _declared_shape(node, "output")
    else:
        arrays = [np.asarray(getattr(node, p)) for p in _parameters(node)]
        if not arrays:
            raise node_error(name, node, "has no parameters")
        shape = max((a.shape for a in arrays), key=lambda s: int(np.prod(s))) or (1,)
        declared = _declared_shape(node, "input")
        if int(np.prod(shape)) == 1 and declared:  # scalar parameters for a whole layer
            shape = declared
        for p, a in zip(_parameters(node), arrays):
            if a.size not in (1, int(np.prod(shape))):
                raise node_error(name, node, f"has {a.size} values of {p} for "
                                             f"{int(np.prod(shape))} neurons; the shapes must "
                                             f"match")
    if shape is None or int(np.prod(shape)) < 1:
        raise node_error(name, node, f"has shape {shape}; a neuron node needs at least one "
                                     f"neuron")
    return tuple(int(s) for s in shape)


def _spikes_per_input(spikes, nodes):
    inputs = [n for n, node in nodes.items() if type(node).__name__ == "Input"]
    if isinstance(spikes, tuple):
        if len(inputs) != 1:
            raise NIRError(f"input spikes must name their Input node when the graph has "
                           f"{len(inputs)} of them ({', '.join(inputs)})")
        return {inputs[0]: spikes}
    for key in spikes:
        if key not in inputs:
            raise NIRError(f"input spikes are given for {key!r}, which is not an Input node; "
                           f"the Input nodes are {', '.join(inputs)}")
    return spikes


def _input_source(name, node, size, spikes):
    """The spike source of an Input node, firing (times_ms, indices)."""
    times_ms, indices = (np.empty(0), np.empty(0, np.int64)) if spikes is None else \
        (np.asarray(a) for a in spikes)
    bad = (indices < 0) | (indices >= size)
    if bad.any():
        raise node_error(name, node, f"has {size} neurons but the input spikes name index "
                                     f"{int(indices[bad][0])}; indices must be in [0, {size})")
    try:
        return SpikeSourceEvents(size, times_ms, indices)
    except NetworkError as err:
        raise node_error(name, node, f"cannot fire the input spikes: {err}") from None
