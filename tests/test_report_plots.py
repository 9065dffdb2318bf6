"""`neurochip report --plots`: every plot written, non-empty, of its promised size."""

import struct

import numpy as np
import pytest
from matplotlib.image import imread

import chips
from chips.noc import ROUTER_QPES, SPINNAKER2_QPES
from simulator.reporting.plots import SIZES_PX, core_cells, link_segments

from .test_report import files, report  # noqa: F401  (the module's result files fixture)


def png_size(path) -> tuple[int, int]:
    """Width and height from the PNG header (IHDR), read without any image library."""
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n" and head[12:16] == b"IHDR"
    return struct.unpack(">II", head[16:24])


@pytest.mark.parametrize("fidelity", ["timed", "functional"])
def test_every_plot_is_written_non_empty_and_of_its_size(files, capsys, tmp_path, fidelity):
    status, out, err = report(capsys, files[fidelity], "--plots", tmp_path / "plots")
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
