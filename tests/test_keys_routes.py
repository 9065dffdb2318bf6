"""Keys, routes and tables as PACMAN makes them: every slice's keys lie under its
population's mask, no two populations' key spaces overlap, and the router tables, merged
and compressed, route every slice's packets along exactly its tree to exactly its target
cores (checked by following the tables hop by hop, default routing included)."""

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import chips
from networks import FixedProbability, IFCurrExp, Network, SpikeSourcePoisson
from simulator import MappingOptions, map_network
from simulator.mapping.compress import Table, compress, lookup
from simulator.mapping.entries import follow

MACHINES = {"spinnaker1": lambda: chips.spinnaker1(3, 3, wrap=True, layout="rectangle"),
            "spinnaker1_board": chips.spinnaker1,
            "spinnaker2": lambda: chips.spinnaker2(2, 2)}


@st.composite
def scenarios(draw):
    """A random network of a few populations and projections, sliced and placed at random."""
    net = Network()
    n_pops = draw(st.integers(2, 6))
    pops = []
    for i in range(n_pops):
        size = draw(st.integers(1, 120))
        model = SpikeSourcePoisson(rate_hz=10.0) if i == 0 else IFCurrExp()
        pops.append(net.add_population(f"p{i}", size, model))
    for _ in range(draw(st.integers(1, 8))):
        a, b = draw(st.integers(0, n_pops - 1)), draw(st.integers(1, n_pops - 1))
        net.connect(pops[a], pops[b], FixedProbability(draw(st.sampled_from([0.01, 0.1, 1.0]))),
                    weight=0.1, delay_ticks=draw(st.sampled_from([1, 3, 20, 40])))
    machine = draw(st.sampled_from(sorted(MACHINES)))
    helpers = draw(st.booleans())
    options = MappingOptions(draw(st.integers(20, 40)) if helpers else draw(st.integers(8, 40)),
                             draw(st.sampled_from(["sequential", "spread", "graph"])),
                             synapse_cores=draw(st.integers(0, 2)) if helpers else 0,
                             delay_extensions=helpers and draw(st.booleans()))
    return net, MACHINES[machine](), options, draw(st.integers(0, 3))


def check_keys(mapping, net):
    keys, slices = mapping.keys, mapping.slices
    masks = keys.population_mask
    for s in range(len(slices)):
        neuron_keys = keys.base[s] + np.arange(slices.size[s], dtype=np.uint32)
        p = slices.population[s]
        assert ((neuron_keys & masks[p]) == keys.population_base[p]).all()
        assert ((neuron_keys & np.uint32(keys.mask)) == keys.base[s]).all()
    low = keys.population_base.astype(np.int64)
    high = low + (np.int64(1) << keys.population_bits)
    order = np.argsort(low)
    assert (high[order][:-1] <= low[order][1:]).all(), "population key spaces overlap"
    assert (low % (high - low) == 0).all(), "a key space is not aligned to its size"
    assert high.max() <= 1 << 32


def check_routes(mapping):
    """Every sender's packets, followed through the tables, take exactly its route."""
    senders = mapping.senders
    routes, keys, slices = senders.routes, senders.keys, senders.senders
    for s in range(len(slices)):
        if routes.core_ptr[s + 1] == routes.core_ptr[s]:
            continue
        for neuron in {0, int(slices.size[s]) - 1}:
            key = int(keys.base[s]) + neuron
            for tables in (mapping.entries, mapping.compressed):
                links, cores = follow(mapping.machine, tables, key, int(senders.chip[s]))
                np.testing.assert_array_equal(links, np.sort(routes.links_of(s)))
                np.testing.assert_array_equal(cores, routes.cores_of(s))


def check_helpers(mapping):
    """Helper cores sit on their slice's chip, on cores no one else uses, and take the
    packets: a slice with synapse cores receives none on its neuron core."""
    helpers, placement = mapping.helpers, mapping.placement
    cores_per_chip = mapping.machine.chip.cores
    np.testing.assert_array_equal(helpers.chip, placement.chip[helpers.serves])
    every = np.concatenate([placement.global_core(cores_per_chip),
                            helpers.global_core(cores_per_chip)])
    assert len(np.unique(every)) == len(every)
    assert not mapping.machine.system_cores().ravel()[every].any()
    split = np.unique(helpers.serves[helpers.role == 0])
    delivered = mapping.senders.routes.cores
    assert not np.isin(placement.global_core(cores_per_chip)[split], delivered).any()


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(scenarios())
def test_keys_nest_and_tables_route_every_packet_to_exactly_its_cores(scenario):
    net, machine, options, seed = scenario
    mapping = map_network(net, machine, options, seed=seed)
    check_keys(mapping, net)
    check_routes(mapping)
    check_helpers(mapping)
    sizes = mapping.table_sizes
    assert (sizes.after <= sizes.before).all()


def test_slices_sharing_a_route_share_one_entry_per_population():
    """Two populations of 8 slices each on one chip, all-to-all onto a third on the next
    chip: at every router each population needs one entry (its population mask), not one
    per slice."""
    net = Network()
    a = net.add_population("a", 64, SpikeSourcePoisson(rate_hz=5.0))
    b = net.add_population("b", 64, SpikeSourcePoisson(rate_hz=5.0))
    c = net.add_population("c", 16, IFCurrExp())
    net.connect(a, c, FixedProbability(1.0), weight=0.1)
    net.connect(b, c, FixedProbability(1.0), weight=0.1)
    machine = chips.spinnaker2(2, 1, wrap=False)
    options = MappingOptions(8, "sequential", pins={"c": {"x": 1, "y": 0}})
    mapping = map_network(net, machine, options)
    entries = mapping.entries
    assert list(entries.per_chip()) == [2, 2]
    assert set(entries.mask.tolist()) == {int(m) for m in mapping.keys.population_mask[:2]}
    assert list(mapping.table_sizes.after) == [1, 1]  # same route: a and b merge
    check_routes(mapping)


def test_an_empty_table_matches_nothing():
    empty = Table(np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0, np.int64))
    np.testing.assert_array_equal(lookup(empty, [0, 5, 0xFFFF_FFFF]), [-1, -1, -1])
    assert len(compress(empty)) == 0


def test_merges_are_checked_against_aliases_not_the_wider_cover():
    """Route 0's 0000 and 1111 merge first, into XXXX at the bottom of the table; route 1's
    0101 and 0111 can then still merge into 01X1 above it, because of XXXX only 0000 and
    1111 reach the router: checking the cover itself would refuse and leave 3 entries."""
    key = np.array([0b0000, 0b1111, 0b0101, 0b0111], dtype=np.int64)
    table = Table(key, np.full(4, 0xF, dtype=np.int64), np.array([0, 0, 1, 1], dtype=np.int64))
    small = compress(table)
    np.testing.assert_array_equal(lookup(small, key), table.route)
    assert len(small) == 2
