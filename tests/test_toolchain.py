"""Against the SpiNNaker toolchain (sPyNNaker + PACMAN 1!7.4.1), from the output stored by
benchmarks/toolchain_compare.py: neurochip's compressor on PACMAN's own tables, and
neurochip's keys, trees and merged tables on PACMAN's placement of the same networks."""

import json

import numpy as np
import pytest

import chips
from benchmarks.spynnaker_side import NETWORKS
from benchmarks.toolchain_compare import neurochip_network, pacman_placement
from simulator import MappingOptions, map_network
from simulator.mapping.compress import Table, compress, lookup

from .helpers import REPO

STORED = json.loads((REPO / "benchmarks" / "results" / "pacman_tables.json").read_text())[
    "figures"]
COMPARE = {case["network"]: case for case in json.loads(
    (REPO / "benchmarks" / "results" / "toolchain_compare.json").read_text())["figures"]["cases"]}


def keys_of(key, mask):
    """The first, last and a middle key of each key/mask pair."""
    free = ~mask & 0xFFFF_FFFF
    return np.concatenate([key, key | free, key | (free & 0x5555_5555)])


@pytest.mark.parametrize("network", sorted(STORED))
def test_compression_of_pacmans_tables_beats_pair_and_keeps_every_route(network):
    """PACMAN's uncompressed tables, default-routable entries left to default routing (their
    keys must match nothing): neurochip's compressor ends no larger than PACMAN's Pair
    compressor on every router, in total no larger than the better of Pair and ordered
    covering, and every key of every entry keeps its route."""
    stored = STORED[network]
    ours = 0
    for xy, rows in stored["tables"].items():
        entries = np.array([row[:3] for row in rows], dtype=np.int64).reshape(-1, 3)
        default = np.array([row[3] for row in rows], dtype=bool)
        table = Table(entries[~default, 0], entries[~default, 1], entries[~default, 2])
        small = compress(table, entries[default, 0], entries[default, 1])
        keys = keys_of(table.key, table.mask)
        np.testing.assert_array_equal(lookup(small, keys), lookup(table, keys))
        passing = keys_of(entries[default, 0], entries[default, 1])
        assert (lookup(small, passing) == -1).all()
        assert len(small) <= stored["pair"][xy], xy
        ours += len(small)
    assert ours <= min(sum(stored["pair"].values()), sum(stored["ordered_covering"].values()))


@pytest.mark.parametrize("network", sorted(STORED))
def test_tables_on_pacmans_placement_are_within_a_quarter_of_pacmans(network):
    """The same network, slices and placement as sPyNNaker's: neurochip's router entries
    (default-routed hops elided) and their compressed count are within 25 % of PACMAN's
    (its default-routable entries left out; compressed by the better of Pair and ordered
    covering), and what the benchmark stored."""
    spec = NETWORKS[network]
    net = neurochip_network(spec)
    machine = chips.spinnaker1()
    options = MappingOptions(spec["neurons_per_core"], "toolchain", slicing="full")
    slices = map_network(net, machine, options).slices
    given = pacman_placement(net, machine, slices, STORED[network]["placements"])
    mapping = map_network(net, machine, options, placement=given)
    pacman = COMPARE[network]["spynnaker"]
    before, after = mapping.table_sizes.before.sum(), mapping.table_sizes.after.sum()
    assert abs(before / pacman["entries_not_defaultable"] - 1) <= 0.25
    best = min(pacman["entries_pair"], pacman["entries_ordered_covering"])
    assert after <= 1.25 * best
    assert len(mapping.slices) == pacman["application_cores"]
    stored = STORED[network]["neurochip"]
    assert (before, after) == (stored["entries"], stored["entries_compressed"])


@pytest.mark.parametrize("network", sorted(STORED))
def test_the_toolchain_placer_puts_every_slice_on_pacmans_chip(network):
    spec = NETWORKS[network]
    net = neurochip_network(spec)
    machine = chips.spinnaker1()
    mapping = map_network(net, machine, MappingOptions(spec["neurons_per_core"], "toolchain",
                                                       slicing="full"))
    given = pacman_placement(net, machine, mapping.slices, STORED[network]["placements"])
    np.testing.assert_array_equal(mapping.placement.chip, given.chip)
