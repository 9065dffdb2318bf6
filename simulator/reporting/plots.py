"""PNG plots of a result: the chip grid with its links coloured by load, traffic over time of
the busiest links, the load of every core on its chip, a spike raster, the recorded state
variables, the latency histogram.

Drawn with matplotlib's object API on the Agg canvas (no pyplot, no global state, no
screen); every figure has a fixed size in pixels (`SIZES_PX`), so reports compare side by
side. matplotlib is the optional `plots` extra, imported only here.
"""

from pathlib import Path

import numpy as np
from matplotlib import colormaps
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import ListedColormap, Normalize
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from chips.noc import SPINNAKER2_QPES
from chips.topology import DIRECTIONS, DIRECTION_NAMES

from ..results import Result
from .files import write_atomically
from .power_plot import power_over_time
from .tables import core_rows, link_rows, population_order, timed

DPI = 100
SIZES_PX = {"chip_grid.png": (1200, 1000), "link_traffic.png": (1200, 700),
            "core_load.png": (1200, 1000), "spike_raster.png": (1200, 700),
            "state.png": (1200, 800), "latency.png": (1000, 600), "power.png": (1200, 800),
            "population_traffic.png": (1200, 700)}
MOST_LINES = 10          # traffic lines drawn at most, however large --top is
MOST_SPIKES = 200_000    # raster points drawn at most (every k-th spike beyond)
MOST_NUMBERED_COLUMNS = 60  # core-load picture columns that still fit a core number each
MOST_STATE_PANELS = 6    # recorded variables drawn at most
MOST_TRACES = 5          # neurons drawn one by one; beyond, the mean and range


def write_plots(result: Result, directory: Path, top: int = 10) -> tuple[list[Path], list[str]]:
    """Write every plot the result has data for into `directory` (created if missing).
    Returns the files written and a sentence for each plot left out, saying why."""
    directory.mkdir(parents=True, exist_ok=True)
    written, skipped = [], []
    drawers = {"chip_grid.png": chip_grid, "link_traffic.png": link_traffic,
               "core_load.png": core_load, "spike_raster.png": spike_raster,
               "state.png": state, "latency.png": latency,
               "power.png": lambda fig, res, top: power_over_time(fig, res, top, _title(res)),
               "population_traffic.png": population_traffic}
    for name, draw in drawers.items():
        figure = _figure(name)
        reason = draw(figure, result, top)
        if reason:
            skipped.append(f"{name} not written: {reason}")
            continue
        written.append(write_atomically(directory / name, lambda tmp, fig=figure: fig.savefig(
            tmp, format="png", dpi=DPI)))
    return written, skipped


