"""Every number of every example config perturbed to an extreme: `neurochip map` exits 0, 1
or 2 with at most one line on stderr, no traceback and no NumPy warning."""

import math
import tomllib
import warnings
from pathlib import Path

import pytest

from simulator import cli

from .helpers import REPO, toml_text

EXTREMES = (0, -1, 1e308, 1e-308, 2**62, math.inf, math.nan)
# Mapping takes about a second per few million synapses: a perturbation that leaves a valid
# network larger than this (EGRU's pruning = 0 is dense, 24 M synapses) is loaded and
# checked against host memory, the steps before any allocation, but not mapped.
MAP_AT_MOST_SYNAPSES = 10_000_000
EXAMPLES = sorted((REPO / "examples").glob("*.toml"))


def numbers(document, path=()):
    """Paths of every number in a TOML document, list elements included."""
    if isinstance(document, dict):
        for key, value in document.items():
            yield from numbers(value, (*path, key))
    elif isinstance(document, list):
        for i, value in enumerate(document):
            yield from numbers(value, (*path, i))
    elif isinstance(document, (int, float)) and not isinstance(document, bool):
        yield path


def perturbed(example: Path, path: tuple, value) -> str:
    """The example's TOML with the number at `path` set to `value` (path () changes none)."""
    document = tomllib.loads(example.read_text())
    network = document.get("network", {})
    for key, entry in network.items():   # the config is written elsewhere: keep its files
        if isinstance(entry, str) and (example.parent / entry).is_file():
            network[key] = str(example.parent / entry)
    if path:
        table = document
        for step in path[:-1]:
            table = table[step]
        table[path[-1]] = value
    return toml_text(document)


CASES = [(example, path, value) for example in EXAMPLES
         for path in numbers(tomllib.loads(example.read_text())) for value in EXTREMES]


def test_the_fuzz_covers_every_number_of_every_example():
    assert {e.stem for e, _, _ in CASES} == {e.stem for e in EXAMPLES} >= {
        "bottleneck", "brunel", "cuba", "egru", "evnn_lm", "microcircuit", "nir_lif", "synfire"}
    assert len(CASES) > 500


class TooBigToMap(Exception):
    """A valid network the fuzz does not map (see MAP_AT_MOST_SYNAPSES)."""


def map_unless_too_big(real):
    def map_network(network, *args, **kwargs):
        synapses = sum(p.connector.expected_synapses(p.pre.size, p.post.size,
                                                     p.pre.index == p.post.index)
                       for p in network.projections)
        if synapses > MAP_AT_MOST_SYNAPSES:
            raise TooBigToMap
        return real(network, *args, **kwargs)
    return map_network


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.stem for e in EXAMPLES])
def test_extreme_numbers_exit_0_1_or_2_in_one_line(example, tmp_path, capsys, monkeypatch):
    import simulator.validate
    monkeypatch.setattr(simulator.validate, "map_network",
                        map_unless_too_big(simulator.validate.map_network))
    config_path = tmp_path / "fuzzed.toml"
    outcomes = {}
    for _, path, value in [c for c in CASES if c[0] == example]:
        config_path.write_text(perturbed(example, path, value))
        where = f"{'.'.join(map(str, path))} = {value!r}"
        with warnings.catch_warnings():
            warnings.simplefilter("error", RuntimeWarning)   # NumPy overflow, invalid, ...
            try:
                status = cli.main(["map", str(config_path)])
            except TooBigToMap:    # loaded, built and checked against host memory
                status = 0
            except Exception as err:
                raise AssertionError(f"{where}: {type(err).__name__}: {err}") from err
        out, err = capsys.readouterr()
        assert status in (0, 1, 2), (where, status, err)
        assert "Traceback" not in err and err.count("\n") <= 1, (where, err)
        assert status != 2 or (err.startswith("neurochip: error: ") and out == ""), (where, err)
        outcomes[status] = outcomes.get(status, 0) + 1
    assert outcomes.get(2, 0) > 0, outcomes
    # The example written the same way but unperturbed maps: the refusals above are the
    # extremes', not the rewriting's (EvNN's two numbers are both refused at every extreme).
    config_path.write_text(perturbed(example, (), None))
    assert cli.main(["map", str(config_path)]) == 0, capsys.readouterr().err
