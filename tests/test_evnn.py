"""EvNN checkpoints in: states and events of a full run against EvNN's forward pass (the
NumPy reference in evnn_reference.py, itself checked against EvNN's own outputs), the host
decoder, the config key and the refusals."""

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

import chips
from networks.evnn import (EvnnError, answer_tick, build_evnn, checkpoint_from_arrays,
                           input_rows, perplexity, read_checkpoint, read_evnn,
                           token_log_likelihood)
from simulator import ConfigError, load_config, parse_config, simulate

from .evnn_reference import CASES, random_stack, stack_forward
from .helpers import REPO, run_serial

STORED = REPO / "benchmarks" / "results" / "evnn_reference.npz"


def run_stack(arrays, x, machine=None, **run):
    net = build_evnn(checkpoint_from_arrays(arrays), x)
    layers = [p for p in net.populations if p.name.startswith("layer")]
    for layer in layers:
        net.record(layer, ["c", "y"])
    ticks = len(x) + len(layers) + 1
    return net, run_serial(net, machine or chips.spinnaker2(2, 1), neurons_per_core=5,
                           duration_ms=float(ticks), timestep_ms=1.0, **run)


def answers(result, k, rows, name):
    """Layer k's recorded `name` at the ticks it answers input rows 0 .. rows - 1."""
    first, last = answer_tick(k, 0), answer_tick(k, rows - 1)
    return result.datasets[f"state/layer{k}/{name}"][first:last + 1]


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_random_evnn_stack_runs_as_evnn_computes_it(case):
    arrays = random_stack(5, **CASES[case])
    rows = 40
    x = np.random.default_rng(6).normal(0, 1, (rows, 9)) * \
        (np.random.default_rng(7).random((rows, 9)) < 0.7)
    net, result = run_stack(arrays, x)
    reference = stack_forward(arrays, x)
    for k, (c, y, o) in enumerate(reference):
        np.testing.assert_allclose(answers(result, k, rows, "c"), c, rtol=0, atol=1e-9)
        np.testing.assert_allclose(answers(result, k, rows, "y"), y, rtol=0, atol=1e-9)
        times, ids = result.spikes(f"layer{k}")
        fired = np.zeros_like(o, dtype=bool)
        row = times - answer_tick(k, 0)
        inside = (row >= 0) & (row < rows)
        fired[row[inside], ids[inside]] = True
        np.testing.assert_array_equal(fired, o > 0)
        assert 0.05 < o.mean() < 0.7, k        # both events and silence
    if case == "pruned":
        kept = sum(len(p.connector.pre) for p in net.projections)
        assert kept < 0.3 * sum(a.size for n, a in arrays.items() if n.endswith("kernel"))


def test_a_layer_waits_for_its_first_input_and_sends_h0_just_before():
    arrays = random_stack(8, h0=True)
    x = np.random.default_rng(1).normal(0, 1, (10, 9))
    _, result = run_stack(arrays, x)
    for k in range(2):
        c, y = (result.datasets[f"state/layer{k}/{n}"] for n in ("c", "y"))
        assert not c[:k + 1].any()                       # no bias-only ticks
        np.testing.assert_array_equal(y[k], arrays[f"{k}.h0"].astype(np.float64))
        assert not y[:k].any()


def test_evnn_own_outputs_equal_the_reference_forward_pass():
    """The stored outputs of EvNN itself (benchmarks/evnn_reference.py, EvNN's CPU kernel in
    eval mode, float64 and float32) against the NumPy reference on the same checkpoints."""
    stored = np.load(STORED)
    cases = sorted({k.split("/")[0] for k in stored.files})
    assert set(CASES) <= set(cases)
    for case in cases:
        arrays = {k.split("/", 2)[2]: stored[k] for k in stored.files
                  if k.startswith(f"{case}/checkpoint/")}
        x = stored[f"{case}/x"]
        for k, (c, y, o) in enumerate(stack_forward(arrays, x)):
            for name, ours in (("c", c), ("y", y), ("o", o)):
                np.testing.assert_allclose(stored[f"{case}/float64/{k}.{name}"], ours,
                                           rtol=0, atol=1e-12, err_msg=f"{case} {k}.{name}")
                # EvNN in float32, as it is trained: within float32 rounding
                np.testing.assert_allclose(stored[f"{case}/float32/{k}.{name}"], ours,
                                           rtol=0, atol=1e-6, err_msg=f"{case} {k}.{name}")


