"""Every number a config or the Python API takes has a bound the simulator can honour; a value
beyond it is refused where it enters, in one sentence naming the key and the limit."""

import dataclasses
import tomllib
import typing

import pytest

import chips
from networks import IFCurrExp, Network, NetworkError
from networks.library import LIBRARY
from simulator import ConfigError, MappingOptions, RunOptions, parse_config, simulate
from simulator import bounds
from simulator.config import MACHINE_PARTS, MachineChoice
from simulator.tables import from_table, keys_of

from .helpers import toml_text
from .test_config import GOOD

FAULT_ITEMS = {"dead_links": {"x": 0, "y": 0, "direction": 0}, "dead_chips": {"x": 0, "y": 0},
               "dead_cores": {"x": 0, "y": 0, "core": 0}}


def config_with(path: tuple, value, library: str = "cuba", **more) -> str:
    """GOOD (with `library`) with the key at `path` (tables, then list positions) set to
    `value`, and the keys of `[machine]` in `more` too."""
    document = tomllib.loads(GOOD)
    if library != "cuba":
        document["network"] = {"library": library}
    document["machine"].update(more)
    table = document
    for step in path[:-1]:
        table = table.setdefault(step, {}) if isinstance(step, str) else table[step]
    table[path[-1]] = value
    return toml_text(document)


def numeric_keys(cls) -> list[tuple[str, type]]:
    hints = typing.get_type_hints(cls)
    keys = []
    for key in keys_of(cls):
        kind = hints[key]
        options = typing.get_args(kind) or (kind,)
        number = [k for k in options if k in (int, float)]
        if number:
            keys.append((key, number[0], typing.get_origin(kind) is tuple))
    return keys


def tables():
    """(section, key, whole number?, path of the key in a config) for every number of every
    table a config can hold."""
    sections = [(("machine",), MachineChoice), (("run",), RunOptions),
                (("mapping",), MappingOptions)]
    sections += [(("machine", name), cls) for name, cls in MACHINE_PARTS.items()]
    sections += [(("network", "params", name), entry.params) for name, entry in LIBRARY.items()]
    sections += [(("faults", kind, 0), cls) for kind, cls in (
        ("dead_links", chips.faults.DeadLink), ("dead_chips", chips.faults.DeadChip),
        ("dead_cores", chips.faults.DeadCore))]
    for path, cls in sections:
        for key, kind, listed in numeric_keys(cls):
            yield path, key, kind is int, listed


def config_of(path: tuple, key: str, value, listed: bool) -> str:
    value = [value] if listed else value
    if path[0] == "network":
        return config_with(("network", "params", key), value, library=path[2])
    if path[0] == "faults":
        item = dict(FAULT_ITEMS[path[1]], **{key: value})
        return config_with(path[:2], [item])
    return config_with((*path, key), value)


CASES = list(tables())


@pytest.mark.parametrize("path,key,whole,listed", CASES,
                         ids=[".".join(map(str, (*p[:2], k))) for p, k, _, _ in CASES])
def test_every_number_beyond_its_bound_is_refused_naming_key_and_limit(path, key, whole,
                                                                       listed):
    section = ".".join(p for p in path if isinstance(p, str) and p not in LIBRARY)
    bound = bounds.bound_of(f"{section}.{key}", whole)
    beyond = int(bound.high) + 1 if whole else bound.high * 2
    with pytest.raises(ConfigError) as caught:
        parse_config(config_of(path, key, beyond, listed))
    message = str(caught.value)
    limit = f"{bound.high:,}" if isinstance(bound.high, int) else f"{bound.high:g}"
    limit = f"at most {limit}" if bound.low == -bound.high else f"in [{bound.low:,}, {limit}]"
    assert key in message and f"must be {limit}: {bound.why}" in message, message
    assert "\n" not in message


