"""Connectors: which pre-synaptic neurons each post-synaptic neuron receives from.

Every connector generates the synapses of any range of post-synaptic neurons on its own,
drawing from counter-based streams keyed by the post neuron. So each MPI rank builds only the
synapses of the neurons it simulates, and gets the same ones whatever the split. Synapses come
sorted by post neuron, and by pre neuron within a post (the order of a row on the core).
"""

from abc import ABC, abstractmethod
from dataclasses import dataclass, field

import numpy as np
from numba import njit

from .errors import check
from .rng import uniform


class Connector(ABC):
    """Base of every connector."""

    name = ""

    def check_sizes(self, n_pre: int, n_post: int, same_population: bool) -> None:
        """Raise if this connector cannot join populations of these sizes."""

    @abstractmethod
    def connect(self, n_pre: int, post_start: int, post_stop: int, same_population: bool,
                seed: int, stream: int) -> tuple[np.ndarray, np.ndarray]:
        """(pre, post) index arrays (int64) of the synapses onto posts `post_start .. stop-1`."""

    def explicit_values(self, post_start: int, post_stop: int):
        """(weights, delays) of the synapses from `connect`, where the connector fixes them."""
        return None

    @abstractmethod
    def expected_synapses(self, n_pre: int, n_post: int, same_population: bool) -> float:
        """How many synapses `connect` makes for all posts, on average: for estimates made
        before anything is generated."""


@dataclass(frozen=True)
class AllToAll(Connector):
    """Every pre neuron onto every post neuron."""

    allow_self_connections: bool = True
    name = "all_to_all"

    def expected_synapses(self, n_pre, n_post, same_population):
        return n_pre * n_post - (min(n_pre, n_post) if same_population
                                 and not self.allow_self_connections else 0)

    def connect(self, n_pre, post_start, post_stop, same_population, seed, stream):
        post = np.repeat(np.arange(post_start, post_stop, dtype=np.int64), n_pre)
        pre = np.tile(np.arange(n_pre, dtype=np.int64), post_stop - post_start)
        if same_population and not self.allow_self_connections:
            keep = pre != post
            pre, post = pre[keep], post[keep]
        return pre, post


@dataclass(frozen=True)
class OneToOne(Connector):
    """Pre neuron i onto post neuron i."""

    name = "one_to_one"

    def check_sizes(self, n_pre, n_post, same_population):
        check(n_pre == n_post, "one_to_one", f"join populations of equal size ({n_pre} pre)",
              n_post)

    def expected_synapses(self, n_pre, n_post, same_population):
        return min(n_pre, n_post)

    def connect(self, n_pre, post_start, post_stop, same_population, seed, stream):
        post = np.arange(post_start, post_stop, dtype=np.int64)
        return post.copy(), post


@dataclass(frozen=True)
class FixedProbability(Connector):
    """Each (pre, post) pair independently with probability `p_connect`."""

    p_connect: float
    allow_self_connections: bool = True
    name = "fixed_probability"

    def __post_init__(self):
        check(0.0 <= self.p_connect <= 1.0, "fixed_probability.p_connect", "be in [0, 1]",
              self.p_connect)

    def expected_synapses(self, n_pre, n_post, same_population):
        pairs = n_pre * n_post - (n_post if same_population and not
                                  self.allow_self_connections else 0)
        return self.p_connect * pairs

    def connect(self, n_pre, post_start, post_stop, same_population, seed, stream):
        if self.p_connect == 0.0 or n_pre == 0:
            empty = np.empty(0, dtype=np.int64)
            return empty, empty.copy()
        exclude_self = same_population and not self.allow_self_connections
        return _bernoulli_rows(n_pre, post_start, post_stop, self.p_connect, exclude_self,
                               np.uint64(seed), np.uint64(stream))


@dataclass(frozen=True)
class FixedInDegree(Connector):
    """Each post neuron receives from exactly `n` pre neurons, distinct unless
    `with_replacement`."""

    n: int
    allow_self_connections: bool = True
    with_replacement: bool = False
    name = "fixed_in_degree"

    def __post_init__(self):
        check(self.n >= 0, "fixed_in_degree.n", "be >= 0", self.n)

    def check_sizes(self, n_pre, n_post, same_population):
        available = n_pre - (1 if same_population and not self.allow_self_connections else 0)
        if not self.with_replacement:
            check(self.n <= available, "fixed_in_degree.n",
                  f"be at most the {available} distinct pre neurons available", self.n)
        else:
            check(available > 0 or self.n == 0, "fixed_in_degree.n",
                  "be 0 when no pre neuron is available", self.n)

    def expected_synapses(self, n_pre, n_post, same_population):
        return self.n * n_post

    def connect(self, n_pre, post_start, post_stop, same_population, seed, stream):
        exclude_self = same_population and not self.allow_self_connections
        return _fixed_in_degree_rows(n_pre, post_start, post_stop, self.n, exclude_self,
                                     self.with_replacement, np.uint64(seed), np.uint64(stream))