def log_softmax(a):
    a = a - a.max(axis=1, keepdims=True)
    return a - np.log(np.exp(a).sum(axis=1, keepdims=True))


def test_tokens_in_log_likelihood_out_and_what_drops_do_to_it(tmp_path):
    arrays = random_stack(3, sizes=(12, 24, 16), vocab=30)
    tokens = np.random.default_rng(4).integers(0, 30, 25)
    checkpoint = checkpoint_from_arrays(arrays)
    x = input_rows(checkpoint, {"tokens": tokens})
    np.testing.assert_array_equal(x, arrays["embedding"][tokens].astype(np.float64))
    reference = stack_forward(arrays, x)[-1][1]
    expected = log_softmax(reference @ arrays["decoder.weight"].T.astype(np.float64)
                           + arrays["decoder.bias"])[np.arange(24), tokens[1:]]
    _, clean = run_stack(arrays, x, chips.spinnaker2(3, 1), fidelity="functional")
    ll = token_log_likelihood(checkpoint, clean.datasets["state/layer1/y"], tokens)
    np.testing.assert_allclose(ll, expected, rtol=0, atol=1e-9)
    assert 5 < perplexity(ll) < 1e4
    # a link too slow for a token's burst of graded events drops some of them
    machine = chips.spinnaker2(3, 1)
    link = replace(machine.chip.link, bandwidth_bps=20_000_000, buffer_packets=2)
    slow = replace(machine, chip=replace(machine.chip, link=link))
    _, congested = run_stack(arrays, x, slow, fidelity="timed")
    dropped = int(congested.datasets["traffic/router_dropped"].sum())
    assert dropped > 0
    lossy = token_log_likelihood(checkpoint, congested.datasets["state/layer1/y"], tokens)
    assert not np.allclose(lossy, ll)


def write_case(folder: Path, arrays, tokens):
    np.savez(folder / "model.npz", **arrays)
    np.savez(folder / "tokens.npz", tokens=tokens)
    (folder / "lm.toml").write_text(
        '[network]\nevnn = "model.npz"\ninput = "tokens.npz"\n'
        '[record]\nlayer1 = ["c", "y"]\n'
        '[run]\nduration_ms = 30.0\ntimestep_ms = 1.0\nfidelity = "functional"\n')


def test_the_config_reads_a_checkpoint_and_its_tokens(tmp_path):
    arrays = random_stack(3, sizes=(12, 24, 16), vocab=30)
    tokens = np.arange(20) % 30
    write_case(tmp_path, arrays, tokens)
    config = parse_config((tmp_path / "lm.toml").read_text(), str(tmp_path / "lm.toml"))
    net = config.build_network()
    assert [p.name for p in net.populations] == ["input", "layer0", "layer1"]
    assert net.recorded["layer1"] == ("c", "y")
    same = read_evnn(tmp_path / "model.npz", tmp_path / "tokens.npz")
    for a, b in zip(net.projections, same.projections):
        np.testing.assert_array_equal(a.connector.weight, b.connector.weight)


