"""Routing-table compression: every key that reaches a router keeps its route, structured
tables shrink, and a table that cannot fit even compressed is refused naming the router."""

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import chips
from networks import FixedProbability, IFCurrExp, Network, SpikeSourcePoisson
from simulator import MappingError, MappingOptions, map_network
from simulator.mapping.compress import (Table, _cover, _meets, _split, compress, lookup,
                                        router_table)

LOW_BITS = 2           # each entry matches 4 keys, as a slice of 4 neurons
SPACE = 1 << 10        # the keys the tests enumerate


@st.composite
def tables(draw):
    """Entries on distinct key blocks with a few routes, and blocks default routing carries
    through (protected: they must match nothing)."""
    blocks = draw(st.lists(st.integers(0, SPACE // 4 - 1), min_size=1, max_size=60,
                           unique=True))
    n_protected = draw(st.integers(0, len(blocks) // 3))
    n_routes = draw(st.integers(1, 4))
    routes = draw(st.lists(st.integers(0, n_routes - 1), min_size=len(blocks) - n_protected,
                           max_size=len(blocks) - n_protected))
    keys = np.array(blocks, dtype=np.int64) << LOW_BITS
    mask = 0xFFFF_FFFF ^ ((1 << LOW_BITS) - 1)
    entries = keys[n_protected:]
    table = Table(entries, np.full(len(entries), mask, dtype=np.int64),
                  np.array(routes, dtype=np.int64))
    return table, keys[:n_protected], np.full(n_protected, mask, dtype=np.int64)


@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(tables())
def test_every_key_reaching_the_router_routes_as_before(case):
    table, protected_key, protected_mask = case
    small = compress(table, protected_key, protected_mask)
    assert len(small) <= len(table)
    keys = np.arange(SPACE, dtype=np.int64)
    before = lookup(table, keys)
    reaching = (before >= 0) | np.isin(keys >> LOW_BITS, protected_key >> LOW_BITS)
    np.testing.assert_array_equal(lookup(small, keys[reaching]), before[reaching])


def test_structured_tables_shrink_to_one_entry_per_route():
    """256 slices whose route depends on the top bits of their key (as for populations
    placed together) need one entry per route; with every other block default-routed
    through, the merge must stop short of those keys."""
    keys = np.arange(256, dtype=np.int64) << 4
    table = Table(keys, np.full(256, 0xFFFF_FFF0, dtype=np.int64), keys >> 9)
    assert len(compress(table)) == 8
    passing = np.arange(256, 512, dtype=np.int64) << 4
    small = compress(table, passing, np.full(256, 0xFFFF_FFF0, dtype=np.int64))
    assert len(small) == 8
    assert (lookup(small, passing) == -1).all()
    assert len(compress(table, target=100)) <= 100


def layered_machine(table_entries):
    machine = chips.spinnaker1(4, 4, wrap=True, layout="rectangle")
    router = replace(machine.chip.router, table_entries=table_entries)
    return replace(machine, chip=replace(machine.chip, router=router))


def network():
    net = Network()
    src = net.add_population("src", 400, SpikeSourcePoisson())
    dst = net.add_population("dst", 400, IFCurrExp())
    net.connect(src, dst, FixedProbability(0.05), weight=0.1)
    return net


def test_mapping_compresses_every_router_and_keeps_the_routes_of_arriving_keys():
    """Slices spread one per chip (as fine as placement can make them) leave tables that
    merge; every key of a slice whose tree reaches a router keeps its route there, and the
    keys default routing carries through still match nothing."""
    mapping = map_network(network(), layered_machine(10_000), MappingOptions(8, "spread"))
    sizes = mapping.table_sizes
    assert (sizes.after <= sizes.before).all() and (sizes.after < sizes.before).any()
    slices, keys, tables = mapping.slices, mapping.keys, mapping.tables
    for chip in range(mapping.machine.n_chips):
        table, pk, pm = router_table(mapping.entries, chip)
        small, _, _ = router_table(mapping.compressed, chip)
        here = tables.slice[(tables.chip == chip) & ~tables.default_routed]
        arriving = np.concatenate([keys.base[s] + np.arange(slices.size[s]) for s in here]
                                  + [np.empty(0, np.int64)]).astype(np.int64)
        np.testing.assert_array_equal(lookup(small, arriving), lookup(table, arriving))
        assert (lookup(table, arriving) >= 0).all()
        assert (lookup(small, pk) == -1).all()


def test_a_table_too_big_even_compressed_is_refused_naming_the_router():
    mapping = map_network(network(), layered_machine(1), MappingOptions(8, "spread"))
    with pytest.raises(MappingError, match=r"the routing table of chip \(\d, \d\) needs \d+ "
                                           r"entries even compressed \(from \d+\) but the "
                                           r"router holds 1"):
        mapping.check_tables()


def _members_case(pairs):
    """Entries of 4 open low bits (key under its mask), the upper bits fixed at 0."""
    high = 0xFFFF_FFF0
    key = np.array([k & m for k, m in pairs], dtype=np.int64)
    mask = np.array([high | m for _, m in pairs], dtype=np.int64)
    return key, mask, np.arange(len(pairs), dtype=np.int64)


def test_a_merge_whose_open_bit_is_a_dont_care_still_narrows():
    """Entry 0 ignores bit 0, entry 1 fixes it at 0; a conflicting entry wants bit 0 = 1.
    Their keys agree on bit 0, so splitting them by key alone kept both and the
    narrowing never ended (a map of a random network hung)."""
    key, mask, members = _members_case([(0, 0b1110), (0, 0b1111)])
    k, m = _cover(key, mask, members)
    assert _meets(k, m, 1, 1)
    np.testing.assert_array_equal(_split(key, mask, members, m, 1, 1), [1])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 15), st.integers(0, 15)), min_size=2, max_size=6),
       st.integers(0, 15), st.integers(1, 15))
def test_narrowing_against_a_conflicting_entry_always_drops_a_member(pairs, ck, cm):
    key, mask, members = _members_case(pairs)
    k, m = _cover(key, mask, members)
    assume(_meets(k, m, ck & cm, 0xFFFF_FFF0 | cm) and (~m & cm & 0xF))
    kept = _split(key, mask, members, m, ck & cm, 0xFFFF_FFF0 | cm)
    assert kept.size < members.size and np.isin(kept, members).all()
