"""Every figure of a report, as one dict with stable keys (what `--json` prints).

Sections the file cannot give (timing at functional fidelity, the per-rank profile of an
older file) are None, and `absent` says why in a sentence each.
"""

import numpy as np

from ..results import Result
from .tables import (ENERGY_PARTS, all_tables, chip_power_w, core_budget, duration_s,
                     population_order, table_capacity, timed)

PERCENTILES = (50, 90, 99)
RUN_KEYS = ("network", "machine", "fidelity", "seed", "timestep_ns", "duration_ticks",
            "requested_duration_ticks", "interrupted", "n_ranks", "build_wall_s", "run_wall_s",
            "peak_rss_bytes", "neurochip_version")


def summarise(result: Result, top: int = 10) -> dict:
    """The report of `result`: run facts, populations, links, routers, losses, core load,
    routing tables, latencies and the per-rank profile; lists of items keep the `top`."""
    tables = all_tables(result)
    is_timed = timed(result)
    return {
        "run": run_facts(result),
        "absent": absent(result, tables),
        "populations": tables["populations"],
        "state": tables["state"],
        "links": link_summary(result, tables["links"], top, is_timed),
        "population_links": population_link_summary(result, tables["population_links"], top),
        "routers": router_summary(tables["routers"], top),
        "losses": loss_summary(tables) if is_timed else None,
        "cores": core_summary(result, tables["cores"], top, is_timed),
        "routing_tables": table_summary(result, tables["routers"], top),
        "latency": latency_summary(tables["latency"]),
        "profile": profile_summary(result, tables["ranks"]),
        "energy": energy_summary(result, tables["energy"], top),
    }


def run_facts(result: Result) -> dict:
    a = result.attributes
    facts = {key: _plain(a.get(key)) for key in RUN_KEYS}
    facts["duration_s"] = duration_s(result)
    facts["windows"] = int(len(result.datasets["traffic/window_ticks"]))
    facts["window_length_ticks"] = _plain(
        result.group_attributes.get("traffic", {}).get("window_length_ticks"))
    return facts


def absent(result: Result, tables: dict) -> list[str]:
    notes = []
    if not timed(result):
        notes.append(f"link busy fractions, queues, drops, emergency routing, packet "
                     f"latencies, core cycles, overruns and late packets: the run was at "
                     f"{result.attributes.get('fidelity')} fidelity, which does not time "
                     f"packets (run at fidelity = \"timed\" to get them)")
    if table_capacity(result) is None:
        notes.append("routing-table capacity: the file does not record it (written by an "
                     "older neurochip), so table use is given in entries only")
    if not tables["ranks"]:
        notes.append("per-rank profile: the file has no /profile group")
    if "traffic/population_link_packets" not in result.datasets:
        notes.append("inter-chip packets by source population: the file does not record "
                     "them (written by an older neurochip)")
    if not tables["energy"]:
        notes.append("energy and power: the file has no /energy group (written by an older "
                     "neurochip)")
    return notes


def busiest(rows: list[dict], key: str, top: int) -> list[dict]:
    """The `top` rows with the largest `key`, ties in table order; rows with 0 left out."""
    order = sorted(range(len(rows)), key=lambda i: (-rows[i][key], i))
    return [rows[i] for i in order[:top] if rows[i][key] > 0]


def link_summary(result: Result, rows: list[dict], top: int, is_timed: bool) -> dict:
    summary = {"count": len(rows), "used": sum(1 for r in rows if r["packets"] > 0),
               "packets": sum(r["packets"] for r in rows), "bits": sum(r["bits"] for r in rows),
               "max_busy_fraction": None, "max_queue": None,
               "busiest": busiest(rows, "packets", top)}
    if is_timed and rows:
        summary["max_busy_fraction"] = max(r["peak_busy_fraction"] for r in rows)
        summary["max_queue"] = max(r["max_queue"] for r in rows)
    return summary


def population_link_summary(result: Result, rows: list[dict], top: int) -> list[dict] | None:
    """Per source population (network order): its inter-chip packets, the links they used,
    and its busiest links; None for files without the per-population counts."""
    if "traffic/population_link_packets" not in result.datasets:
        return None
    summary = []
    for name in population_order(result):
        mine = [r for r in rows if r["population"] == name]
        if mine:
            summary.append({"population": name, "packets": sum(r["packets"] for r in mine),
                            "links_used": len(mine), "busiest": busiest(mine, "packets", top)})
    return summary


