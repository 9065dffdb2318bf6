"""EvNN's own forward pass on the test checkpoints, and a small EvNN language model trained
here, stored for the tests (run in a venv with EvNN, never neurochip's):

    /work/venvs/evnn/bin/python benchmarks/evnn_reference.py

EvNN (`evnn-pytorch` 0.2.0) has no wheel; on a machine without CUDA its setup.py still takes
the CUDA branch when an `nvcc` is on PATH, and it compiles with -D_GLIBCXX_USE_CXX11_ABI=0,
which torch 2.13's CPU wheel does not use. The venv here has torch 2.13.0 (CPU) and EvNN
built from its sdist (`pip install --no-clean` keeps it) with the CPU extension forced and
the ABI flag set to 1 (`apt-get install libopenblas-dev` first), then
`pip install --no-build-isolation .`.

1. For every case of tests/evnn_reference.py (dense, pruned, zoneout, zero thresholds with
   h0), EvNN's `EGRU` layers in eval mode (its C++ CPU kernel) run the case's input in float64
   and in float32; c, y and o of every layer go to benchmarks/results/evnn_reference.npz with
   the checkpoint and the input.
2. A character-level language model (embedding 32, EGRU 64 and 32 units, zoneout 0.05 on the
   first layer, a linear decoder) is trained with EvNN on this repository's own docs
   (docs/*.md, BSD-3 like the rest of the repository) and saved under EvNN's parameter names in
   examples/evnn_lm/model.npz with a held-out text as token ids (tokens.npz); EvNN's
   per-token log-likelihood of that text (eval mode, float64) goes to
   benchmarks/results/evnn_lm.json.
"""

import json
import platform
import sys
import time
from pathlib import Path

import numpy as np
import torch

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))
from evnn_reference import CASES, random_stack  # noqa: E402

LAYER_PARAMETERS = ("kernel", "recurrent_kernel", "bias", "recurrent_bias", "thr")
ROWS = 40


def evnn_layers(arrays: dict, dtype) -> list:
    """EvNN EGRU layers holding the checkpoint's arrays, in eval mode."""
    import evnn_pytorch as evnn
    layers, k = [], 0
    while f"{k}.kernel" in arrays:
        n_in, h = arrays[f"{k}.kernel"].shape[0], arrays[f"{k}.recurrent_kernel"].shape[0]
        layer = evnn.EGRU(n_in, h, zoneout=float(arrays.get(f"{k}.zoneout", 0.0)))
        with torch.no_grad():
            for name in LAYER_PARAMETERS:
                value = arrays[f"{k}.{name}"].astype(np.float64)
                getattr(layer, name).copy_(torch.from_numpy(value))
        layers.append(layer.to(dtype).eval())
        k += 1
    return layers


def stack(layers, arrays, x: torch.Tensor) -> list:
    """[(c, y, o)] of every layer for input rows x [steps, inputs] (batch of one)."""
    out = []
    with torch.no_grad():
        for k, layer in enumerate(layers):
            h0 = arrays.get(f"{k}.h0")
            state = None if h0 is None else torch.from_numpy(h0.astype(np.float64)).to(
                x.dtype).reshape(1, 1, -1)
            y, (c, o, _) = layer(x, state)
            out.append((c[:, 0].double().numpy(), y[:, 0].double().numpy(),
                        o[:, 0].double().numpy()))
            x = y
    return out


def reference_cases() -> dict:
    stored = {}
    for case, options in CASES.items():
        arrays = random_stack(5, **options)
        rng_x, rng_mask = np.random.default_rng(6), np.random.default_rng(7)
        x = rng_x.normal(0, 1, (ROWS, 9)) * (rng_mask.random((ROWS, 9)) < 0.7)
        stored[f"{case}/x"] = x
        for name, value in arrays.items():
            stored[f"{case}/checkpoint/{name}"] = value
        for dtype, label in ((torch.float64, "float64"), (torch.float32, "float32")):
            layers = evnn_layers(arrays, dtype)
            inputs = torch.from_numpy(x).to(dtype).reshape(ROWS, 1, -1)
            for k, (c, y, o) in enumerate(stack(layers, arrays, inputs)):
                for n, v in (("c", c), ("y", y), ("o", o)):
                    stored[f"{case}/{label}/{k}.{n}"] = v
    return stored