def _figure(name: str) -> Figure:
    width, height = SIZES_PX[name]
    figure = Figure(figsize=(width / DPI, height / DPI), dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def _title(result: Result) -> str:
    a = result.attributes
    return f"{a.get('network', '')} on {a.get('machine', '')}, {a.get('fidelity', '')}"


def link_segments(rows: list[dict]) -> tuple[np.ndarray, np.ndarray]:
    """Arrows (start xy, vector) drawing each directed link, and the link each belongs to.

    A link runs from its chip one step in its direction, drawn a little to the right of its
    line so that the two directions between a pair of chips sit side by side. A link that
    wraps round the torus is drawn as two half arrows: leaving its source over one edge,
    arriving at its target from the opposite edge.
    """
    arrows, owner = [], []
    for row in rows:
        dx, dy = DIRECTIONS[row["direction"]]
        step = np.array([dx, dy], dtype=float)
        side = np.array([dy, -dx], dtype=float) / np.hypot(dx, dy) * 0.07
        source = np.array([row["source_x"], row["source_y"]], dtype=float)
        target = np.array([row["target_x"], row["target_y"]], dtype=float)
        if np.array_equal(source + step, target):
            arrows.append((*(source + 0.18 * step + side), *(0.64 * step)))
            owner.append(row["link"])
        else:
            arrows.append((*(source + 0.18 * step + side), *(0.32 * step)))
            arrows.append((*(target - 0.5 * step + side), *(0.32 * step)))
            owner += [row["link"], row["link"]]
    return np.array(arrows, dtype=float).reshape(-1, 4), np.array(owner, dtype=np.int64)


def chip_grid(figure: Figure, result: Result, top: int) -> str | None:
    rows = link_rows(result)
    chips = result.datasets["traffic/chips"]
    width = int(chips["x"].max()) + 1 if len(chips) else 1
    height = int(chips["y"].max()) + 1 if len(chips) else 1
    ax = figure.subplots()
    if timed(result):
        value = np.array([r["busy_fraction"] * 100 for r in rows])
        label = "link busy, % of the run"
    else:
        value = np.array([r["packets"] for r in rows], dtype=float)
        label = "packets over the run"
    if rows:
        arrows, owner = link_segments(rows)
        used = value[owner] > 0
        ax.quiver(*arrows[~used].T, angles="xy", scale_units="xy", scale=1, color="0.8",
                  width=0.003)
        norm = Normalize(0, max(float(value.max()), 1e-12))
        arrow_set = ax.quiver(*arrows[used].T, value[owner][used], angles="xy",
                              scale_units="xy", scale=1, cmap="inferno_r", norm=norm,
                              width=0.006)
        figure.colorbar(arrow_set, ax=ax, label=label, shrink=0.8)
    ax.scatter(chips["x"], chips["y"], s=900 if len(chips) <= 64 else 200, marker="s",
               facecolor="white", edgecolor="black", zorder=3)
    if len(chips) <= 64:
        for x, y in zip(chips["x"], chips["y"]):
            ax.text(x, y, f"{x},{y}", ha="center", va="center", fontsize=8, zorder=4)
    ax.set_xlim(-0.8, width - 0.2)
    ax.set_ylim(-0.8, height - 0.2)
    ax.set_aspect("equal")
    ax.set_xticks(range(width))
    ax.set_yticks(range(height))
    ax.set_xlabel("chip x")
    ax.set_ylabel("chip y")
    ax.set_title(f"{_title(result)}: {len(rows)} inter-chip links "
                 f"({', '.join(DIRECTION_NAMES)}), grey = unused; each drawn right of its "
                 f"direction", fontsize=10)
    return None


def link_traffic(figure: Figure, result: Result, top: int) -> str | None:
    shown = same_series(result)[:min(top, MOST_LINES)]
    if not shown:
        return "no packet crossed an inter-chip link"
    d = result.datasets
    series = d["traffic/link_packets"]
    edges_ms, lengths_ms = _window_edges_ms(result)
    ax = figure.subplots()
    for links in shown:
        per_ms = series[:, links[0]["link"]] / lengths_ms
        ax.stairs(per_ms, edges_ms, label=_links_label(links),
                  linewidth=1.5 if len(links) == 1 else 2.5)
    ax.set_xlabel("model time (ms)")
    ax.set_ylabel("packets per ms")
    ax.set_ylim(bottom=0)
    ax.legend(fontsize=8, loc="upper right")
    merged = sum(len(links) for links in shown)
    same = f"; links with the same count in every window drawn once ({merged} links)" \
        if merged > len(shown) else ""
    ax.set_title(f"{_title(result)}: the {len(shown)} busiest link series, per traffic "
                 f"window{same}", fontsize=10)
    return None


def population_traffic(figure: Figure, result: Result, top: int) -> str | None:
    """Inter-chip packets per ms of each source population, per traffic window."""
    d = result.datasets
    if "traffic/population_link_packets" not in d:
        return "the file does not record packets by source population (an older neurochip)"
    per_window = d["traffic/population_link_packets"].sum(axis=2)
    names = population_order(result)
    sending = sorted((p for p in range(len(names)) if per_window[:, p].sum() > 0),
                     key=lambda p: (-per_window[:, p].sum(), p))[:min(top, MOST_LINES)]
    if not sending:
        return "no packet crossed an inter-chip link"
    edges_ms, lengths_ms = _window_edges_ms(result)
    ax = figure.subplots()
    for p in sending:
        ax.stairs(per_window[:, p] / lengths_ms, edges_ms,
                  label=f"{names[p]}: {int(per_window[:, p].sum())} packets")
    ax.set_xlabel("model time (ms)")
    ax.set_ylabel("inter-chip packets per ms (link crossings)")
    ax.set_ylim(bottom=0)
    ax.legend(fontsize=8, loc="upper right")
    ax.set_title(f"{_title(result)}: inter-chip traffic by source population", fontsize=10)
    return None


def same_series(result: Result) -> list[list[dict]]:
    """The links that carried packets, grouped by identical counts in every window (the
    links out of one chip often carry the same packets), busiest group first."""
    series = result.datasets["traffic/link_packets"]
    groups: dict[bytes, list[dict]] = {}
    for r in sorted((r for r in link_rows(result) if r["packets"] > 0),
                    key=lambda r: (-r["packets"], r["link"])):
        groups.setdefault(series[:, r["link"]].tobytes(), []).append(r)
    return list(groups.values())


def _window_edges_ms(result: Result) -> tuple[np.ndarray, np.ndarray]:
    """The traffic windows' edges and lengths in model ms, for per-window stairs."""
    step_ms = result.attributes["timestep_ns"] / 1e6
    windows = result.datasets["traffic/window_ticks"]
    return (np.append(windows[:, 0], windows[-1, 1]) * step_ms,
            (windows[:, 1] - windows[:, 0]) * step_ms)


def _links_label(links: list[dict]) -> str:
    """Legend text for links that carried the same counts: their numbers and routes."""
    def route(r):
        return (f"({r['source_x']},{r['source_y']}) {r['direction_name']} -> "
                f"({r['target_x']},{r['target_y']})")
    if len(links) == 1:
        r = links[0]
        return f"link {r['link']}: {route(r)}, {r['packets']} packets"
    routes = "; ".join(route(r) for r in links[:3]) + \
        (f"; {len(links) - 3} more" if len(links) > 3 else "")
    return (f"{len(links)} links, {links[0]['packets']} packets each "
            f"({', '.join(str(r['link']) for r in links[:6])}"
            f"{', ...' if len(links) > 6 else ''}): {routes}")


def core_cells(cores: int, noc_layout: str) -> tuple[np.ndarray, np.ndarray, int, int]:
    """Column and row of each core in its chip's picture, and the picture's size in cells.

    SpiNNaker2's 152 PEs sit as 2 x 2 blocks on the 7 x 6 grid of quad-PEs (QPE qx, qy of
    `chips.noc`; the router holds the middle); other chips get a near-square grid."""
    if noc_layout == "qpe_mesh" and cores == 4 * len(SPINNAKER2_QPES):
        qpe = np.repeat(np.array(SPINNAKER2_QPES), 4, axis=0)
        pe = np.tile(np.arange(4), len(SPINNAKER2_QPES))
        return 2 * (qpe[:, 0] - 1) + pe % 2, 2 * (qpe[:, 1] - 1) + pe // 2, 14, 12
    side = int(np.ceil(np.sqrt(cores)))
    rows = int(np.ceil(cores / side))
    index = np.arange(cores)
    return index % side, rows - 1 - index // side, side, rows


def core_load(figure: Figure, result: Result, top: int) -> str | None:
    rows = core_rows(result)
    attrs = result.group_attributes.get("mapping", {})
    placed = max((r["core"] for r in rows), default=0) + 1
    cores = int(attrs.get("cores_per_chip", placed))
    column, row, cell_w, cell_h = core_cells(cores, str(attrs.get("noc_layout", "")))
    chips = result.datasets["traffic/chips"]
    width = int(chips["x"].max()) + 1 if len(chips) else 1
    height = int(chips["y"].max()) + 1 if len(chips) else 1
    picture = np.full((height * (cell_h + 1), width * (cell_w + 1)), np.nan)
    for x, y in zip(chips["x"], chips["y"]):            # every core of every chip: unused
        picture[y * (cell_h + 1) + row, x * (cell_w + 1) + column] = -1.0
    is_timed = timed(result)
    over = []
    for r in rows:
        value = r["load"] * 100 if is_timed else r["neurons"]
        at = (r["chip_y"] * (cell_h + 1) + row[r["core"]],
              r["chip_x"] * (cell_w + 1) + column[r["core"]])
        picture[at] = value
        if is_timed and r["overruns"] > 0:
            over.append(at)
    ax = figure.subplots()
    values = [r["load"] * 100 if is_timed else r["neurons"] for r in rows]
    norm = Normalize(0, max(max(values, default=1.0), 1e-9))
    cmap = colormaps["viridis"].with_extremes(under="0.85", bad="white")
    image = ax.imshow(np.where(picture < 0, -1e9, picture), origin="lower", cmap=cmap,
                      norm=norm, interpolation="nearest")
    label = ("load, % of the tick budget over the run" if is_timed
             else "neurons on the core (no load at functional fidelity)")
    figure.colorbar(image, ax=ax, label=label, shrink=0.8)
    reserved = int(attrs.get("reserved_cores", 0))
    if reserved:                                       # system cores, numbered first
        system = np.full(picture.shape, np.nan)
        for x, y in zip(chips["x"], chips["y"]):
            system[y * (cell_h + 1) + row[:reserved], x * (cell_w + 1) + column[:reserved]] = 1
        ax.imshow(system, origin="lower", cmap=ListedColormap(["0.45"]),
                  interpolation="nearest")
    handles = [Patch(facecolor="0.85", edgecolor="0.6", label="unused core (no slice)")]
    if np.isnan(picture[:cell_h, :cell_w]).any():
        handles.append(Patch(facecolor="white", edgecolor="0.6", label="no core there (the "
                             "router's place)" if cell_w == 14 else "no core there"))
    if reserved:
        handles.append(Patch(facecolor="0.45", label="system core"))
    if over:
        ys, xs = np.array(over).T
        handles.append(ax.scatter(xs, ys, marker="s", s=30, facecolor="none", edgecolor="red",
                                  label="overran a tick"))
    ax.legend(handles=handles, fontsize=8, loc="upper left", bbox_to_anchor=(0, -0.06),
              ncol=len(handles), frameon=False)
    numbered = picture.shape[1] <= MOST_NUMBERED_COLUMNS
    if numbered:                                        # core numbers within each chip
        for x, y in zip(chips["x"], chips["y"]):
            for core in range(cores):
                ax.text(x * (cell_w + 1) + column[core], y * (cell_h + 1) + row[core],
                        str(core), ha="center", va="center", fontsize=5, color="0.25")
    ax.set_xticks([(x + 0.5) * (cell_w + 1) - 1 for x in range(width)], range(width))
    ax.set_yticks([(y + 0.5) * (cell_h + 1) - 1 for y in range(height)], range(height))
    ax.set_xlabel("chip x")
    ax.set_ylabel("chip y")
    layout = ("quad-PE grid, 2 x 2 PEs per QPE" if cell_w == 14 and cell_h == 12
              else f"{cell_w} x {cell_h} grid")
    numbers = "core numbers in the cells" if numbered else \
        f"core numbers left out beyond {MOST_NUMBERED_COLUMNS // (cell_w + 1)} chips a row"
    ax.set_title(f"{_title(result)}: {cores} cores per chip on its {layout}; {numbers}",
                 fontsize=10)
    return None


def spike_raster(figure: Figure, result: Result, top: int) -> str | None:
    populations = result.populations
    total = sum(len(result.spikes(p)[0]) for p in populations)
    if total == 0:
        return "no neuron spiked"
    stride = -(-total // MOST_SPIKES)
    step_ms = result.attributes["timestep_ns"] / 1e6
    ax = figure.subplots()
    offset, ticks, labels = 0, [], []
    for pop in populations:
        times, ids = result.spikes(pop)
        size = int(result.group_attributes.get(f"spikes/{pop}", {}).get(
            "size", int(ids.max()) + 1 if len(ids) else 0))
        ax.scatter(times[::stride] * step_ms, ids[::stride] + offset, marker="o",
                   s=float(np.clip(20_000 / total, 0.5, 9.0)), linewidths=0, rasterized=True,
                   label=pop)
        ticks.append(offset + (size - 1) / 2)        # the middle of its rows
        labels.append(pop)
        offset += size
        ax.axhline(offset - 0.5, color="0.7", linewidth=0.5)
    ax.set_xlim(0, result.attributes["duration_ticks"] * step_ms)
    ax.set_ylim(-0.5, offset - 0.5)
    ax.set_yticks(ticks, labels)
    ax.set_xlabel("model time (ms)")
    ax.set_ylabel("neuron (by population)")
    shown = "" if stride == 1 else f", every {stride}th of {total} spikes shown"
    ax.set_title(f"{_title(result)}: spikes{shown}", fontsize=10)
    return None


def state(figure: Figure, result: Result, top: int) -> str | None:
    paths = sorted(k for k in result.datasets if k.startswith("state/"))
    if not paths:
        return "no state variable was recorded (add a [record] table to the config)"
    step_ms = result.attributes["timestep_ns"] / 1e6
    shown = paths[:MOST_STATE_PANELS]
    axes = np.atleast_1d(figure.subplots(len(shown), 1, sharex=True, squeeze=False)[:, 0])
    for ax, path in zip(axes, shown):
        _, pop, variable = path.split("/", 2)
        values = np.asarray(result.datasets[path], dtype=np.float64)
        t_ms = np.arange(values.shape[0]) * step_ms
        if values.shape[1] <= MOST_TRACES:
            for i in range(values.shape[1]):
                ax.plot(t_ms, values[:, i], linewidth=1, label=f"neuron {i}")
        else:
            ax.fill_between(t_ms, values.min(axis=1), values.max(axis=1), color="0.85",
                            label=f"range over {values.shape[1]} neurons")
            ax.plot(t_ms, values.mean(axis=1), color="black", linewidth=1, label="mean")
            ax.plot(t_ms, values[:, 0], linewidth=0.8, label="neuron 0")
        ax.set_ylabel(f"{pop}.{variable}")
        ax.legend(fontsize=7, loc="upper right")
    axes[-1].set_xlabel("model time (ms), the state at the end of each tick")
    left = f"; {len(paths) - len(shown)} more variables in the file" if len(paths) > len(shown) \
        else ""
    axes[0].set_title(f"{_title(result)}: recorded state{left}", fontsize=10)
    return None


def latency(figure: Figure, result: Result, top: int) -> str | None:
    d = result.datasets
    if "traffic/latency_histogram" not in d:
        return (f"the result has no packet latencies ({result.attributes.get('fidelity')} "
                f"fidelity does not time packets)")
    counts, edges = d["traffic/latency_histogram"], d["traffic/latency_bin_edges_ns"]
    if counts.sum() == 0:
        return "no packet reached a core"
    ax = figure.subplots()
    ax.stairs(counts[1:], edges[1:], fill=True)
    ax.set_xscale("log")
    filled = np.nonzero(counts)[0]
    ax.set_xlim(edges[max(filled[0], 1)] / 2, edges[filled[-1] + 1] * 2)
    ax.set_xlabel("latency from a spike leaving its core to its packet at a target core (ns)")
    ax.set_ylabel("deliveries")
    under = f"; {counts[0]} under 1 ns" if counts[0] else ""
    ax.set_title(f"{_title(result)}: {int(counts.sum())} deliveries, quarter-octave bins"
                 f"{under}", fontsize=10)
    return None