@dataclass(frozen=True)
class Convolution:
    """The structure of a convolution whose synapses a `FromList` lists (PyTorch's ConvNd):
    input [in_channels, *in_shape] to output [out_channels, *out_shape], neurons numbered in
    C order; each output channel sees `in_channels // groups` input channels through a
    kernel of `kernel` positions (padding as resolved, in positions per side). Mapping can
    store such a projection as one shared kernel instead of a synapse per pair."""

    in_channels: int
    out_channels: int
    kernel: tuple
    stride: tuple
    padding: tuple
    dilation: tuple
    groups: int
    in_shape: tuple
    out_shape: tuple

    @property
    def n_in(self) -> int:
        return self.in_channels * int(np.prod(self.in_shape))

    @property
    def n_out(self) -> int:
        return self.out_channels * int(np.prod(self.out_shape))

    @property
    def kernel_weights_per_channel(self) -> int:
        """Weights one output channel's kernel holds: its input channels x kernel size."""
        return self.in_channels // self.groups * int(np.prod(self.kernel))

    def channels_of(self, post_start, post_stop):
        """How many output channels posts `post_start .. post_stop - 1` (arrays) touch."""
        area = int(np.prod(self.out_shape))
        start, stop = np.asarray(post_start), np.asarray(post_stop)
        return np.where(stop > start, (stop - 1) // area - start // area + 1, 0)

    def most_channels(self, n):
        """The most output channels any `n` (array) neighbouring posts touch."""
        area = int(np.prod(self.out_shape))
        n = np.asarray(n, dtype=np.int64)
        return np.where(n >= 1, np.minimum(self.out_channels, -(-(n - 1) // area) + 1), 0)


@dataclass(frozen=True, eq=False)
class FromList(Connector):
    """Exactly the listed synapses: arrays of pre, post, weight and delay (in ticks);
    `convolution` describes their structure where they are a convolution's."""

    pre: np.ndarray
    post: np.ndarray
    weight: np.ndarray
    delay_ticks: np.ndarray
    convolution: Convolution | None = None
    _order: np.ndarray = field(init=False, repr=False)
    _sorted_post: np.ndarray = field(init=False, repr=False)
    name = "from_list"

    def __post_init__(self):
        arrays = {name: np.asarray(getattr(self, name)).ravel()
                  for name in ("pre", "post", "weight", "delay_ticks")}
        n = len(arrays["pre"])
        for name, array in arrays.items():
            check(len(array) == n, f"from_list.{name}", f"have {n} entries like pre", len(array))
        for name in ("pre", "post", "delay_ticks"):
            array = arrays[name]
            check(np.all(np.equal(np.mod(array, 1), 0)), f"from_list.{name}",
                  "hold whole numbers", array[np.mod(array, 1) != 0][:3].tolist())
        check(np.all(arrays["delay_ticks"] >= 1), "from_list.delay_ticks", "be >= 1",
              arrays["delay_ticks"].min(initial=1))
        too_big = ~(np.abs(arrays["weight"]) <= np.finfo(np.float32).max)
        check(not too_big.any(), "from_list.weight",
              "be finite and fit in single precision", arrays["weight"][too_big][:3].tolist())
        pre = arrays["pre"].astype(np.int64)
        post = arrays["post"].astype(np.int64)
        for name, value in (("pre", pre), ("post", post),
                            ("weight", arrays["weight"].astype(np.float64)),
                            ("delay_ticks", arrays["delay_ticks"].astype(np.int64))):
            value.setflags(write=False)
            object.__setattr__(self, name, value)
        order = np.lexsort((pre, post))
        sorted_post = post[order]
        for array in (order, sorted_post):
            array.setflags(write=False)
        object.__setattr__(self, "_order", order)
        object.__setattr__(self, "_sorted_post", sorted_post)

    def check_sizes(self, n_pre, n_post, same_population):
        for name, array, n in (("pre", self.pre, n_pre), ("post", self.post, n_post)):
            bad = (array < 0) | (array >= n)
            check(not bad.any(), f"from_list.{name}", f"index neurons in [0, {n})",
                  array[bad][:3].tolist())
        conv = self.convolution
        if conv is not None:
            check(isinstance(conv, Convolution), "from_list.convolution",
                  "be a Convolution or None", conv)
            check((conv.n_in, conv.n_out) == (n_pre, n_post), "from_list.convolution",
                  f"describe {n_pre} inputs and {n_post} outputs like the populations it "
                  f"joins", f"{conv.n_in} inputs and {conv.n_out} outputs")

    def _rows(self, post_start, post_stop):
        """Positions of the synapses onto posts `post_start .. post_stop - 1`, sorted by post
        then pre (the list is sorted once, so a slice costs only its own synapses)."""
        lo, hi = np.searchsorted(self._sorted_post, [post_start, post_stop])
        return self._order[lo:hi]

    def expected_synapses(self, n_pre, n_post, same_population):
        return len(self.pre)

    def connect(self, n_pre, post_start, post_stop, same_population, seed, stream):
        rows = self._rows(post_start, post_stop)
        return self.pre[rows], self.post[rows]

    def explicit_values(self, post_start, post_stop):
        rows = self._rows(post_start, post_stop)
        return self.weight[rows], self.delay_ticks[rows]


CONNECTORS: dict[str, type[Connector]] = {
    c.name: c for c in (AllToAll, OneToOne, FixedProbability, FixedInDegree, FromList)}


@njit(cache=True)
def _bernoulli_count(n_pre, post, p, exclude_self, seed, stream, out_pre, at):
    """Walk the pre neurons of `post` with geometric gaps; write them at `at` if `out_pre`
    has room, and return how many there are."""
    log_q = np.log1p(-p)
    i = -1
    k = 0
    count = 0
    while True:
        u = uniform(seed, stream, post, k)
        k += 1
        gap = 0.0 if p == 1.0 else np.floor(np.log1p(-u) / log_q)
        i += 1 + np.int64(min(gap, np.float64(n_pre)))
        if i >= n_pre:
            return count
        if exclude_self and i == post:
            continue
        if out_pre.size > 0:
            out_pre[at + count] = i
        count += 1


@njit(cache=True)
def _bernoulli_rows(n_pre, post_start, post_stop, p, exclude_self, seed, stream):
    """All (pre, post) pairs of independent Bernoulli(p) trials, by post then pre."""
    counts = np.zeros(post_stop - post_start, dtype=np.int64)
    nothing = np.empty(0, dtype=np.int64)
    for post in range(post_start, post_stop):
        counts[post - post_start] = _bernoulli_count(n_pre, post, p, exclude_self, seed,
                                                     stream, nothing, 0)
    total = counts.sum()
    pre = np.empty(total, dtype=np.int64)
    posts = np.empty(total, dtype=np.int64)
    at = 0
    for post in range(post_start, post_stop):
        c = _bernoulli_count(n_pre, post, p, exclude_self, seed, stream, pre, at)
        posts[at:at + c] = post
        at += c
    return pre, posts


@njit(cache=True)
def _fixed_in_degree_rows(n_pre, post_start, post_stop, n, exclude_self, with_replacement,
                          seed, stream):
    """`n` pre neurons for every post (Floyd's sampling without replacement), sorted."""
    n_posts = post_stop - post_start
    pre = np.empty(n_posts * n, dtype=np.int64)
    posts = np.empty(n_posts * n, dtype=np.int64)
    available = n_pre - 1 if exclude_self else n_pre
    chosen = np.zeros(max(available, 1), dtype=np.bool_)
    row = np.empty(n, dtype=np.int64)
    for post in range(post_start, post_stop):
        if with_replacement:
            for k in range(n):
                row[k] = np.int64(uniform(seed, stream, post, k) * available)
        else:
            k = 0
            for t in range(available - n, available):
                r = np.int64(uniform(seed, stream, post, k) * (t + 1))
                pick = t if chosen[r] else r
                chosen[pick] = True
                row[k] = pick
                k += 1
            for k in range(n):
                chosen[row[k]] = False
        row.sort()
        if exclude_self:
            for k in range(n):
                if row[k] >= post:
                    row[k] += 1
        at = (post - post_start) * n
        for k in range(n):  # a loop, not a slice assignment: no shape check to compile
            pre[at + k] = row[k]
            posts[at + k] = post
    return pre, posts
