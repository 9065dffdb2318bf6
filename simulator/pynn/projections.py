"""Projections: PyNN's connection sets as neurochip projections ("parts").

A projection between two whole populations with a common connector and a number or a
distribution for weight and delay is one neurochip projection, generated on each MPI rank
for its own neurons. Anything else (views, assemblies, lists, arrays, per-synapse values) is
explicit: pairs and values computed once here, one `FromList` part per pair of populations.

Weights follow sPyNNaker: the receptor decides excitation or inhibition and the weights of a
projection have one sign (positive, or negative as pyNN.nest writes inhibitory current
weights); `get` returns them with the sign they were given.
"""

from dataclasses import dataclass
from itertools import product

import numpy as np
from pyNN import common
from pyNN.space import Space

import networks
from networks import rng
from networks.distributions import draw

from . import simulator
from .connectors import check_supported, native, pairs
from .errors import Unsupported
from .simulator import state
from .synapses import StaticSynapse
from .values import per_neuron

EXPLICIT_STREAM = 1 << 40  # stream items of explicit pairs: beyond any projection index


@dataclass(frozen=True)
class Part:
    """One neurochip projection of a PyNN projection."""

    pre: object        # PyNN Population
    post: object
    connector: networks.Connector
    weight: object     # signed, in the post model's unit: number or distribution
    delay_ticks: object
    receptor: str


class Connection:
    """One connection of a projection: indices in its pre and post, weight and delay."""

    def __init__(self, pre, post, weight, delay):
        self.presynaptic_index, self.postsynaptic_index = int(pre), int(post)
        self.weight, self.delay = float(weight), float(delay)

    def as_tuple(self, *names):
        return tuple(getattr(self, name) for name in names)


