"""Machine descriptions: preset facts, grid geometry and checks on construction."""

from dataclasses import replace

import numpy as np
import pytest

import chips
from chips import DIRECTIONS, MachineError, opposite
from chips.topology import BOARD48_COLUMNS


def test_presets_hold_the_published_facts():
    s2 = chips.spinnaker2()
    assert (s2.chip.cores, s2.chip.application_cores) == (152, 148)
    assert s2.chip.router.table_entries == 16_384
    assert s2.chip.core.performance_levels_hz == (150_000_000, 300_000_000)
    assert s2.chip.core.clock_hz == 300_000_000
    assert s2.chip.core.sram_bytes == 128 * 1024
    assert s2.chip.link.bandwidth_bps == 6_000_000_000
    assert s2.chip.packet_bits() == 40 and s2.chip.packet_bits(with_payload=True) == 72
    assert s2.chip.noc_hop_ps == 16_667                 # 5 cycles at 300 MHz
    assert s2.chip.link.serialisation_ps(40) == 16_000  # one 96-bit frame every 16 ns
    assert s2.chip.router.latency_ns == 10              # 4 stages at 400 MHz
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
    (lambda: chips.Core((1,), sram_bytes=10, data_bytes=20), "data_bytes"),
    (lambda: chips.Core((300, 150), sram_bytes=10, data_bytes=5), "performance_levels_hz"),
    (lambda: chips.Core((150, 300), 10, 5, performance_level=2), "performance_level"),
    (lambda: chips.Core((150,), 10, 5, dvfs_policy="fastest"), "dvfs_policy"),
    (lambda: replace(chips.spinnaker2().chip, core=replace(
        chips.spinnaker2().chip.core, performance_levels_hz=(300,), performance_level=0)),
     "core_sleep_w"),
    (lambda: replace(chips.spinnaker2(12, 6), boards="board48"), "boards"),
    (lambda: replace(chips.spinnaker2(), width=0), "width"),
    (lambda: replace(chips.spinnaker1(), wrap=True), "wrap"),
    (lambda: chips.preset("spinnaker3"), "preset"),
])
def test_impossible_values_are_refused_by_name(build, field):
    with pytest.raises(MachineError, match=field):
        build()


def test_board48_boards_tile_a_12_by_12_torus_in_three_boards():
    machine = replace(chips.spinnaker1(12, 12, wrap=True, layout="rectangle"), boards="board48")
    assert machine.n_boards == 3 and np.bincount(machine.chip_board).tolist() == [48] * 3
    topology = machine.topology
    first = [topology.chip_at[x, y] for x, (y0, y1) in enumerate(BOARD48_COLUMNS)
             for y in range(y0, y1)]
    assert (machine.chip_board[first] == machine.chip_board[0]).all()
    # a board-to-board link runs at the board-to-board rate, the others at the on-board one
    crossing = machine.link_board_to_board
    assert 0 < crossing.sum() < topology.n_links
    link = machine.chip.link
    np.testing.assert_array_equal(machine.link_bandwidth_bps,
                                  np.where(crossing, 125_000_000, 250_000_000))
    assert link.board_bandwidth_bps < link.bandwidth_bps
    np.testing.assert_array_equal(machine.link_serialisation_ps(40),
                                  np.where(crossing, 320_000, 160_000))


def test_a_frame_holds_one_packet_at_most():
    link = chips.Link(bandwidth_bps=6_000_000_000, frame_bits=96)
    assert [link.serialisation_ps(b) for b in (40, 96, 97, 168)] == [16_000, 16_000, 32_000,
                                                                    32_000]
    assert chips.Link(bandwidth_bps=6_000_000_000).serialisation_ps(40) == 6_667
