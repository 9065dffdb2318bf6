"""PyNN parameter values (numbers, arrays, random distributions, lazy arrays) as neurochip
values: constants, `Uniform`/`Normal` drawn by neurochip's counter-based streams, or arrays.

A PyNN `RandomDistribution` keeps its distribution and parameters but not its generator: the
draws are neurochip's, keyed by (seed, what they are for, which neuron or synapse), so that a
network gives the same numbers on any number of MPI ranks.
"""

import numpy as np
from pyNN.parameters import LazyArray
from pyNN.random import RandomDistribution

from networks import Normal, Uniform

from .errors import Unsupported

SUPPORTED_DISTRIBUTIONS = ("uniform", "normal", "normal_clipped_to_boundary")


def distribution(rd: RandomDistribution, what: str, scale: float = 1.0) -> Uniform | Normal:
    """The neurochip distribution of `rd` (values multiplied by `scale` > 0)."""
    p = rd.parameters
    if rd.name == "uniform":
        return Uniform(scale * float(p["low"]), scale * float(p["high"]))
    if rd.name == "normal":
        return Normal(scale * float(p["mu"]), scale * float(p["sigma"]))
    if rd.name == "normal_clipped_to_boundary":
        return Normal(scale * float(p["mu"]), scale * float(p["sigma"]),
                      scale * float(p["low"]), scale * float(p["high"]))
    hint = (" (normal_clipped redraws values outside its bounds; neurochip clips them: use "
            "'normal_clipped_to_boundary')" if rd.name == "normal_clipped" else "")
    raise Unsupported(f"{what}: RandomDistribution('{rd.name}') is not supported{hint}; "
                      f"use one of {', '.join(SUPPORTED_DISTRIBUTIONS)}")


def random_base(value) -> RandomDistribution | None:
    """The distribution of a lazy array that is only a distribution, else None."""
    if isinstance(value, RandomDistribution):
        return value
    if isinstance(value, LazyArray) and isinstance(value.base_value, RandomDistribution):
        if value.operations:
            raise Unsupported(f"a RandomDistribution transformed by arithmetic "
                              f"({len(value.operations)} operations) is not supported; give "
                              f"the distribution of the final values")
        return value.base_value
    return None


def per_neuron(value, size: int, what: str, scale: float = 1.0):
    """A number, a neurochip distribution, or an array of `size` numbers."""
    rd = random_base(value)
    if rd is not None:
        return distribution(rd, what, scale)
    array = value if isinstance(value, LazyArray) else LazyArray(value, shape=(size,))
    if array.is_homogeneous:
        number = array.evaluate(simplify=True)
        return scale * float(np.asarray(number).ravel()[0] if np.ndim(number) else number)
    return scale * np.asarray(array.evaluate(simplify=False), dtype=np.float64).ravel()


def homogeneous(value, what: str) -> float:
    """The one number of `value`, refusing anything that varies across neurons."""
    if random_base(value) is not None:
        raise Unsupported(f"{what}: a random value per neuron is not supported (neurochip's "
                          f"models take one value a population); split the population into "
                          f"populations of equal parameters")
    array = np.asarray(value.evaluate(simplify=True) if isinstance(value, LazyArray)
                       else value, dtype=np.float64)
    if array.size and not np.all(array == array.ravel()[0]):
        raise Unsupported(f"{what}: values that differ across neurons are not supported "
                          f"(neurochip's models take one value a population); split the "
                          f"population into populations of equal parameters")
    return float(array.ravel()[0]) if array.size else float("nan")