class Projection(common.Projection):
    __doc__ = common.Projection.__doc__
    _simulator = simulator
    _static_synapse_class = StaticSynapse

    def __init__(self, presynaptic_population, postsynaptic_population, connector,
                 synapse_type=None, source=None, receptor_type=None, space=Space(),
                 label=None):
        state.check_unchanged("creating a Projection")
        super().__init__(presynaptic_population, postsynaptic_population, connector,
                         synapse_type, source, receptor_type, space, label)
        where = f"Projection {self.label!r}"
        self._where = where
        if type(self.synapse_type) is not StaticSynapse:
            raise Unsupported(f"{where}: {type(self.synapse_type).__name__} is not supported: "
                              f"neurochip models static synapses only; use StaticSynapse")
        if source is not None:
            raise Unsupported(f"{where}: source= is for multi-compartment cells, which "
                              f"neurochip does not have; leave it out")
        if self.receptor_type not in ("excitatory", "inhibitory"):
            raise Unsupported(f"{where}: receptor_type {self.receptor_type!r} is not "
                              f"supported; use 'excitatory' or 'inhibitory'")
        check_supported(connector, where)
        native_parameters = self.synapse_type.native_parameters
        native_parameters.shape = self.shape
        self._weight = native_parameters["weight"]
        self._delay = native_parameters["delay"]
        for name in ("weight", "delay"):
            _no_function(getattr(self, f"_{name}"), f"{where}.{name}")
        self._values = {}          # per-pair values given explicitly ("weight", "delay")
        self._index = len(state.projections)
        self._first_part = sum(p.n_parts for p in state.projections)
        self._native = None
        if _is_population(self.pre) and _is_population(self.post):
            self._native = native(connector, where)
        self._pairs = None
        if self._native is None:
            same = self.pre is self.post or np.array_equal(self.pre.all_cells,
                                                           self.post.all_cells)
            i, j, values = pairs(connector, self.pre.size, self.post.size, same,
                                 state.seed, self._stream(rng.CONNECTION), where)
            i, j, values = _drop_self(self, connector, i, j, values, same)
            self._pairs, self._values = (i, j), values
        else:
            self._native.check_sizes(self.pre.size, self.post.size, self.pre is self.post)
        self._check_values()
        state.projections.append(self)

    # --- what neurochip builds ------------------------------------------------------

    @property
    def n_parts(self) -> int:
        return len(_populations(self.pre)) * len(_populations(self.post))

    def parts(self) -> list[Part]:
        """The neurochip projections this projection becomes, in order."""
        if self._pairs is None and not self._values:
            return [Part(self.pre, self.post, self._native, self._signed(),
                         self._delay_ticks(), self.receptor_type)]
        i, j = self.connection_pairs()
        weight, delay_ms = self._explicit(i, j)
        signed = self._sign() * np.abs(weight)
        delay_ticks = self._ticks(delay_ms)
        pre_pop, pre_index = _owners(self.pre, i)
        post_pop, post_index = _owners(self.post, j)
        parts = []
        for a, b in product(_populations(self.pre), _populations(self.post)):
            keep = (pre_pop == a) & (post_pop == b)
            connector = networks.FromList(pre_index[keep], post_index[keep], signed[keep],
                                          delay_ticks[keep])
            parts.append(Part(state.populations[a], state.populations[b], connector, 0.0, 1,
                              self.receptor_type))
        return parts

    def connection_pairs(self) -> tuple[np.ndarray, np.ndarray]:
        """(pre, post) indices of every connection, sorted by post then pre."""
        if self._pairs is not None:
            return self._pairs
        synapses = self._native_synapses()
        return synapses.pre, synapses.post

    # --- PyNN's interface --------------------------------------------------------------

    def __len__(self):
        return len(self.connection_pairs()[0])

    def size(self, gather=True):
        return len(self)

    def __getitem__(self, i):
        pre, post, weight, delay = self._table()
        return Connection(pre[i], post[i], weight[i], delay[i])

    @property
    def connections(self):
        return [Connection(*row) for row in zip(*self._table())]

    def _get_attributes_as_list(self, names):
        columns = dict(zip(("presynaptic_index", "postsynaptic_index", "weight", "delay"),
                           self._table()))
        for name in names:
            if name not in columns:
                raise Unsupported(f"{self._where}: a static synapse has no attribute "
                                  f"{name!r}; ask for weight or delay")
        return list(zip(*(columns[name].tolist() for name in names)))

    def _get_attributes_as_arrays(self, names, multiple_synapses="sum"):
        pre, post, weight, delay = self._table()
        combine = {"sum": np.add, "min": np.fmin, "max": np.fmax}
        out = []
        for name in names:
            values = {"weight": weight, "delay": delay}[name.rstrip("s")]
            array = np.full(self.shape, np.nan)
            if multiple_synapses in combine:
                seen = np.zeros(self.shape, dtype=bool)
                seen[pre, post] = True
                start = 0.0 if multiple_synapses == "sum" else np.nan
                array[seen] = start
                combine[multiple_synapses].at(array, (pre, post), values)
            elif multiple_synapses == "first":
                array[pre[::-1], post[::-1]] = values[::-1]
            else:
                array[pre, post] = values
            out.append(array)
        return out

    def _set_attributes(self, parameter_space):
        state.check_unchanged(f"{self._where}.set()")
        for name, value in parameter_space.items():
            if name not in ("weight", "delay"):
                raise Unsupported(f"{self._where}: a static synapse has no attribute "
                                  f"{name!r}; set weight or delay")
            _no_function(value, f"{self._where}.{name}")
            if value.is_homogeneous or _random(value):
                setattr(self, f"_{name}", value)
                self._values.pop(name, None)
            else:
                i, j = self.connection_pairs()
                self._pairs = (i, j)
                self._values[name] = np.asarray(value.evaluate(simplify=False),
                                                dtype=np.float64)[i, j]
        self._check_values()

    # --- values --------------------------------------------------------------------------

    def _stream(self, kind: int) -> int:
        return rng.stream(kind, EXPLICIT_STREAM + self._index)

    def _table(self):
        """(pre, post, weight, delay) arrays of every connection, in PyNN's units."""
        if self._pairs is None and not self._values:
            synapses = self._native_synapses()
            return (synapses.pre, synapses.post,
                    self._user_sign() * np.abs(synapses.weight.astype(np.float64)),
                    synapses.delay_ticks * state.dt)
        i, j = self.connection_pairs()
        weight, delay_ms = self._explicit(i, j)
        signed = self._sign() * np.abs(weight)
        stored = np.abs(signed.astype(np.float32).astype(np.float64))
        return i, j, self._user_sign() * stored, self._ticks(delay_ms) * state.dt

    def _native_synapses(self):
        part = self.parts()[0]
        pre = networks.Population("pre", self.pre.size, None, index=0)
        post = pre if self.pre is self.post else \
            networks.Population("post", self.post.size, None, index=1)
        projection = networks.Projection(pre, post, part.connector, part.weight,
                                         part.delay_ticks, part.receptor, self._first_part)
        return networks.synapses(projection, state.seed)

    def _explicit(self, i, j):
        """Weights (as given) and delays (ms) of explicit pairs."""
        out = []
        for name, kind in (("weight", rng.WEIGHT), ("delay", rng.DELAY)):
            if name in self._values:
                out.append(np.asarray(self._values[name], dtype=np.float64))
                continue
            given = self._value(name)
            if isinstance(given, np.ndarray):
                out.append(given[i, j])
            else:
                out.append(draw(given, state.seed, self._stream(kind), j, _position(j)))
        return out

    def _value(self, name):
        value = getattr(self, f"_{name}")
        if not (value.is_homogeneous or _random(value)):
            return np.asarray(value.evaluate(simplify=False), dtype=np.float64)
        return per_neuron(value, 1, f"{self._where}.{name}")

    def _user_sign(self) -> float:
        """-1 where the weights were given negative, else +1."""
        value = self._values.get("weight")
        if value is None:
            value = self._value("weight")
        return -1.0 if _largest_magnitude(value) < 0 else 1.0

    def _sign(self) -> float:
        return -1.0 if self.receptor_type == "inhibitory" else 1.0

    def _signed(self):
        """The weight as neurochip takes it: signed by the receptor, in the same unit."""
        value = self._value("weight")
        sign = self._sign()
        if isinstance(value, networks.Uniform):
            low, high = sorted((abs(value.low), abs(value.high)))
            return networks.Uniform(low, high) if sign > 0 else networks.Uniform(-high, -low)
        if isinstance(value, networks.Normal):
            positive = value.low >= 0
            mean, low, high = (value.mean, value.low, value.high) if positive else \
                (-value.mean, -value.high, -value.low)
            return networks.Normal(sign * mean, value.std, *sorted((sign * low, sign * high)))
        return sign * abs(float(value))

    def _delay_ticks(self):
        """The delay in ticks: a whole number or a distribution (rounded per synapse)."""
        value = self._value("delay")
        if isinstance(value, networks.Uniform):
            self._check_delay(value.low)
            return networks.Uniform(value.low / state.dt, value.high / state.dt)
        if isinstance(value, networks.Normal):
            self._check_delay(value.low)
            return networks.Normal(value.mean / state.dt, value.std / state.dt,
                                   value.low / state.dt, value.high / state.dt)
        return int(self._ticks(np.array([float(value)]))[0])

    def _ticks(self, delay_ms: np.ndarray) -> np.ndarray:
        delay_ms = np.asarray(delay_ms, dtype=np.float64)
        if delay_ms.size:
            self._check_delay(float(np.min(delay_ms)))
        return np.rint(delay_ms / state.dt).astype(np.int64)

    def _check_delay(self, smallest_ms: float) -> None:
        if not smallest_ms >= 0.5 * state.dt:
            raise Unsupported(f"{self._where}: a delay of {smallest_ms:g} ms is below one "
                              f"timestep ({state.dt:g} ms), the shortest a spike can take; "
                              f"give delays >= {state.dt:g} ms (or clip the distribution)")

    def _check_values(self) -> None:
        """One sign for all weights of the projection; delays of at least a tick."""
        weights = self._values.get("weight")
        weights = self._value("weight") if weights is None else weights
        low, high = _extremes(weights)
        if low < 0 < high:
            raise Unsupported(f"{self._where}: weights of both signs (from {low:g} to "
                              f"{high:g}) in one projection are not supported: the receptor "
                              f"type decides excitation or inhibition (as in sPyNNaker); "
                              f"split it into an excitatory and an inhibitory projection")
        delays = self._values.get("delay")
        delays = self._value("delay") if delays is None else delays
        self._check_delay(_extremes(delays)[0])


