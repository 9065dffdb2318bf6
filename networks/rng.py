"""Counter-based random numbers: a pure function of (seed, stream, index, counter).

Every random draw of a network (a Poisson spike, a synapse, an initial value) is a hash of
where it is used, not the next number of a shared generator. So a neuron's draws do not
depend on which core or MPI rank simulates it, or in which order: the basis of identical
results on any number of ranks. The hash is SplitMix64's finaliser applied in a chain.
"""

import numpy as np
from numba import njit

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MUL1 = np.uint64(0xBF58476D1CE4E5B9)
_MUL2 = np.uint64(0x94D049BB133111EB)
_TO_UNIT = 1.0 / 9007199254740992.0  # 2**-53

# Stream kinds: the high bits of a stream identifier say what the draws are for.
POISSON = 1
INITIAL_VALUE = 2
CONNECTION = 3
WEIGHT = 4
DELAY = 5
ENCODER = 6


def stream(kind: int, item: int, detail: int = 0) -> int:
    """Stream identifier for draws of `kind` belonging to population or projection `item`."""
    return (kind << 56) | ((detail & 0xFF) << 48) | (item & 0xFFFF_FFFF_FFFF)


@njit(cache=True, inline="always")
def _mix(z):
    z = (z ^ (z >> np.uint64(30))) * _MUL1
    z = (z ^ (z >> np.uint64(27))) * _MUL2
    return z ^ (z >> np.uint64(31))


@njit(cache=True, inline="always")
def hash_prefix(seed, stream_id, index):
    """The part of `hash64` that the counter does not change: the draws of one neuron at
    every tick share it, so a kernel can keep it and hash only the counter."""
    h = _mix(np.uint64(seed) + _GOLDEN)
    h = _mix(h ^ (np.uint64(stream_id) + _GOLDEN))
    return _mix(h ^ (np.uint64(index) + _GOLDEN))


@njit(cache=True, inline="always")
def hash64(seed, stream_id, index, counter):
    """A 64-bit hash of four integers."""
    return _mix(hash_prefix(seed, stream_id, index) ^ (np.uint64(counter) + _GOLDEN))


@njit(cache=True, inline="always")
def uniform(seed, stream_id, index, counter):
    """A uniform double in [0, 1) from the hash of the four integers."""
    return np.float64(hash64(seed, stream_id, index, counter) >> np.uint64(11)) * _TO_UNIT


@njit(cache=True, inline="always")
def uniform_after(prefix, counter):
    """`uniform(seed, stream_id, index, counter)` from `hash_prefix(seed, stream_id, index)`."""
    h = _mix(np.uint64(prefix) ^ (np.uint64(counter) + _GOLDEN))
    return np.float64(h >> np.uint64(11)) * _TO_UNIT


def hash_prefixes(seed, stream_ids: np.ndarray, indices: np.ndarray) -> np.ndarray:
    """`hash_prefix` for each (stream, index) pair of two equal-length arrays, in NumPy
    (whose uint64 arithmetic wraps as the compiled one does): nothing to compile."""
    def mix(z):
        z = (z ^ (z >> np.uint64(30))) * _MUL1
        z = (z ^ (z >> np.uint64(27))) * _MUL2
        return z ^ (z >> np.uint64(31))
    with np.errstate(over="ignore"):
        h = mix(np.full(len(indices), np.uint64(seed), dtype=np.uint64) + _GOLDEN)
        h = mix(h ^ (np.asarray(stream_ids).astype(np.uint64) + _GOLDEN))
        return mix(h ^ (np.asarray(indices).astype(np.uint64) + _GOLDEN))


# |normal| <= sqrt(-2 ln 2**-53): the smallest 1 - u1 a 53-bit uniform can give.
NORMAL_MAX_ABS = float(np.sqrt(2 * 53 * np.log(2)))


@njit(cache=True, inline="always")
def normal(seed, stream_id, index, counter):
    """A standard normal double (Box-Muller on the draws `2 * counter` and `2 * counter + 1`)."""
    u1 = uniform(seed, stream_id, index, 2 * counter)
    u2 = uniform(seed, stream_id, index, 2 * counter + 1)
    return np.sqrt(-2.0 * np.log1p(-u1)) * np.cos(2.0 * np.pi * u2)


@njit(cache=True)
def uniform_array(seed, stream_id, indices, counters):
    """`uniform` for each (index, counter) pair of two equal-length int64 arrays."""
    out = np.empty(indices.size, dtype=np.float64)
    for k in range(indices.size):
        out[k] = uniform(seed, stream_id, indices[k], counters[k])
    return out


@njit(cache=True)
def normal_array(seed, stream_id, indices, counters):
    """`normal` for each (index, counter) pair of two equal-length int64 arrays."""
    out = np.empty(indices.size, dtype=np.float64)
    for k in range(indices.size):
        out[k] = normal(seed, stream_id, indices[k], counters[k])
    return out
