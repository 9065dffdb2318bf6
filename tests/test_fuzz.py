"""Arbitrary input never escapes as anything but the documented error, one line long."""

import math
import tomllib

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import chips
from networks import (AllToAll, FixedInDegree, FixedProbability, FromList, IFCurrExp,
                      Network, NetworkError, OneToOne, Uniform, synapses)
from simulator import ConfigError, MappingError, MappingOptions, RunOptions, parse_config
from simulator import simulate

from .test_config import GOOD

EXAMPLES = settings(max_examples=500, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])
SECTIONS = ["machine", "machine.link", "machine.core", "machine.router", "machine.chip",
            "network", "network.params", "mapping", "run", "record", "faults"]
KEYS = ["preset", "width", "height", "wrap", "layout", "bandwidth_bps", "clock_hz", "cores",
        "table_entries", "library", "n_neurons", "p_connect", "delay_ms", "neurons_per_core",
        "placer", "duration_ms", "timestep_ms", "fidelity", "seed", "traffic_window_ms",
        "exc", "dead_links", "x", "params", "tau_m_ms", "w_exc_mv", "latency_ns"]
scalars = st.one_of(st.integers(-10**12, 10**12), st.floats(allow_nan=True),
                    st.booleans(), st.text(max_size=12),
                    st.sampled_from(["spinnaker2", "spinnaker1", "cuba", "timed", "spread",
                                     "board48", "v"]))
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(st.sampled_from(KEYS), inner, max_size=3)),
    max_leaves=6)


def toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf") \
            if math.isinf(value) else repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return '"' + value.encode("unicode_escape").decode().replace('"', '\\"') + '"'
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return "{" + ", ".join(f"{k} = {toml_value(v)}" for k, v in value.items()) + "}"


@st.composite
def configs(draw):
    """GOOD with a few tables changed: a key set to any value, or any text appended."""
    text = GOOD
    for _ in range(draw(st.integers(1, 3))):
        section = draw(st.sampled_from(SECTIONS))
        line = f"{draw(st.sampled_from(KEYS))} = {toml_value(draw(values))}"
        header = f"[{section}]\n"
        text = text.replace(header, header + line + "\n", 1) if header in text else \
            text + f"\n{header}{line}\n"
    if draw(st.booleans()):
        text += draw(st.text(max_size=30))
    return text


@EXAMPLES
@given(configs())
def test_the_config_loader_raises_only_config_errors(text):
    try:
        parse_config(text)
    except ConfigError as err:
        message = str(err)
        assert message and "\n" not in message.strip()
    except tomllib.TOMLDecodeError:
        raise AssertionError("a TOML syntax error escaped unexplained")


def _from_list(n, seed):
    rng = np.random.default_rng(seed)
    pre, post, weight = rng.integers(-2, 40, (3, n))
    return FromList(pre, post, weight, rng.integers(0, 5, n))


connector_args = st.one_of(
    st.tuples(st.just(FixedProbability), st.one_of(st.floats(-1, 2), st.just(math.nan)),
              st.booleans()),
    st.tuples(st.just(FixedInDegree), st.integers(-5, 60), st.booleans(), st.booleans()),
    st.tuples(st.just(AllToAll), st.booleans()),
    st.tuples(st.just(OneToOne)),
    st.tuples(st.just(_from_list), st.integers(0, 20), st.integers(0, 100)))


@EXAMPLES
@given(connector=connector_args, n_pre=st.integers(1, 50), n_post=st.integers(1, 50),
       same=st.booleans(), seed=st.integers(0, 2**63 - 1),
       weight=st.one_of(st.floats(allow_nan=True),
                        st.tuples(st.floats(-5, 5), st.floats(-5, 5))),
       delay=st.one_of(st.integers(-3, 70_000), st.tuples(st.floats(-2, 10),
                                                          st.floats(-2, 10))))
def test_connectors_raise_only_network_errors(connector, n_pre, n_post, same, seed, weight,
                                              delay):
    try:
        make, *args = connector
        connector = make(*args)
        weight = Uniform(*weight) if isinstance(weight, tuple) else weight
        delay = Uniform(*delay) if isinstance(delay, tuple) else delay
        net = Network()
        pre = net.add_population("pre", n_pre, IFCurrExp())
        post = pre if same else net.add_population("post", n_post, IFCurrExp())
        projection = net.connect(pre, post, connector, weight=weight, delay_ticks=delay)
    except NetworkError as err:
        assert str(err) and "\n" not in str(err)
        return
    syn = synapses(projection, seed)
    assert np.all((0 <= syn.pre) & (syn.pre < pre.size))
    assert np.all((0 <= syn.post) & (syn.post < post.size))
    assert np.all(syn.delay_ticks >= 1)
    assert np.all(np.isfinite(syn.weight))


@pytest.mark.parametrize("arguments,message", [
    (("network", chips.spinnaker2(), RunOptions(), MappingOptions()),
     "network must be a Network such as networks.Network()"),
    ((Network(), "spinnaker2", RunOptions(), MappingOptions()),
     "machine must be a Machine such as chips.spinnaker2"),
    ((Network(), chips.spinnaker2(), {"duration_ms": 5}, MappingOptions()),
     "run must be a RunOptions"),
    ((Network(), chips.spinnaker2(), RunOptions(), 256), "mapping must be a MappingOptions"),
    ((Network(), chips.spinnaker2(), RunOptions(), MappingOptions()),
     "network must have at least one population"),
])
def test_python_api_arguments_are_checked(arguments, message):
    with pytest.raises((ConfigError, MappingError), match=message):
        simulate(*arguments)
