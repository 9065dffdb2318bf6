"""snnTorch's own forward pass on small exported models, stored for the tests (run in a venv
with snnTorch, never neurochip's):

    /work/venvs/snntorch/bin/python benchmarks/snntorch_reference.py

Each case is a two-layer snnTorch model (Linear layers with biases): `leaky` (Leaky, subtract
reset, snnTorch's default reset_delay=True), `leaky_no_delay` (reset_delay=False),
`rleaky` (an RLeaky layer with all-to-all recurrent weights, then Leaky), `synaptic`
(Synaptic, then Synaptic). Each is exported with snnTorch's export_to_nir (which writes time
constants for dt = 1e-4 s) to examples/snntorch/<case>.nir, run on a random input raster
for 120 steps, and its output spikes per layer go to examples/snntorch/traces.npz
(`<case>/input` [steps, inputs], `<case>/<node>` [steps, neurons] per spiking node, named as
in the graph).
"""

import json
import platform
import time
from pathlib import Path

import numpy as np
import torch

REPO = Path(__file__).resolve().parents[1]
FOLDER = REPO / "examples" / "snntorch"
STEPS, N_IN, N_HIDDEN, N_OUT = 120, 20, 30, 10


def model(case: str):
    import snntorch as snn
    torch.manual_seed(1)
    fc1, fc2 = torch.nn.Linear(N_IN, N_HIDDEN), torch.nn.Linear(N_HIDDEN, N_OUT)
    with torch.no_grad():
        fc1.weight.mul_(2.5)
        fc2.weight.mul_(3.0)
        fc1.bias.uniform_(-0.05, 0.15)
        fc2.bias.uniform_(-0.05, 0.15)
    # per-neuron parameters, so that the exported nodes have shapes NIR can check
    hidden = lambda value: torch.full((N_HIDDEN,), value)  # noqa: E731
    out = lambda value: torch.full((N_OUT,), value)  # noqa: E731
    if case in ("leaky", "leaky_no_delay"):
        delay = case == "leaky"
        first = snn.Leaky(beta=hidden(0.9), threshold=hidden(1.0), init_hidden=True,
                          reset_delay=delay)
        second = snn.Leaky(beta=out(0.8), threshold=out(1.0), init_hidden=True, output=True,
                           reset_delay=delay)
    elif case == "rleaky":
        first = snn.RLeaky(beta=hidden(0.9), threshold=hidden(1.0), linear_features=N_HIDDEN,
                           init_hidden=True)
        with torch.no_grad():
            first.recurrent.weight.mul_(1.5)
            first.recurrent.bias.zero_()   # NIR's recurrent Linear carries no bias
        second = snn.Leaky(beta=out(0.8), threshold=out(1.0), init_hidden=True, output=True)
    elif case == "synaptic":
        first = snn.Synaptic(alpha=hidden(0.7), beta=hidden(0.9), threshold=hidden(1.0),
                             init_hidden=True)
        second = snn.Synaptic(alpha=out(0.6), beta=out(0.8), threshold=out(1.0),
                              init_hidden=True, output=True)
    else:
        raise ValueError(case)
    return torch.nn.Sequential(fc1, first, fc2, second)


def run(net, raster: torch.Tensor) -> list[np.ndarray]:
    """Spikes of the two spiking layers per step, from a hook on each."""
    import snntorch.utils
    snntorch.utils.reset(net)
    spikes = {1: [], 3: []}
    with torch.no_grad():
        for t in range(raster.shape[0]):
            x = raster[t:t + 1]
            for k, layer in enumerate(net):
                x = layer(x)
                if isinstance(x, tuple):
                    x = x[0]
                if k in spikes:
                    spikes[k].append(x[0].numpy().copy())
    return [np.array(spikes[1]), np.array(spikes[3])]


def main() -> None:
    import nir
    import snntorch
    from snntorch.export_nir import export_to_nir
    FOLDER.mkdir(exist_ok=True)
    rng = np.random.default_rng(2)
    stored, summary = {}, {}
    for case in ("leaky", "leaky_no_delay", "rleaky", "synaptic"):
        raster = (rng.random((STEPS, N_IN)) < 0.3).astype(np.float32)
        net = model(case)
        graph = export_to_nir(net, torch.zeros(1, N_IN), ignore_dims=[0])
        nir.write(FOLDER / f"{case}.nir", graph)
        spiking = [name for name, node in graph.nodes.items()
                   if type(node).__name__ in ("LIF", "CubaLIF", "NIRGraph")]
        layers = run(net, torch.from_numpy(raster))
        stored[f"{case}/input"] = raster
        for name, spikes in zip(sorted(spiking, key=lambda n: int(n.split(".")[0])), layers):
            stored[f"{case}/{name}"] = spikes
        summary[case] = {"nodes": {n: type(v).__name__ for n, v in graph.nodes.items()},
                         "spikes_per_layer": [int(s.sum()) for s in layers]}
    np.savez_compressed(FOLDER / "traces.npz", **stored)
    (FOLDER / "provenance.json").write_text(json.dumps({
        "snntorch": snntorch.__version__, "nir": nir.__version__ if hasattr(nir, "__version__")
        else "1.0.8", "torch": torch.__version__, "python": platform.python_version(),
        "date": time.strftime("%Y-%m-%d"), "steps": STEPS,
        "command": "python benchmarks/snntorch_reference.py (snnTorch venv)",
        "cases": summary}, indent=1) + "\n")
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