class CharModel(torch.nn.Module):
    def __init__(self, vocab: int):
        super().__init__()
        import evnn_pytorch as evnn
        self.embedding = torch.nn.Embedding(vocab, 32)
        self.rnns = torch.nn.ModuleList([evnn.EGRU(32, 64, zoneout=0.05, batch_first=True),
                                         evnn.EGRU(64, 32, batch_first=True)])
        self.decoder = torch.nn.Linear(32, vocab)

    def forward(self, tokens):
        x = self.embedding(tokens)
        for rnn in self.rnns:
            x, _ = rnn(x)
        return torch.log_softmax(self.decoder(x), dim=-1)


def corpus() -> tuple[str, list[str]]:
    text = "\n".join(p.read_text() for p in sorted((REPO / "docs").glob("*.md")))
    text = "".join(ch if 32 <= ord(ch) < 127 or ch == "\n" else "?" for ch in text)
    return text, sorted(set(text))


def train_language_model(steps: int = 600, seed: int = 0) -> dict:
    torch.manual_seed(seed)
    text, alphabet = corpus()
    ids = np.array([alphabet.index(ch) for ch in text], dtype=np.int64)
    held_out = ids[-400:]
    train = torch.from_numpy(ids[:-2000])
    model = CharModel(len(alphabet))
    optimiser = torch.optim.Adam(model.parameters(), lr=3e-3)
    rng = np.random.default_rng(seed)
    seq, batch = 64, 32
    started = time.perf_counter()
    for step in range(steps):
        starts = rng.integers(0, len(train) - seq - 1, batch)
        chunk = torch.stack([train[s:s + seq + 1] for s in starts])
        log_p = model(chunk[:, :-1])
        loss = torch.nn.functional.nll_loss(log_p.reshape(-1, len(alphabet)),
                                            chunk[:, 1:].reshape(-1))
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
    train_s = time.perf_counter() - started
    arrays = {"embedding": model.embedding.weight.detach().numpy(),
              "decoder.weight": model.decoder.weight.detach().numpy(),
              "decoder.bias": model.decoder.bias.detach().numpy()}
    for k, rnn in enumerate(model.rnns):
        rnn.thr.data.clamp_(0.0, 1.0)
        for name in LAYER_PARAMETERS:
            arrays[f"{k}.{name}"] = getattr(rnn, name).detach().numpy().astype(np.float32)
        arrays[f"{k}.zoneout"] = np.float32(rnn.zoneout)
    arrays = {k: np.asarray(v, dtype=np.float32) for k, v in arrays.items()}
    model = model.double().eval()
    with torch.no_grad():
        log_p = model(torch.from_numpy(held_out[None, :]))[0].numpy()
        events = []
        x = model.embedding(torch.from_numpy(held_out[None, :]))
        for rnn in model.rnns:
            x, (c, o, _) = rnn(x)
            events.append(float(o.mean()))
    ll = log_p[np.arange(len(held_out) - 1), held_out[1:]]
    folder = REPO / "examples" / "evnn_lm"
    folder.mkdir(exist_ok=True)
    np.savez(folder / "model.npz", **arrays)
    np.savez(folder / "tokens.npz", tokens=held_out)
    return {"alphabet": "".join(alphabet), "train_steps": steps, "train_s": round(train_s, 1),
            "final_train_loss": round(float(loss), 4), "held_out_tokens": len(held_out),
            "log_likelihood": ll.tolist(), "perplexity": float(np.exp(-ll.mean())),
            "event_fraction_per_layer": events,
            "uniform_perplexity": len(alphabet)}


def main() -> None:
    import evnn_pytorch
    provenance = {"evnn_pytorch": getattr(evnn_pytorch, "__version__", "0.2.0"),
                  "torch": torch.__version__, "python": platform.python_version(),
                  "date": time.strftime("%Y-%m-%d"),
                  "command": "python benchmarks/evnn_reference.py (EvNN venv)"}
    results = REPO / "benchmarks" / "results"
    stored = reference_cases()
    np.savez_compressed(results / "evnn_reference.npz", **stored)
    (results / "evnn_reference.json").write_text(json.dumps(
        {**provenance, "cases": sorted(CASES), "rows": ROWS}, indent=1) + "\n")
    lm = train_language_model()
    (results / "evnn_lm.json").write_text(json.dumps({**provenance, **lm}, indent=1) + "\n")
    print(f"reference cases: {sorted(CASES)}; language model perplexity {lm['perplexity']:.2f} "
          f"(uniform {lm['uniform_perplexity']}), trained in {lm['train_s']} s")


if __name__ == "__main__":
    main()
