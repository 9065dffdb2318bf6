"""Machine descriptions: preset facts, grid geometry and checks on construction."""

from dataclasses import replace

import numpy as np
import pytest

import chips
from chips import DIRECTIONS, MachineError, opposite


def test_presets_hold_the_published_facts():
    s2 = chips.spinnaker2()
    assert (s2.chip.cores, s2.chip.application_cores) == (152, 152)
    assert s2.chip.router.table_entries == 16_384
    assert s2.chip.core.clock_hz in (150_000_000, 300_000_000)
    assert s2.chip.core.sram_bytes == 128 * 1024
    assert s2.chip.link.bandwidth_bps == 6_000_000_000
    assert s2.chip.packet_bits() == 32 and s2.chip.packet_bits(with_payload=True) == 64
    s1 = chips.spinnaker1()
    assert (s1.chip.cores, s1.chip.application_cores) == (18, 16)
    assert s1.chip.router.table_entries == 1_023
    assert s1.chip.packet_bits() == 40 and s1.chip.packet_bits(with_payload=True) == 72
    assert s1.n_chips == 48


def test_board48_has_the_spinnaker_board_shape():
    topology = chips.spinnaker1().topology
    columns = {x: sorted(y for cx, y in topology.chip_xy if cx == x) for x in range(8)}
    assert [len(c) for c in columns.values()] == [4, 5, 6, 7, 8, 7, 6, 5]
    assert columns[0] == [0, 1, 2, 3] and columns[7] == [3, 4, 5, 6, 7]


@pytest.mark.parametrize("machine", [chips.spinnaker2(4, 3), chips.spinnaker2(5, 5, wrap=False),
                                     chips.spinnaker1(), chips.spinnaker2(2, 2)])
def test_every_link_joins_neighbours_and_has_an_opposite(machine):
    t = machine.topology
    for link in range(t.n_links):
        src, dst, d = t.link_source[link], t.link_target[link], t.link_direction[link]
        (x, y), (tx, ty) = t.chip_xy[src], t.chip_xy[dst]
        dx, dy = DIRECTIONS[d]
        if machine.wrap:
            assert ((x + dx) % machine.width, (y + dy) % machine.height) == (tx, ty)
        else:
            assert (x + dx, y + dy) == (tx, ty)
        back = t.link_of[dst, opposite(d)]
        assert back >= 0 and t.link_target[back] == src


def test_link_counts():
    assert chips.spinnaker2(4, 3).topology.n_links == 6 * 12
    # A 3 x 2 rectangle without wrap: 4 horizontal, 3 vertical, 2 diagonal neighbour pairs.
    assert chips.spinnaker2(3, 2, wrap=False).topology.n_links == 2 * (4 + 3 + 2)
    assert chips.spinnaker2(1, 1).topology.n_links == 0


def test_shortest_paths_on_a_torus_wrap_around():
    t = chips.spinnaker2(8, 8).topology
    _, hops = t.shortest_paths(t.chip_index(0, 0))
    assert hops[t.chip_index(7, 7)] == 1  # (-1, -1) is one south-west hop
    assert hops[t.chip_index(4, 0)] == 4
    assert hops[t.chip_index(3, 5)] == 5  # (3, 5) and its image (-5, -3) both take 5 hops
    assert hops[t.chip_index(3, 6)] == 5  # the image (3, -2) takes 3 + 2


@pytest.mark.parametrize("build,field", [
    (lambda: chips.Link(bandwidth_bps=0), "bandwidth_bps"),
    (lambda: chips.Router(table_entries=0), "table_entries"),
    (lambda: chips.Core(clock_hz=1, sram_bytes=10, data_bytes=20), "data_bytes"),
    (lambda: replace(chips.spinnaker2(), width=0), "width"),
    (lambda: replace(chips.spinnaker1(), wrap=True), "wrap"),
    (lambda: chips.preset("spinnaker3"), "preset"),
])
def test_impossible_values_are_refused_by_name(build, field):
    with pytest.raises(MachineError, match=field):
        build()
