"""Conversions that library networks share."""

from ..errors import check


def delay_in_ticks(delay_ms: float, timestep_ms: float, field: str) -> int:
    """A delay in whole ticks; it must be at least one tick and close to a multiple of one."""
    ticks = round(delay_ms / timestep_ms)
    check(ticks >= 1, field, f"be at least one timestep ({timestep_ms:g} ms)", delay_ms)
    check(abs(ticks * timestep_ms - delay_ms) <= 1e-9 * max(1.0, delay_ms), field,
          f"be a whole number of timesteps ({timestep_ms:g} ms)", delay_ms)
    return ticks
