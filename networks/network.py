"""A network: populations of neurons and the projections between them."""

from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from . import rng
from .connectors import Connector
from .distributions import Normal, Uniform, draw
from .errors import NetworkError, check
from .models import NeuronModel

MAX_DELAY_TICKS = 65_535
MAX_WEIGHT = float(np.finfo(np.float32).max)


@dataclass(frozen=True, eq=False)
class Population:
    """`size` neurons of one `model`; `initial` sets state variables (constants,
    distributions or arrays of one value per neuron) before the first tick."""

    name: str
    size: int
    model: NeuronModel
    initial: dict = field(default_factory=dict)
    index: int = -1

    @property
    def is_source(self) -> bool:
        """Whether the population only emits spikes (a Poisson or spike-array source)."""
        return not self.model.receptors


@dataclass(frozen=True, eq=False)
class Projection:
    """Synapses from `pre` onto the `receptor` input of `post`, chosen by `connector`.

    `weight` is in the post model's weight unit, signed; `delay_ticks` >= 1. Either may be a
    distribution (drawn per synapse); a `FromList` connector brings its own.
    """

    pre: Population
    post: Population
    connector: Connector
    weight: float | Uniform | Normal = 0.0
    delay_ticks: int | Uniform | Normal = 1
    receptor: str = "excitatory"
    index: int = -1

    @property
    def label(self) -> str:
        return f"projection {self.index} ({self.pre.name} -> {self.post.name})"


class Synapses(NamedTuple):
    """Synapses of a projection onto a range of post neurons, sorted by post then pre."""

    pre: np.ndarray      # int64, index in the pre population
    post: np.ndarray     # int64, index in the post population
    weight: np.ndarray   # float32
    delay_ticks: np.ndarray  # int64, >= 1


class Network:
    """Populations and projections, checked as they are added."""

    def __init__(self, name: str = "network") -> None:
        self.name = name
        self.populations: list[Population] = []
        self.projections: list[Projection] = []
        self.recorded: dict[str, tuple[str, ...]] = {}

    def population(self, name: str) -> Population:
        for pop in self.populations:
            if pop.name == name:
                return pop
        raise NetworkError(f"population must be one of {[p.name for p in self.populations]} "
                           f"(got {name!r})")

    def add_population(self, name: str, size: int, model: NeuronModel,
                       initial: dict | None = None,
                       record: tuple[str, ...] | list[str] = ()) -> Population:
        """Add `size` neurons of `model` named `name`, recording the variables in `record`."""
        check(isinstance(name, str) and name.isidentifier(), "population name",
              "be a word of letters, digits and underscores", name)
        check(all(p.name != name for p in self.populations), "population name",
              "be unique in the network", name)
        check(isinstance(size, (int, np.integer)) and size >= 1, f"population {name}.size",
              "be a whole number >= 1", size)
        check(isinstance(model, NeuronModel), f"population {name}.model",
              "be a neuron model such as IFCurrExp()", model)
        model.check_size(int(size))
        pop = Population(name, int(size), model, {}, len(self.populations))
        pop.initial.update(_initial_values(pop, initial or {}))
        self.populations.append(pop)
        self.record(pop, record)
        return pop

    def initialize(self, population: Population, **values) -> None:
        """Set initial values of `population` (PyNN's `initialize(v=...)`): each a number, a
        distribution, or an array of one value per neuron."""
        self._check_member(population, "initialize")
        population.initial.update(_initial_values(population, values))

    def record(self, population: Population, variables: tuple[str, ...] | list[str]) -> None:
        """Record the state `variables` of `population` at the end of every tick (spikes are
        always recorded)."""
        self._check_member(population, "record")
        model = population.model
        for variable in variables:
            check(variable in model.state_variables, f"population {population.name}.record",
                  f"name state variables of {model.name} {model.state_variables}", variable)
        if variables:
            known = self.recorded.get(population.name, ())
            self.recorded[population.name] = tuple(dict.fromkeys(known + tuple(variables)))

    def _check_member(self, pop, role: str) -> None:
        check(isinstance(pop, Population) and 0 <= pop.index < len(self.populations)
              and self.populations[pop.index] is pop, role,
              "be a population of this network", getattr(pop, "name", pop))

    def connect(self, pre: Population, post: Population, connector: Connector,
                weight: float | Uniform | Normal = 0.0,
                delay_ticks: int | Uniform | Normal = 1,
                receptor: str = "excitatory") -> Projection:
        """Project `pre` onto `post` through `connector`."""
        label = f"projection {len(self.projections)}"
        for role, pop in (("pre", pre), ("post", post)):
            self._check_member(pop, f"{label}.{role}")
        check(not post.is_source, f"{label}.post", "not be a spike source", post.name)
        check(receptor in post.model.receptors, f"{label}.receptor",
              f"be one of {post.model.receptors} for model {post.model.name}", receptor)
        check(isinstance(connector, Connector), f"{label}.connector",
              "be a connector such as FixedProbability(0.1)", connector)
        connector.check_sizes(pre.size, post.size, pre.index == post.index)
        check(isinstance(weight, (int, float, Uniform, Normal)) and
              all(abs(bound) <= MAX_WEIGHT for bound in _bounds(weight)),
              f"{label}.weight", f"be a number or distribution within +-{MAX_WEIGHT:.3g} "
              f"(weights are stored in single precision)", weight)
        if isinstance(delay_ticks, (Uniform, Normal)):
            check(delay_ticks.low >= 1, f"{label}.delay_ticks",
                  "never draw below 1 tick (set low >= 1)", delay_ticks)
        else:
            check(isinstance(delay_ticks, (int, np.integer)) and
                  1 <= delay_ticks <= MAX_DELAY_TICKS, f"{label}.delay_ticks",
                  f"be a whole number of ticks in [1, {MAX_DELAY_TICKS}]", delay_ticks)
        projection = Projection(pre, post, connector, weight, delay_ticks, receptor,
                                len(self.projections))
        self.projections.append(projection)
        return projection

    @property
    def size(self) -> int:
        """Number of neurons in all populations."""
        return sum(p.size for p in self.populations)


