"""`neurochip report --plots`: every plot written, non-empty, of its promised size."""

import struct

import numpy as np
import pytest
from matplotlib.image import imread

import chips
from chips.noc import ROUTER_QPES, SPINNAKER2_QPES
from simulator.reporting import plots
from simulator.reporting.load import read_result
from simulator.reporting.plots import SIZES_PX, core_cells, link_segments

from networks import AllToAll, LIF, Network, SpikeSourceArray
from .helpers import run_serial

from .test_report import files, report  # noqa: F401  (the module's result files fixture)


def png_size(path) -> tuple[int, int]:
    """Width and height from the PNG header (IHDR), read without any image library."""
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n" and head[12:16] == b"IHDR"
    return struct.unpack(">II", head[16:24])


@pytest.mark.parametrize("fidelity", ["timed", "functional"])
def test_every_plot_is_written_non_empty_and_of_its_size(files, capsys, tmp_path, fidelity):
    status, out, err = report(capsys, files[f"{fidelity}_state"], "--plots", tmp_path / "plots")
    assert status == 0, err
    expected = set(SIZES_PX) - ({"latency.png"} if fidelity == "functional" else set())
    written = {p.name for p in (tmp_path / "plots").iterdir()}
    assert written == expected
    for name in expected:
        path = tmp_path / "plots" / name
        assert f"wrote {path}" in out
        assert png_size(path) == SIZES_PX[name], name
        pixels = imread(path)
        assert pixels.shape[:2] == SIZES_PX[name][::-1]
        rgb = (pixels[..., :3] * 255).astype(np.int64)
        colours = np.unique(rgb[..., 0] << 16 | rgb[..., 1] << 8 | rgb[..., 2])
        assert len(colours) > 20, f"{name} is nearly blank"
        chroma = rgb.max(axis=2) - rgb.min(axis=2)          # 0 for white, black and greys
        assert np.count_nonzero(chroma > 40) > 500, f"{name} has no coloured data drawn"
    if fidelity == "functional":
        assert "latency.png not written: the result has no packet latencies" in out


def test_links_are_drawn_whole_or_as_two_halves_round_the_torus():
    topology = chips.spinnaker2(3, 3).topology
    rows = [{"link": i, "direction": int(d), "source_x": int(topology.chip_xy[s][0]),
             "source_y": int(topology.chip_xy[s][1]), "target_x": int(topology.chip_xy[t][0]),
             "target_y": int(topology.chip_xy[t][1])}
            for i, (s, d, t) in enumerate(zip(topology.link_source, topology.link_direction,
                                              topology.link_target))]
    arrows, owner = link_segments(rows)
    assert len(rows) == 9 * 6
    # wrapping links: 3 leave east, 3 west, 3 north, 3 south, 5 north-east, 5 south-west
    assert len(arrows) == 54 + 22
    assert sorted(set(owner.tolist())) == list(range(54))
    for link in np.nonzero(np.bincount(owner) == 1)[0]:
        start, vector = arrows[owner == link][0, :2], arrows[owner == link][0, 2:]
        row = rows[link]
        middle = start + vector / 2
        assert np.hypot(*(middle - [(row["source_x"] + row["target_x"]) / 2,
                                    (row["source_y"] + row["target_y"]) / 2])) < 0.1


def test_spinnaker2_cores_sit_in_two_by_two_blocks_on_the_qpe_grid():
    column, row, width, height = core_cells(152, "qpe_mesh")
    assert (width, height) == (14, 12)
    assert len(set(zip(column.tolist(), row.tolist()))) == 152
    for qpe, (qx, qy) in enumerate(SPINNAKER2_QPES):
        cells = set(zip(column[4 * qpe:4 * qpe + 4].tolist(), row[4 * qpe:4 * qpe + 4].tolist()))
        assert cells == {(2 * (qx - 1) + i, 2 * (qy - 1) + j) for i in (0, 1) for j in (0, 1)}
    for qx, qy in ROUTER_QPES:
        assert not any((column // 2 == qx - 1) & (row // 2 == qy - 1))
    column, row, width, height = core_cells(18, "crossbar")
    assert (width, height) == (5, 4) and len(set(zip(column, row))) == 18


def drawn(name, result):
    """The figure of plot `name` (e.g. "link_traffic.png") of `result`, drawn in memory."""
    figure = plots._figure(name)
    assert getattr(plots, name.removesuffix(".png"))(figure, result, 10) is None
    return figure


def test_links_with_identical_counts_are_drawn_once_and_named_together(files):
    """The links out of one chip carry the same packets: one line per distinct series, its
    legend naming every link it stands for."""
    result = read_result(files["functional"])
    series = result.datasets["traffic/link_packets"]
    groups = plots.same_series(result)
    used = {int(i) for i in np.flatnonzero(series.sum(axis=0))}
    assert sorted(r["link"] for g in groups for r in g) == sorted(used)
    assert any(len(g) > 1 for g in groups), "the case must have identical series"
    for g in groups:
        assert all(np.array_equal(series[:, r["link"]], series[:, g[0]["link"]]) for r in g)
    firsts = [series[:, g[0]["link"]] for g in groups]
    assert all(not np.array_equal(a, b) for i, a in enumerate(firsts) for b in firsts[i + 1:])
    ax = drawn("link_traffic.png", result).axes[0]
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert len(labels) == min(len(groups), 10)
    for g, label in zip(groups, labels):
        if len(g) > 1:
            assert label.startswith(f"{len(g)} links, {g[0]['packets']} packets each")
    assert "drawn once" in ax.get_title()


def test_core_load_marks_unused_cores_and_numbers_every_core(files):
    result = read_result(files["timed"])
    figure = drawn("core_load.png", result)
    ax = figure.axes[0]
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "unused core (no slice)" in legend and "overran a tick" in legend
    assert "no core there (the router's place)" in legend
    numbers = sorted(int(t.get_text()) for t in ax.texts)
    assert numbers == sorted(list(range(152)) * 4)     # every core of the 2 x 2 chips


def test_raster_labels_sit_in_the_middle_of_one_neuron_populations():
    net = Network()
    for name in ("a", "b", "c"):
        net.add_population(name, 1, SpikeSourceArray(((1.0, 2.0),)))
    net.add_population("d", 4, SpikeSourceArray(((1.0,),) * 4))
    result = run_serial(net, chips.spinnaker2(1, 1), duration_ms=5.0, fidelity="functional")
    ax = drawn("spike_raster.png", result).axes[0]
    assert list(ax.get_yticks()) == [0.0, 1.0, 2.0, 4.5]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["a", "b", "c", "d"]


def test_state_plot_draws_every_recorded_variable(files):
    result = read_result(files["timed_state"])
    figure = drawn("state.png", result)
    assert [ax.get_ylabel() for ax in figure.axes] == ["exc.i_exc", "exc.v"]
    v = result.datasets["state/exc/v"]
    mean = next(line for line in figure.axes[1].get_lines() if line.get_label() == "mean")
    np.testing.assert_allclose(mean.get_ydata(), v.mean(axis=1))
    few = Network()
    few.add_population("cell", 2, LIF(i_offset_na=2.0), record=["v"])
    result = run_serial(few, chips.spinnaker2(1, 1), duration_ms=5.0, fidelity="functional")
    labels = [line.get_label() for line in drawn("state.png", result).axes[0].get_lines()]
    assert labels == ["neuron 0", "neuron 1"]
