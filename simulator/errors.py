"""Errors of the simulator's boundary."""


class ConfigError(ValueError):
    """A config file or run option that cannot be used; the message names the key and fix."""


class MappingError(ValueError):
    """A network that cannot be mapped onto the machine as asked (it does not fit)."""


def check(ok: bool, field: str, requirement: str, value: object) -> None:
    """Raise `ConfigError` saying that `field` must meet `requirement` unless `ok`."""
    if not ok:
        raise ConfigError(f"{field} must {requirement} (got {value!r})")