def _initial_values(pop: Population, values: dict) -> dict:
    """`values` checked against the model of `pop`; arrays become read-only float64."""
    model, checked = pop.model, {}
    for variable, value in values.items():
        field = f"population {pop.name}.initial[{variable!r}]"
        check(variable in model.state_variables, f"population {pop.name}.initial",
              f"name state variables of {model.name} {model.state_variables}", variable)
        if isinstance(value, (Uniform, Normal)) or \
                isinstance(value, (int, float, np.integer, np.floating)) and \
                not isinstance(value, bool):
            check(isinstance(value, (Uniform, Normal)) or np.isfinite(value), field,
                  "be finite", value)
            checked[variable] = value if isinstance(value, (Uniform, Normal)) else float(value)
            continue
        try:
            array = np.array(value, dtype=np.float64)
        except (TypeError, ValueError):
            array = None
        check(array is not None and not isinstance(value, (str, bytes, bool)) and
              array.ndim == 1 and array.size == pop.size, field,
              f"be a number, a distribution or one value per neuron ({pop.size})",
              value if array is None else f"shape {array.shape}")
        check(bool(np.all(np.isfinite(array))), field, "hold finite values",
              array[~np.isfinite(array)][:3].tolist())
        array.setflags(write=False)
        checked[variable] = array
    return checked


def synapses(projection: Projection, seed: int, post_start: int = 0,
             post_stop: int | None = None) -> Synapses:
    """The synapses of `projection` onto post neurons `post_start .. post_stop - 1`.

    A pure function of (seed, projection index, post neuron): any split of the post range gives
    the same synapses.
    """
    post_stop = projection.post.size if post_stop is None else post_stop
    index = projection.index
    same_population = projection.pre.index == projection.post.index
    pre, post = projection.connector.connect(projection.pre.size, post_start, post_stop,
                                             same_population, seed,
                                             rng.stream(rng.CONNECTION, index))
    explicit = projection.connector.explicit_values(post_start, post_stop)
    if explicit is not None:
        weight, delay = explicit
    else:
        position = _position_in_row(post)
        weight = _per_synapse(projection.weight, seed, rng.WEIGHT, index, post, position)
        delay = _per_synapse(projection.delay_ticks, seed, rng.DELAY, index, post, position)
        delay = np.clip(np.rint(delay), 1, MAX_DELAY_TICKS)
    return Synapses(pre, post, np.asarray(weight, dtype=np.float32),
                    np.asarray(delay, dtype=np.int64))


def _per_neuron(values, size: int, field: str) -> np.ndarray:
    """`values` as a read-only float64 array of one finite number per neuron."""
    try:
        array = np.array(values, dtype=np.float64).ravel()
    except (TypeError, ValueError):
        raise NetworkError(f"{field} must hold numbers (got {str(values)[:60]})") from None
    check(array.size == size, field, f"hold one number per neuron ({size})", array.size)
    check(bool(np.isfinite(array).all()), field, "hold finite numbers",
          array[~np.isfinite(array)][:3].tolist())
    array.setflags(write=False)
    return array


def _bounds(value) -> tuple[float, ...]:
    """The values a weight can take at its extremes (a normal is clipped to its bounds,
    and otherwise reaches about ten standard deviations in practice)."""
    if isinstance(value, Uniform):
        return value.low, value.high
    if isinstance(value, Normal):
        spread = 10 * value.std
        return (max(value.low, value.mean - spread), min(value.high, value.mean + spread),
                value.mean)
    return (float(value),)


def _position_in_row(post: np.ndarray) -> np.ndarray:
    """Rank of each synapse among those of its post neuron (post is sorted)."""
    if post.size == 0:
        return post.copy()
    starts = np.flatnonzero(np.r_[True, post[1:] != post[:-1]])
    run_start = np.repeat(starts, np.diff(np.r_[starts, post.size]))
    return np.arange(post.size, dtype=np.int64) - run_start


def _per_synapse(value, seed, kind, projection_index, post, position):
    """Constant value, or a draw keyed by (post neuron, position in its row)."""
    if not isinstance(value, (Uniform, Normal)):
        return np.full(post.size, value, dtype=np.float64)
    return draw(value, seed, rng.stream(kind, projection_index), post, position)
