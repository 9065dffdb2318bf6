"""`--set section.key=value`: change a config value from the command line.

The value is written as in TOML (`200`, `0.1`, `true`, `"timed"`, `[1, 2]`, `{x = 0, y = 1}`);
a bare word such as `timed` is taken as a string, so that the shell needs no quotes.
Overrides are applied to the parsed document, which is then checked as a whole, and the
result file keeps the document as run (`toml_text`), overrides included.
"""

import datetime
import math
import re
import tomllib

from .errors import ConfigError

BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")
BARE_WORD = re.compile(r"^(?!(true|false|inf|nan)$)[A-Za-z_][A-Za-z0-9_./-]*$")


def with_overrides(text: str, overrides, source: str) -> str:
    """The config `text` with `overrides` applied, as TOML text."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"{source} is not valid TOML ({err}); fix the syntax there") from None
    return toml_text(apply_overrides(document, overrides))


def apply_overrides(document: dict, overrides) -> dict:
    """`document` with every `section.key=value` of `overrides` set in it, in order."""
    for override in overrides:
        path, value = _parse(override)
        table = document
        for depth, key in enumerate(path[:-1]):
            table = table.setdefault(key, {})
            if not isinstance(table, dict):
                raise ConfigError(f"--set {override}: {'.'.join(path[:depth + 1])} is a "
                                  f"value, not a table; set it whole or choose another key")
        table[path[-1]] = value
    return document


def _parse(override: str):
    name, equals, text = override.partition("=")
    path = name.strip().split(".")
    if not equals or len(path) < 2 or not all(BARE_KEY.match(k) for k in path):
        raise ConfigError(f"--set {override!r} must read section.key=value, for example "
                          f"--set run.duration_ms=200")
    if BARE_WORD.match(text.strip()):  # --set run.fidelity=functional: no shell quoting
        return path, text.strip()
    try:
        value = tomllib.loads(f"value = {text.strip()}")["value"]
    except tomllib.TOMLDecodeError:
        raise ConfigError(f"--set {override}: {text.strip()!r} is not a TOML value; write a "
                          f"number, true or false, a \"quoted string\", a [list] or an "
                          f"{{inline = table}}") from None
    return path, value


def toml_text(document: dict) -> str:
    """The TOML text of a parsed document (tables after plain keys, as TOML needs)."""
    lines: list[str] = []
    _table(document, [], lines)
    return "\n".join(lines).strip() + "\n"


def _table(table: dict, path: list[str], lines: list[str]) -> None:
    plain = {k: v for k, v in table.items() if not isinstance(v, dict)}
    if path and (plain or not table):
        lines.append(f"\n[{'.'.join(_key(k) for k in path)}]")
    lines += [f"{_key(k)} = {_value(v)}" for k, v in plain.items()]
    for key, value in table.items():
        if isinstance(value, dict):
            _table(value, path + [key], lines)


def _key(key: str) -> str:
    return key if BARE_KEY.match(key) else _value(key)


def _value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        escaped = value.replace("\\", "\\\\").replace('"', '\\"')
        escaped = "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in escaped)
        return f'"{escaped}"'
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, (int, datetime.date, datetime.time)):
        return value.isoformat() if not isinstance(value, int) else str(value)
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_key(k)} = {_value(v)}" for k, v in value.items()) + "}"
    raise ConfigError(f"a config value of type {type(value).__name__} cannot be written")
