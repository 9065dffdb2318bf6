"""Frames (images with values in [0, 1]) as input spikes: a rate (Poisson) or a latency code,
as snnTorch's `spikegen.rate` and `spikegen.latency` make them.

Frame k is shown for ticks k T .. (k + 1) T - 1 (T = `ticks_per_frame`); pixel i of a frame is
input neuron i (C-order, so a [C, H, W] frame feeds a NIR Input of shape [C, H, W]).

- rate: in each tick pixel i fires with probability min(gain x_i, 1) (a Bernoulli draw per
  tick: the discrete-time Poisson process of rate gain x_i per tick); draws are a hash of
  (seed, pixel, tick), so the spikes do not depend on anything else.
- latency: one spike per pixel and frame, brighter pixels first: with `linear`, at tick
  round((T - 1)(1 - x)) of the frame; otherwise at the RC charging time
  tau ln(x / (x - threshold)) ticks (a pixel at or below `threshold` never fires, and times
  past the frame are cut to its last tick).

Both return (times_ms, indices), the spike list a NIR Input node takes.
"""

import numpy as np

from . import rng
from .errors import NetworkError

ENCODERS = ("rate", "latency")


def _frames(frames) -> np.ndarray:
    x = np.asarray(frames)
    if x.ndim < 2 or x.shape[0] < 1 or not np.issubdtype(x.dtype, np.number):
        raise NetworkError(f"frames must be an array [frames, ...] of numbers (got "
                           f"{x.dtype} {x.shape})")
    x = x.reshape(x.shape[0], -1).astype(np.float64)
    if not np.all(np.isfinite(x)) or x.min() < 0 or x.max() > 1:
        raise NetworkError("frames must hold values in [0, 1] (scale the images first)")
    return x


def _check_ticks(ticks_per_frame):
    if not isinstance(ticks_per_frame, (int, np.integer)) or ticks_per_frame < 1:
        raise NetworkError(f"ticks_per_frame must be a whole number >= 1 (got "
                           f"{ticks_per_frame!r})")


def rate_spikes(frames, ticks_per_frame: int, timestep_ms: float, gain: float = 1.0,
                seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """The rate code of `frames` (module docstring)."""
    x = _frames(frames)
    _check_ticks(ticks_per_frame)
    if not gain >= 0:
        raise NetworkError(f"rate gain must be >= 0 (got {gain!r})")
    n_frames, pixels = x.shape
    tick = np.repeat(np.arange(n_frames * ticks_per_frame, dtype=np.int64), pixels)
    pixel = np.tile(np.arange(pixels, dtype=np.int64), n_frames * ticks_per_frame)
    p = np.minimum(gain * x[tick // ticks_per_frame, pixel], 1.0)
    u = rng.uniform_array(seed, rng.stream(rng.ENCODER, 0), pixel, tick)
    fire = u < p
    return tick[fire] * timestep_ms, pixel[fire]


def latency_spikes(frames, ticks_per_frame: int, timestep_ms: float, tau_ticks: float = 5.0,
                   threshold: float = 0.01, linear: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """The latency code of `frames` (module docstring)."""
    x = _frames(frames)
    _check_ticks(ticks_per_frame)
    if not (tau_ticks > 0 and 0 <= threshold < 1):
        raise NetworkError(f"latency tau_ticks must be > 0 and threshold in [0, 1) (got "
                           f"{tau_ticks!r}, {threshold!r})")
    frame, pixel = np.nonzero(x > threshold)
    value = x[frame, pixel]
    if linear:
        offset = np.rint((ticks_per_frame - 1) * (1.0 - value))
    else:
        offset = np.minimum(np.floor(tau_ticks * np.log(value / (value - threshold))),
                            ticks_per_frame - 1)
    tick = frame * ticks_per_frame + offset.astype(np.int64)
    order = np.lexsort((pixel, tick))
    return tick[order] * timestep_ms, pixel[order].astype(np.int64)
