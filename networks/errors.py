"""The one error a network description raises: a value no network can have."""


class NetworkError(ValueError):
    """A network description that cannot be built; the message names the field and the fix."""


def check(ok: bool, field: str, requirement: str, value: object) -> None:
    """Raise `NetworkError` saying that `field` must meet `requirement` unless `ok`."""
    if not ok:
        raise NetworkError(f"{field} must {requirement} (got {value!r})")