@pytest.mark.parametrize("change,message", [
    ((("run", "traffic_window_ms"), 1e15),
     r"\[run\] traffic_window_ms must be at most 1e\+09: model times are counted in 64-bit "
     r"picoseconds"),
    ((("run", "duration_ms"), 1e308), r"\[run\] duration_ms must be at most 1e\+09"),
    ((("run", "timestep_ms"), 1e-308),
     r"\[run\] timestep_ms must be at least 1e-06 \(one nanosecond\)"),
    ((("machine", "width"), 2**62), r"\[machine\] width must be at most 65,536"),
    ((("machine", "width"), 300, {"height": 300}),
     r"\[machine\] width x height must be at most 65,536 chips \(got \(300, 300\)\)"),
    ((("machine", "chip", "cores"), 10**12),
     r"\[machine.chip\] cores must be at most 65,535: core numbers are 16-bit"),
    ((("machine", "link", "latency_ns"), 2**62),
     r"\[machine.link\] latency_ns must be at most 1,000,000,000"),
    ((("machine", "router", "drop_wait_ns"), 2**62),
     r"\[machine.router\] drop_wait_ns must be at most 1,000,000,000"),
    ((("faults", "dead_chips"), [{"x": 0, "y": 0, "from_ms": 1e300}]),
     r"\[faults.dead_chips\[0\]\] from_ms must be at most 1e\+09"),
    ((("faults", "dead_links"), [{"x": 0, "y": 0}]),
     r"\[faults.dead_links\[0\]\] lacks key direction; give x, y, direction \(and "
     r"optionally from_ms\)"),
    ((("network", "params", "n_neurons"), 10**12),
     r"\[network.params\] n_neurons must be at most 2,147,483,647"),
    ((("mapping", "rates_hz"), {"exc": float("inf")}),
     r"\[mapping\] rates_hz.exc must be a finite number >= 0 \(got inf\)"),
    ((("mapping", "rates_hz"), {"exc": 1e300}),
     r"\[mapping\] rates_hz.exc must be at most 1e\+09"),
    ((("mapping", "pins"), {"exc": {"x": [0, 60000], "y": [0, 60000]}}),
     r"\[mapping\] pins.exc must name at most 65,536 chips"),
    ((("mapping", "pins"), {"exc": {"chips": [[0, 0], [2**40, 1]]}}),
     r"\[mapping\] pins.exc.chips must name at most 65,536 chips, each coordinate below"),
    ((("mapping", "pins"), {"exc": {"x": 0, "y": 0, "cores": [0, 152]}}),
     r"\[mapping\] pins.exc.cores must name cores below the 152 of a spinnaker2 chip "
     r"\(got \[0, 152\]\)"),
])
def test_the_extremes_users_met_are_refused_in_one_sentence(change, message):
    path, value, *machine = change
    with pytest.raises(ConfigError, match=message) as caught:
        parse_config(config_with(path, value, **(machine[0] if machine else {})))
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize("name,params,message", [
    ("synfire", "n_groups = 1_000_000_000", "n_groups must be below 65,536"),
    ("synfire", "group_size = 1_000_000_000", "group_size must be at most 1,048,576"),
    ("synfire", "stimulus_seed = -1", "stimulus_seed must be in [0, 9,223,372,036,854,775,807]"),
    ("brunel", "scale = 1e9", "scale must keep scale x (n_exc + n_inh) within 2,147,483,647"),
    ("egru", "vocab_size = 1_000_000_000", "vocab_size must keep the values the builder draws"),
    ("egru", "layer_sizes = [100, 1_000_000]", "layer_sizes must keep the values the builder"),
    ("bottleneck", "n_chips = 1_000_000_000", "n_chips and layers_per_chip must give at most "
                                              "65,536 populations"),
    ("bottleneck", "width = 1_000_000_000", "width must keep n_chips x (layers_per_chip + 1)"),
])
def test_library_sizes_are_refused_before_the_network_is_built(name, params, message,
                                                               monkeypatch):
    def never(*args):
        raise AssertionError("the network was built")
    monkeypatch.setitem(LIBRARY, name, LIBRARY[name]._replace(build=never))
    text = GOOD.replace('library = "cuba"', f'library = "{name}"').replace("n_neurons = 400",
                                                                         params)
    with pytest.raises(ConfigError) as caught:
        parse_config(text)
    assert message in str(caught.value) and "\n" not in str(caught.value)


def test_the_python_api_takes_the_same_bounds():
    with pytest.raises(ConfigError, match="duration_ms must be at most 1e"):
        RunOptions(duration_ms=1e308)
    with pytest.raises(ConfigError, match="timestep_ms must be at least 1e-06"):
        RunOptions(timestep_ms=1e-308)
    with pytest.raises(ConfigError, match="rates_hz.a must be a finite number"):
        MappingOptions(rates_hz={"a": float("inf")})
    with pytest.raises(chips.MachineError, match="width x height must be at most 65,536"):
        chips.spinnaker2(2**62, 1)
    with pytest.raises(chips.MachineError, match="cores must be in"):
        dataclasses.replace(chips.spinnaker2().chip, cores=10**12)
    net = Network()
    net.add_population("a", 2**31 - 2, IFCurrExp())
    with pytest.raises(NetworkError, match="within 2,147,483,647 neurons"):
        net.add_population("b", 2, IFCurrExp())
    net = Network()
    net.add_population("a", 1, IFCurrExp())
    with pytest.raises(ConfigError, match="pins.a.cores must name cores below the 152"):
        simulate(net, chips.spinnaker2(), RunOptions(duration_ms=1.0),
                 MappingOptions(pins={"a": {"x": 0, "y": 0, "cores": [150, 160]}}))


def test_a_network_holds_at_most_65536_populations_and_adds_them_in_constant_time():
    net = Network()
    for i in range(2**16):
        net.add_population(f"p{i}", 1, IFCurrExp())
    with pytest.raises(NetworkError, match="at most 65,536 populations"):
        net.add_population("one_more", 1, IFCurrExp())


def test_from_table_names_a_missing_key_of_any_table():
    with pytest.raises(ConfigError, match=r"\[faults.dead_cores\[0\]\] lacks key core; give "
                                          r"x, y, core \(and optionally from_ms\)"):
        parse_config(GOOD + "\n[faults]\ndead_cores = [{x = 0, y = 0}]\n")
    assert from_table(chips.faults.DeadChip, {"x": 1, "y": 0}, "faults").from_ms == 0.0
