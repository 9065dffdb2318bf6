"""Random values for parameters that vary per neuron or per synapse."""

from dataclasses import dataclass

import numpy as np

from . import rng
from .errors import check


@dataclass(frozen=True)
class Uniform:
    """Uniform on [low, high)."""

    low: float
    high: float

    def __post_init__(self) -> None:
        check(self.high >= self.low, "Uniform.high", f"be >= low ({self.low})", self.high)

    def draw(self, seed: int, stream: int, indices: np.ndarray, counters: np.ndarray):
        u = rng.uniform_array(np.uint64(seed), np.uint64(stream), indices, counters)
        return self.low + (self.high - self.low) * u

    @property
    def largest(self) -> float:
        """No draw exceeds this."""
        return self.high


@dataclass(frozen=True)
class Normal:
    """Normal with `mean` and `std`, clipped to [low, high]."""

    mean: float
    std: float
    low: float = -np.inf
    high: float = np.inf

    def __post_init__(self) -> None:
        check(self.std >= 0, "Normal.std", "be >= 0", self.std)
        check(self.high >= self.low, "Normal.high", f"be >= low ({self.low})", self.high)

    def draw(self, seed: int, stream: int, indices: np.ndarray, counters: np.ndarray):
        z = rng.normal_array(np.uint64(seed), np.uint64(stream), indices, counters)
        return np.clip(self.mean + self.std * z, self.low, self.high)

    @property
    def largest(self) -> float:
        """No draw exceeds this: `rng.normal` never goes beyond `rng.NORMAL_MAX_ABS`."""
        return min(self.high, self.mean + self.std * rng.NORMAL_MAX_ABS)


Distribution = Uniform | Normal
DISTRIBUTIONS = {"uniform": Uniform, "normal": Normal}


def draw(value: "float | Distribution", seed: int, stream: int, indices: np.ndarray,
         counters: np.ndarray | None = None) -> np.ndarray:
    """Values for `indices`: the constant itself, or draws keyed by (seed, stream, index,
    counter), the counters being zero unless given."""
    indices = np.asarray(indices, dtype=np.int64)
    if not isinstance(value, (Uniform, Normal)):
        return np.full(indices.size, float(value), dtype=np.float64)
    counters = np.zeros_like(indices) if counters is None else \
        np.asarray(counters, dtype=np.int64)
    return value.draw(seed, stream, indices, counters)
