"""Write a `Network` of NIR models as a NIR graph.

Spike sources given by their times (spike arrays and spike events) become Input nodes, NIR
neuron models the node of their kind (parameter arrays as given, a subtract reset in the
node's metadata), and every projection a Linear node [post, pre] per distinct delay (an
Affine node carrying the post population's bias for its first), behind a Delay node for the
ticks beyond the one every projection takes.
Populations that project nowhere else get an Output node. `read_nir` reads it back into the
same network.
"""

import numpy as np

from ..models import NIRIntegrator, NIRNeuron, SpikeSourceArray, SpikeSourceEvents
from ..models.nir_models import KINDS
from ..network import Network, synapses
from .reader import TICKS, NIRError

# model parameter -> NIR field, per kind where they differ
NIR_FIELD = {"LIF": {"tau_mem": "tau"}, "LI": {"tau_mem": "tau"},
             "Threshold": {"v_threshold": "threshold"}}


def write_nir(network: Network, timestep_ms: float, seed: int = 0):
    """The NIR graph of `network` (`seed` draws the synapses of random connectors;
    `timestep_ms` turns delays in ticks into seconds)."""
    import nir

    nodes, edges = {}, []
    biased = {}
    for pop in network.populations:
        model = pop.model
        if isinstance(model, (SpikeSourceArray, SpikeSourceEvents)):
            nodes[pop.name] = nir.Input(input_type={"input": np.array([pop.size])})
            continue
        if not isinstance(model, (NIRNeuron, NIRIntegrator)):
            raise NIRError(f"population {pop.name} has model {model.name}, which NIR cannot "
                           f"describe; use spike-array or spike-event sources and NIR models "
                           f"(nir_model)")
        fields = {NIR_FIELD.get(model.kind, {}).get(p, p): getattr(model, p).copy()
                  for p in KINDS[model.kind][1]}
        metadata = {"reset": model.reset} if model.reset != "value" else {}
        if model.reset_delay:
            metadata["reset_delay"] = True
        if model.bias_start_tick and np.any(model.bias):
            metadata["bias_start_tick"] = int(model.bias_start_tick)
        nodes[pop.name] = getattr(nir, model.kind)(**fields, metadata=metadata)
        if np.any(model.bias):
            biased[pop.name] = model.bias
    outgoing = {p.name: 0 for p in network.populations}
    for proj in network.projections:
        pre, post = proj.pre.name, proj.post.name
        if pre != post:
            outgoing[pre] += 1
        found = synapses(proj, seed)
        for delay_ticks in np.unique(found.delay_ticks) if found.pre.size else [1]:
            chosen = found.delay_ticks == delay_ticks
            weight = np.zeros((proj.post.size, proj.pre.size))
            np.add.at(weight, (found.post[chosen], found.pre[chosen]),
                      found.weight[chosen].astype(np.float64))
            suffix = "" if delay_ticks == 1 else f"_d{delay_ticks}"
            name = _unique(f"{pre}_to_{post}{suffix}", nodes)
            if post in biased:
                nodes[name] = nir.Affine(weight=weight, bias=biased.pop(post))
            else:
                nodes[name] = nir.Linear(weight=weight)
            source = pre
            if delay_ticks > 1:  # every projection takes one tick; NIR's Delay the rest
                delay = _unique(f"{name}_delay", nodes)
                nodes[delay] = nir.Delay(delay=np.full(proj.pre.size,
                                                       (delay_ticks - 1) * timestep_ms * 1e-3))
                edges.append((pre, delay))
                source = delay
            edges += [(source, name), (name, post)]
    for pop_name in biased:
        raise NIRError(f"population {pop_name} has a bias but no incoming projection to carry "
                       f"it as an Affine node; NIR cannot describe it")
    for pop in network.populations:
        if not pop.is_source and outgoing[pop.name] == 0:
            name = _unique(f"{pop.name}_output", nodes)
            nodes[name] = nir.Output(output_type={"output": np.array([pop.size])})
            edges.append((pop.name, name))
    # the delays are the network's own ticks, not a framework's steps to align (reader.py)
    return nir.NIRGraph(nodes=nodes, edges=edges, metadata={"timing": TICKS}, type_check=False)


def _unique(name: str, taken: dict) -> str:
    candidate, k = name, 1
    while candidate in taken:
        k += 1
        candidate = f"{name}_{k}"
    return candidate
