"""Connectors: the statistics they promise, and independence from how posts are split."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from networks import (AllToAll, FixedInDegree, FixedProbability, FromList, IFCurrExp,
                      Network, NetworkError, Normal, OneToOne, SpikeSourcePoisson, Uniform,
                      synapses)


def project(connector, n_pre=200, n_post=150, same=False, **kwargs):
    net = Network()
    pre = net.add_population("pre", n_pre, IFCurrExp())
    post = pre if same else net.add_population("post", n_post, IFCurrExp())
    return net.connect(pre, post, connector, **kwargs)


def test_fixed_probability_count_is_binomial_and_uniform_over_pairs():
    p = 0.1
    syn = synapses(project(FixedProbability(p), 400, 300), seed=11)
    n, mean = 400 * 300, 400 * 300 * p
    assert abs(len(syn.pre) - mean) < 5 * np.sqrt(n * p * (1 - p))
    per_pre = np.bincount(syn.pre, minlength=400)
    per_post = np.bincount(syn.post, minlength=300)
    # Each count is Binomial(300 or 400, p): a chi-square-like check on their spread.
    assert abs(per_pre.var() / (300 * p * (1 - p)) - 1) < 0.25
    assert abs(per_post.var() / (400 * p * (1 - p)) - 1) < 0.25
    assert len(np.unique(syn.pre * 300 + syn.post)) == len(syn.pre)


def test_fixed_probability_without_self_connections():
    syn = synapses(project(FixedProbability(0.5, allow_self_connections=False), 100, same=True),
                   seed=2)
    assert not np.any(syn.pre == syn.post)
    assert abs(len(syn.pre) - 0.5 * 100 * 99) < 5 * np.sqrt(100 * 99 * 0.25)


@pytest.mark.parametrize("p", [0.0, 1.0])
def test_fixed_probability_extremes(p):
    syn = synapses(project(FixedProbability(p), 30, 20), seed=1)
    assert len(syn.pre) == round(p * 600)


@pytest.mark.parametrize("allow_self", [True, False])
def test_fixed_in_degree_gives_every_post_n_distinct_pres(allow_self):
    syn = synapses(project(FixedInDegree(37, allow_self_connections=allow_self), 120,
                           same=True), seed=4)
    assert np.all(np.bincount(syn.post, minlength=120) == 37)
    assert len(np.unique(syn.post * 120 + syn.pre)) == len(syn.pre)
    if not allow_self:
        assert not np.any(syn.pre == syn.post)
    # Pre neurons are drawn uniformly: every pre is chosen about 37 times.
    counts = np.bincount(syn.pre, minlength=120)
    assert abs(counts.mean() - 37) < 1e-9 and counts.std() < 12


def test_fixed_in_degree_taking_every_pre():
    syn = synapses(project(FixedInDegree(50), 50, 10), seed=1)
    np.testing.assert_array_equal(syn.pre, np.tile(np.arange(50), 10))


def test_all_to_all_and_one_to_one_are_exact():
    syn = synapses(project(AllToAll(allow_self_connections=False), 5, same=True), seed=0)
    assert len(syn.pre) == 20 and not np.any(syn.pre == syn.post)
    syn = synapses(project(OneToOne(), 7, 7), seed=0)
    np.testing.assert_array_equal(syn.pre, syn.post)


def test_from_list_keeps_its_weights_and_delays_sorted_by_post():
    connector = FromList([3, 1, 2, 0], [2, 0, 2, 1], [0.5, -1.0, 0.25, 2.0], [1, 4, 2, 3])
    syn = synapses(project(connector, 4, 3), seed=0)
    np.testing.assert_array_equal(syn.post, [0, 1, 2, 2])
    np.testing.assert_array_equal(syn.pre, [1, 0, 2, 3])
    np.testing.assert_array_equal(syn.weight, np.float32([-1.0, 2.0, 0.25, 0.5]))
    np.testing.assert_array_equal(syn.delay_ticks, [4, 3, 2, 1])


def test_random_weights_and_delays_follow_their_distributions():
    proj = project(FixedProbability(0.5), 300, 300, weight=Normal(2.0, 0.5),
                   delay_ticks=Uniform(1, 10))
    syn = synapses(proj, seed=9)
    assert abs(syn.weight.mean() - 2.0) < 0.01 and abs(syn.weight.std() - 0.5) < 0.01
    assert syn.delay_ticks.min() == 1 and syn.delay_ticks.max() == 10
    assert np.issubdtype(syn.delay_ticks.dtype, np.integer)


CONNECTORS = [FixedProbability(0.2), FixedProbability(0.05, allow_self_connections=False),
              FixedInDegree(9), FixedInDegree(12, with_replacement=True), AllToAll(),
              OneToOne()]


@settings(max_examples=60, deadline=None)
@given(connector=st.sampled_from(CONNECTORS), cuts=st.lists(st.integers(1, 79), max_size=5),
       seed=st.integers(0, 2**63 - 1))
def test_any_split_of_the_posts_gives_the_same_synapses(connector, cuts, seed):
    """What a rank generates for its own neurons is exactly its share of the whole."""
    proj = project(connector, 80, 80, same=True, weight=Normal(0.0, 1.0),
                   delay_ticks=Uniform(1, 8))
    whole = synapses(proj, seed)
    bounds = [0, *sorted(set(cuts)), 80]
    parts = [synapses(proj, seed, a, b) for a, b in zip(bounds[:-1], bounds[1:])]
    for field in range(4):
        np.testing.assert_array_equal(np.concatenate([p[field] for p in parts]), whole[field])


def test_different_seeds_give_different_connectivity():
    proj = project(FixedProbability(0.1))
    assert not np.array_equal(synapses(proj, 1).pre, synapses(proj, 2).pre)


@pytest.mark.parametrize("build,message", [
    (lambda: FixedProbability(1.5), "p_connect must be in \\[0, 1\\]"),
    (lambda: project(FixedInDegree(300), 200), "fixed_in_degree.n must be at most"),
    (lambda: project(OneToOne(), 5, 6), "one_to_one must join populations of equal size"),
    (lambda: project(FromList([0, 9], [0, 0], [1, 1], [1, 1]), 5, 5),
     "from_list.pre must index neurons in \\[0, 5\\)"),
    (lambda: FromList([0], [0], [1.0], [0]), "from_list.delay_ticks must be >= 1"),
    (lambda: project(AllToAll(), delay_ticks=0), "delay_ticks must be a whole number"),
    (lambda: project(AllToAll(), receptor="gaba"), "receptor must be one of"),
    (lambda: project(AllToAll(), weight=float("nan")), "weight must be a number or distribution"),
    (lambda: project(AllToAll(), weight=1e39), "stored in single precision"),
])
def test_bad_projections_are_refused_with_the_reason(build, message):
    with pytest.raises(NetworkError, match=message):
        build()


def test_a_source_cannot_receive_synapses():
    net = Network()
    a = net.add_population("a", 3, IFCurrExp())
    src = net.add_population("src", 3, SpikeSourcePoisson())
    with pytest.raises(NetworkError, match="post must not be a spike source"):
        net.connect(a, src, AllToAll())