@pytest.mark.parametrize("change,message", [
    (lambda a: a.pop("1.thr"), "has no array '1.thr'; every layer needs"),
    (lambda a: a.update({"0.kernel": a["0.kernel"][:, :5]}),
     "array '0.kernel' has shape (12, 5) but must have shape (12, 72)"),
    (lambda a: a.update({"0.threshold": a["0.thr"]}),
     "holds array '0.threshold', which is not an EvNN parameter"),
    (lambda a: a.update({"1.kernel": a["1.kernel"][:3]}),
     "array '1.kernel' has shape (3, 48) but must have shape (24, 48)"),
    (lambda a: a.update({"0.zoneout": np.float32(1.5)}), "'0.zoneout' must be one number in"),
    (lambda a: a["0.bias"].__setitem__(0, np.nan), "'0.bias' holds a value that is not finite"),
])
def test_a_bad_checkpoint_is_refused_in_one_sentence(tmp_path, change, message):
    arrays = random_stack(3, sizes=(12, 24, 16), vocab=30)
    change(arrays)
    write_case(tmp_path, arrays, np.arange(20))
    with pytest.raises(ConfigError, match=None) as err:
        parse_config((tmp_path / "lm.toml").read_text(), str(tmp_path / "lm.toml"))
    assert message in str(err.value) and str(err.value).startswith("[network] EvNN checkpoint")
    assert "\n" not in str(err.value)


def test_bad_input_is_refused_in_one_sentence(tmp_path):
    arrays = random_stack(3, sizes=(12, 24, 16), vocab=30)
    checkpoint = checkpoint_from_arrays(arrays)
    with pytest.raises(EvnnError, match="token id 30 is outside the embedding's vocabulary"):
        input_rows(checkpoint, {"tokens": np.array([1, 30])})
    with pytest.raises(EvnnError, match=r"x must be floats \[rows, 12\]"):
        input_rows(checkpoint, {"x": np.zeros((4, 11))})
    no_embedding = checkpoint_from_arrays({k: v for k, v in arrays.items() if k != "embedding"})
    with pytest.raises(EvnnError, match="the checkpoint has no embedding"):
        input_rows(no_embedding, {"tokens": np.array([1])})
    write_case(tmp_path, arrays, np.arange(20))
    text = (tmp_path / "lm.toml").read_text()
    with pytest.raises(ConfigError, match=r"\[network\] evnn needs input"):
        parse_config(text.replace('input = "tokens.npz"\n', ""), str(tmp_path / "lm.toml"))
    (tmp_path / "tokens.npz").write_bytes(b"PK\x03\x04 not a zip")
    with pytest.raises(ConfigError, match="cannot be read as an .npz archive"):
        parse_config(text, str(tmp_path / "lm.toml"))


def test_evnn_state_dict_names_are_read_too():
    arrays = random_stack(3, sizes=(12, 24, 16), vocab=30)
    renamed = {("rnns." + k if k[0].isdigit() else k): v for k, v in arrays.items()}
    renamed["embeddings.weight"] = renamed.pop("embedding")
    renamed["decoder.decoder.weight"] = renamed.pop("decoder.weight")
    renamed["decoder.decoder.bias"] = renamed.pop("decoder.bias")
    renamed["rnns.0.dampening_factor"] = np.float32(0.7)
    a, b = checkpoint_from_arrays(arrays), checkpoint_from_arrays(renamed)
    np.testing.assert_array_equal(a.layers[1].kernel, b.layers[1].kernel)
    np.testing.assert_array_equal(a.embedding, b.embedding)
    np.testing.assert_array_equal(a.decoder_bias, b.decoder_bias)


def test_the_trained_language_model_has_evnn_perplexity_on_the_chip():
    """examples/evnn_lm.toml: a character model trained with EvNN; its per-token
    log-likelihood on the modelled chip against EvNN's own (PyTorch, float64, eval mode)."""
    config = load_config(REPO / "examples" / "evnn_lm.toml")
    stored = json.loads((REPO / "benchmarks" / "results" / "evnn_lm.json").read_text())
    result = simulate(config.build_network(), config.machine,
                      replace(config.run, fidelity="functional"), config.mapping)
    checkpoint = read_checkpoint(config.network_params.path)
    tokens = np.load(config.network_params.input)["tokens"]
    ll = token_log_likelihood(checkpoint, result.datasets["state/layer1/y"], tokens)
    np.testing.assert_allclose(ll, stored["log_likelihood"], rtol=0, atol=1e-9)
    assert perplexity(ll) < stored["uniform_perplexity"] / 5     # it did learn the text
