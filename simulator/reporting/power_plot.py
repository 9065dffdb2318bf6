"""The power-over-time plot of a report: each chip's mean power per traffic window, the
chips that used the most energy drawn, and the whole machine's power above them."""

import numpy as np
from matplotlib.figure import Figure

from ..results import Result
from .tables import chip_power_w, energy_rows

MOST_CHIPS = 10  # chip lines drawn at most, however large --top is


def power_over_time(figure: Figure, result: Result, top: int, title: str) -> str | None:
    rows = energy_rows(result)
    if not rows:
        return "the file has no /energy group (written by an older neurochip)"
    step_ms = result.attributes["timestep_ns"] / 1e6
    windows = result.datasets["traffic/window_ticks"]
    edges_ms = np.append(windows[:, 0], windows[-1, 1]) * step_ms
    power = chip_power_w(result)
    chosen = sorted(rows, key=lambda r: (-r["total_j"], r["chip"]))[:min(top, MOST_CHIPS)]
    total_ax, chip_ax = figure.subplots(2, 1, sharex=True)
    total_ax.stairs(power.sum(axis=1), edges_ms, color="black",
                    label=f"whole machine, {result.attributes.get('energy_j', 0.0):.4g} J")
    total_ax.set_ylabel("power (W)")
    total_ax.set_ylim(bottom=0)
    total_ax.legend(fontsize=8, loc="upper right")
    total_ax.set_title(f"{title}: power per traffic window", fontsize=10)
    for r in chosen:
        chip_ax.stairs(power[:, r["chip"]], edges_ms,
                       label=f"chip ({r['x']},{r['y']}): {r['total_j']:.3g} J")
    chip_ax.set_xlabel("model time (ms)")
    chip_ax.set_ylabel("power per chip (W)")
    chip_ax.set_ylim(bottom=0)
    chip_ax.legend(fontsize=8, loc="upper right", ncol=2)
    return None