def router_summary(rows: list[dict], top: int) -> dict:
    return {"count": len(rows), "packets": sum(r["packets"] for r in rows),
            "busiest": busiest(rows, "packets", top)}


def loss_summary(tables: dict) -> dict:
    routers, links, cores = tables["routers"], tables["links"], tables["cores"]
    return {"link_drops": sum(r["drops"] for r in links),
            "router_dropped": sum(r["dropped"] for r in routers),
            "emergency_routed": sum(r["emergency_routed"] for r in routers),
            "default_routed": sum(r["default_routed"] for r in routers),
            "late_packets": sum(r["late_packets"] for r in cores),
            "overruns": sum(r["overruns"] for r in cores),
            "max_excess_cycles": max((r["max_excess_cycles"] for r in cores), default=0)}


def core_summary(result: Result, rows: list[dict], top: int, is_timed: bool) -> dict:
    chips_used = {(r["chip_x"], r["chip_y"]) for r in rows}
    summary = {"slices": len(rows), "chips_used": len(chips_used),
               "neurons_per_core_max": max((r["neurons"] for r in rows), default=0),
               "budget_cycles_per_tick": None, "load": None, "peak_window_load": None,
               "over_budget": None, "busiest": []}
    if not is_timed or not rows:
        return summary
    load = np.array([r["load"] for r in rows])
    summary["budget_cycles_per_tick"] = core_budget(result)
    summary["load"] = {"mean": float(load.mean()),
                       **{f"p{q}": float(np.percentile(load, q)) for q in PERCENTILES},
                       "max": float(load.max())}
    summary["peak_window_load"] = max(r["peak_window_load"] for r in rows)
    summary["over_budget"] = sum(1 for r in rows if r["overruns"] > 0)
    summary["busiest"] = busiest(rows, "load", top)
    return summary


def table_summary(result: Result, rows: list[dict], top: int) -> dict:
    capacity = table_capacity(result)
    entries = [r["table_entries"] for r in rows]
    most = max(entries, default=0)
    return {"capacity": capacity, "entries": sum(entries), "max_entries": most,
            "mean_entries": float(np.mean(entries)) if entries else 0.0,
            "max_fraction": most / capacity if capacity else None,
            "fullest": busiest(rows, "table_entries", top)}


def latency_summary(rows: list[dict]) -> dict | None:
    """Deliveries (a packet reaching one target core) and latency percentiles, as the upper edge of the bin the percentile falls in
    (None in the last, open bin)."""
    if not rows:
        return None
    counts = np.array([r["deliveries"] for r in rows])
    total = int(counts.sum())
    summary = {"deliveries": total}
    cumulative = np.cumsum(counts)
    for q in PERCENTILES:
        if total == 0:
            summary[f"p{q}_ns_at_most"] = None
            continue
        i = int(np.searchsorted(cumulative, q / 100 * total))
        summary[f"p{q}_ns_at_most"] = rows[i]["high_ns"]
    filled = np.nonzero(counts)[0]
    summary["max_ns_at_least"] = rows[int(filled[-1])]["low_ns"] if len(filled) else None
    return summary


def profile_summary(result: Result, rows: list[dict]) -> dict | None:
    if not rows:
        return None
    phases = [k.removesuffix("_s") for k in rows[0] if k.endswith("_s") and k != "total_s"]
    return {"phases": phases, "ranks": rows,
            "slowest_rank": max(rows, key=lambda r: r["total_s"])["rank"],
            "seconds": {p: sum(r[f"{p}_s"] for r in rows) for p in phases},
            "bytes_sent": sum(r["bytes_sent"] for r in rows)}


def energy_summary(result: Result, rows: list[dict], top: int) -> dict | None:
    """The run's energy, its parts, per inference, and the chips that used the most."""
    if not rows:
        return None
    a = result.attributes
    power = chip_power_w(result)
    total = power.sum(axis=1)
    return {"energy_j": _plain(a.get("energy_j")), "mean_power_w": _plain(a.get("mean_power_w")),
            "by_part_j": {part: sum(r[f"{part}_j"] for r in rows) for part in ENERGY_PARTS},
            "peak_window_power_w": float(total.max(initial=0.0)),
            "inferences": _plain(a.get("inferences")),
            "energy_per_inference_j": _plain(a.get("energy_per_inference_j")),
            "chips": busiest(rows, "total_j", top)}


def _plain(value):
    if isinstance(value, np.generic):
        return value.item()
    return value
