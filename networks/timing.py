"""Times given in ms placed on the grid of ticks, one rule for each kind of time
(docs/conventions.md): a refractory period is rounded up to whole ticks (as NEST does), a
spike time falls in the tick that contains it (as Brian2 does). A time within 1e-9 (relative)
of a whole tick counts as whole; any other is moved, and `off_grid` says so."""

import warnings

import numpy as np

TOLERANCE = 1e-9


class TimingWarning(UserWarning):
    """A time that was not a whole number of ticks and was moved onto the grid."""


def _ticks(times_ms, timestep_ms: float) -> tuple[np.ndarray, np.ndarray]:
    """`times / timestep`, and the nearest whole number of ticks where within tolerance."""
    ratio = np.asarray(times_ms, dtype=np.float64) / timestep_ms
    nearest = np.rint(ratio)
    whole = np.abs(ratio - nearest) <= TOLERANCE * np.maximum(1.0, np.abs(ratio))
    return np.where(whole, nearest, ratio), whole


def ticks_up(duration_ms: float, timestep_ms: float) -> int:
    """A duration in whole ticks, rounded up (a refractory period lasts at least as long as
    asked, NEST's rule)."""
    ratio, _ = _ticks(duration_ms, timestep_ms)
    return int(np.ceil(ratio))


def tick_of(times_ms, timestep_ms: float) -> np.ndarray:
    """The tick that contains each time (int64): tick k holds [k, k + 1) timesteps."""
    ratio, _ = _ticks(times_ms, timestep_ms)
    return np.floor(ratio).astype(np.int64)


def off_grid_duration(field: str, duration_ms: float, timestep_ms: float) -> list[str]:
    """The sentence saying how a duration that is not whole ticks was rounded (none if whole)."""
    _, whole = _ticks(duration_ms, timestep_ms)
    if bool(whole):
        return []
    ticks = ticks_up(duration_ms, timestep_ms)
    return [f"{field} {duration_ms:g} ms is not a whole number of timesteps "
            f"({timestep_ms:g} ms); it is rounded up to {ticks} tick{'s' if ticks != 1 else ''} "
            f"({ticks * timestep_ms:g} ms)"]


def off_grid_times(field: str, times_ms: np.ndarray, timestep_ms: float) -> list[str]:
    """The sentence saying how many spike times were moved to the start of their tick."""
    times_ms = np.asarray(times_ms, dtype=np.float64)
    _, whole = _ticks(times_ms, timestep_ms)
    moved = int((~whole).sum())
    if moved == 0:
        return []
    shift = times_ms - tick_of(times_ms, timestep_ms) * timestep_ms
    return [f"{field}: {moved} of {times_ms.size} spike times are not whole timesteps "
            f"({timestep_ms:g} ms); each fires in the tick that contains it (moved earlier "
            f"by up to {float(shift[~whole].max()):.6g} ms)"]


def warn_off_grid(network, timestep_ms: float) -> None:
    """Warn once per population about every time of its model that `timestep_ms` moves."""
    for pop in network.populations:
        for sentence in pop.model.off_grid(timestep_ms):
            warnings.warn(f"population {pop.name}: {sentence}", TimingWarning, stacklevel=4)
