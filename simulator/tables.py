"""Turn a TOML table into a frozen dataclass, checking every key and type once.

One function serves every config section, machine override and library parameter set, so
every mistake reads the same: `[section] key must ... (got ...)`.
"""

import dataclasses
import math
import types
import typing

from chips import MachineError
from networks import NetworkError
from networks.distributions import DISTRIBUTIONS

from . import bounds
from .errors import ConfigError

USER_ERRORS = (ConfigError, NetworkError, MachineError)


def keys_of(cls) -> list[str]:
    """The keys a table for `cls` may hold: its public init fields."""
    return [f.name for f in dataclasses.fields(cls) if f.init and not f.name.startswith("_")]


def from_table(cls, table, section: str, base=None):
    """Build `cls` from `table` (or replace those fields of `base`), naming `section` in errors."""
    if not isinstance(table, dict):
        raise ConfigError(f"[{section}] must be a table of keys (got {table!r})")
    allowed = keys_of(cls)
    for key in table:
        if key not in allowed:
            raise ConfigError(f"[{section}] {key} is not a known key; the keys are "
                              f"{', '.join(allowed)}")
    required = [f.name for f in dataclasses.fields(cls) if f.name in allowed
                and f.default is dataclasses.MISSING
                and f.default_factory is dataclasses.MISSING]
    missing = [key for key in required if key not in table]
    if missing and base is None:
        optional = [key for key in allowed if key not in required]
        raise ConfigError(f"[{section}] lacks key {missing[0]}; give {', '.join(required)}"
                          + (f" (and optionally {', '.join(optional)})" if optional else ""))
    hints = typing.get_type_hints(cls)
    values = {key: coerce(value, hints[key], f"[{section}] {key}")
              for key, value in table.items()}
    try:
        return dataclasses.replace(base, **values) if base is not None else cls(**values)
    except USER_ERRORS as err:
        raise ConfigError(f"[{section}] {err}") from None


def coerce(value, kind, where: str, bounded: bool = True):
    """`value` as type `kind`, or a `ConfigError` naming `where` and the type wanted (or, for
    a number, the bound it exceeds)."""
    origin = typing.get_origin(kind)
    if origin in (typing.Union, types.UnionType):
        options = typing.get_args(kind)
        if isinstance(value, dict):
            distributions = [k for k in options if k in DISTRIBUTIONS.values()]
            if distributions:
                return _distribution(value, where)
        for option in options:
            if option is type(None):
                if value is None:
                    return None
                continue
            try:
                result = coerce(value, option, where, bounded=False)
            except ConfigError:
                continue
            if bounded and isinstance(result, (int, float)) and not isinstance(result, bool):
                bounds.check(where, result)
            return result
        raise ConfigError(f"{where} must be {_describe(kind)} (got {value!r})")
    if origin is tuple:
        if not isinstance(value, list):
            raise ConfigError(f"{where} must be a list (got {value!r})")
        args = typing.get_args(kind)
        item = args[0] if args else object
        return tuple(coerce(v, item, f"{where}[{i}]") for i, v in enumerate(value))
    if kind is bool:
        if not isinstance(value, bool):
            raise ConfigError(f"{where} must be true or false (got {value!r})")
        return value
    if kind is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"{where} must be a whole number (got {value!r})")
        if bounded:
            bounds.check(where, value)
        return value
    if kind is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)) \
                or not math.isfinite(value):
            raise ConfigError(f"{where} must be a finite number (got {value!r})")
        if bounded:
            bounds.check(where, float(value))
        return float(value)
    if kind is str:
        if not isinstance(value, str):
            raise ConfigError(f"{where} must be a string (got {value!r})")
        return value
    if kind is dict:
        if not isinstance(value, dict):
            raise ConfigError(f"{where} must be a table (got {value!r})")
        return value
    if dataclasses.is_dataclass(kind):
        return from_table(kind, value, _section(where))
    if kind is object or kind is typing.Any:
        return value
    raise TypeError(f"{where}: no rule to check values of type {kind!r}")


def _distribution(table: dict, where: str):
    name = table.get("distribution")
    if name not in DISTRIBUTIONS:
        raise ConfigError(f"{where} distribution must be one of {', '.join(DISTRIBUTIONS)} "
                          f"(got {name!r})")
    rest = {k: v for k, v in table.items() if k != "distribution"}
    return from_table(DISTRIBUTIONS[name], rest, _section(where))


def _section(where: str) -> str:
    """'[faults] dead_links[0]' -> 'faults.dead_links[0]': the name of a nested table."""
    return where[1:].replace("] ", ".", 1) if where.startswith("[") else where


def _describe(kind) -> str:
    names = {int: "a whole number", float: "a number", str: "a string", bool: "true or false",
             type(None): "absent"}
    parts = []
    for option in typing.get_args(kind):
        if option in DISTRIBUTIONS.values():
            if "a distribution table" not in parts:
                parts.append("a distribution table")
        else:
            parts.append(names.get(option, getattr(option, "__name__", str(option))))
    return " or ".join(parts)
