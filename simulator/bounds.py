"""The largest number every numeric key may hold: a bound the rest of the simulator honours.

Times become 64-bit picosecond counts in the timed engine, neuron indices and routing keys
are 32-bit, weights are 32-bit floats. Each rule names the end of the keys it covers (their
unit); `check` applies the first that matches, where a value enters (the config tables and
the options' own checks), and names the key and the limit when a value is beyond it.
"""

import re
from typing import NamedTuple

from chips.chip import MAX_CORES
from chips.machine import MAX_CHIPS

from .errors import ConfigError

MAX_TIME_MS = 1e9        # 11.6 days of model time: x 1e9 ps stays below 2**62
MAX_WAIT_NS = 10**9      # a second a latency or wait: thousands of hops still fit in 2**62 ps
MAX_COUNT = 2**31 - 1    # neuron indices, slice and core numbers are 32-bit
MAX_MAGNITUDE = 1e9      # any product of three such numbers is finite in float32 (3.4e38)
MAX_SEED = 2**63 - 1


class Bound(NamedTuple):
    """`low <= value <= high`, or the reason `why` the program cannot take it."""

    low: float
    high: float
    why: str


RULES: tuple[tuple[str, Bound], ...] = (
    ("seed", Bound(0, MAX_SEED, "seeds are 64-bit")),
    ("machine.width", Bound(-MAX_CHIPS, MAX_CHIPS, "a machine has at most 65,536 chips")),
    ("machine.height", Bound(-MAX_CHIPS, MAX_CHIPS, "a machine has at most 65,536 chips")),
    ("machine.chip.cores", Bound(-MAX_CORES, MAX_CORES, "core numbers are 16-bit")),
    ("_ms", Bound(-MAX_TIME_MS, MAX_TIME_MS,
                  "model times are counted in 64-bit picoseconds")),
    ("_ns", Bound(-MAX_WAIT_NS, MAX_WAIT_NS, "latencies and waits add up in 64-bit "
                                            "picoseconds")),
    ("clock_hz", Bound(-1e12, 1e12, "cycle budgets are 64-bit")),
    ("performance_levels_hz", Bound(-1e12, 1e12, "cycle budgets are 64-bit")),
    ("_hz", Bound(-MAX_MAGNITUDE, MAX_MAGNITUDE, "rates enter 32-bit float arithmetic")),
    ("_bps", Bound(-1e15, 1e15, "serialisation times are whole picoseconds")),
    ("_bytes", Bound(-2**40, 2**40, "memory sizes are checked in 64-bit byte counts")),
    ("_bits", Bound(-2**16, 2**16, "a packet is sent in whole picoseconds")),
)
DEFAULT_INT = Bound(-MAX_COUNT, MAX_COUNT, "sizes, counts and indices are 32-bit")
DEFAULT_FLOAT = Bound(-MAX_MAGNITUDE, MAX_MAGNITUDE, "products of parameters must stay "
                                                     "finite in 32-bit floats")


def bound_of(name: str, whole: bool) -> Bound:
    """The bound of the key `name` ("run.duration_ms"), a whole number or not."""
    for ending, bound in RULES:
        if name.endswith(ending):
            return bound
    return DEFAULT_INT if whole else DEFAULT_FLOAT


def key_name(where: str) -> str:
    """'[faults.dead_links[0]] from_ms' -> 'faults.dead_links.from_ms': the key without
    brackets or list positions."""
    return re.sub(r"\[\d+\]", "", where).replace("[", "").replace("] ", ".").strip("]")


def check(where: str, value: float, name: str | None = None) -> None:
    """Raise `ConfigError` naming `where` and the limit when `value` is beyond its bound."""
    bound = bound_of(name or key_name(where), isinstance(value, int))
    if bound.low <= value <= bound.high:
        return
    if bound.low != -bound.high:
        limit = f"in [{_show(bound.low)}, {_show(bound.high)}]"
    else:
        limit = f"at most {_show(bound.high)}" if value > bound.high else \
            f"at least {_show(bound.low)}"
    raise ConfigError(f"{where} must be {limit}: {bound.why} (got {value!r})")


def _show(limit: float) -> str:
    return f"{limit:,}" if isinstance(limit, int) else f"{limit:g}"