def _no_function(value, where: str) -> None:
    if callable(value.base_value):
        raise Unsupported(f"{where}: values given as a function (of distance or of indices) "
                          f"are not supported; give a number, an array or a "
                          f"RandomDistribution")


def _random(value) -> bool:
    from pyNN.random import RandomDistribution
    return isinstance(value.base_value, RandomDistribution)


def _extremes(value) -> tuple[float, float]:
    if isinstance(value, networks.Uniform):
        return value.low, value.high
    if isinstance(value, networks.Normal):
        return (max(value.low, -np.inf if value.std else value.mean),
                min(value.high, np.inf if value.std else value.mean))
    array = np.asarray(value, dtype=np.float64)
    array = array[~np.isnan(array)]
    return (float(array.min()), float(array.max())) if array.size else (0.0, 0.0)


def _largest_magnitude(value) -> float:
    low, high = _extremes(value)
    return low if abs(low) > abs(high) else high


def _position(post: np.ndarray) -> np.ndarray:
    """Rank of each pair among those of its post neuron (`post` is sorted)."""
    if post.size == 0:
        return post.copy()
    starts = np.flatnonzero(np.r_[True, post[1:] != post[:-1]])
    return np.arange(post.size) - np.repeat(starts, np.diff(np.r_[starts, post.size]))


def _is_population(cells) -> bool:
    from .populations import Population
    return isinstance(cells, Population)


def _populations(cells) -> list[int]:
    """Indices (in state.populations) of the populations `cells` draws from, in order."""
    return sorted(set(_owners(cells, np.arange(cells.size))[0].tolist())) if cells.size \
        else []


def _owners(cells, index: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Population (index in state.populations) and index within it of cells `index`."""
    ids = np.asarray(cells.all_cells, dtype=np.int64)[index]
    firsts = np.array([int(p.first_id) for p in state.populations], dtype=np.int64)
    owner = np.searchsorted(firsts, ids, side="right") - 1
    return owner, ids - firsts[owner]


def _drop_self(projection, connector, i, j, values, same):
    """Drop pairs of a cell with itself where the connector forbids them and the pre and post
    cells overlap without being the same list (which the generator already handled)."""
    allow = getattr(connector, "allow_self_connections", True)
    if allow or same:
        return i, j, values
    pre_ids = np.asarray(projection.pre.all_cells, dtype=np.int64)[i]
    post_ids = np.asarray(projection.post.all_cells, dtype=np.int64)[j]
    keep = pre_ids != post_ids
    if not keep.all() and type(connector).__name__.startswith("FixedNumber"):
        raise Unsupported(f"Projection {projection.label!r}: {type(connector).__name__} with "
                          f"allow_self_connections=False between overlapping views is not "
                          f"supported; connect whole populations or allow self-connections")
    return i[keep], j[keep], {k: v[keep] for k, v in values.items()}
