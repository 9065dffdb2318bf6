"""The one error a machine description raises: a value that no machine can have."""


class MachineError(ValueError):
    """A machine description that cannot exist; the message names the field and the fix."""


def check(ok: bool, field: str, requirement: str, value: object) -> None:
    """Raise `MachineError` saying that `field` must meet `requirement` unless `ok`."""
    if not ok:
        raise MachineError(f"{field} must {requirement} (got {value!r})")
