"""Per-item tables of a result (populations, links, routers, cores, ranks, latency bins).

Each table is a list of rows (dicts of plain Python numbers and strings) built straight from
the datasets; the summary, the JSON, the CSV files and the plots all read these rows, so the
figures they show cannot disagree.
"""

import numpy as np

from chips.topology import DIRECTION_NAMES

from ..results import Result

LINK_TIMING = ("link_busy_fraction", "link_max_queue", "link_drops")
ROUTER_TIMING = ("router_default_routed", "router_emergency_routed", "router_dropped")
CORE_COUNTERS = ("cycles", "overruns", "max_excess_cycles", "late_packets", "packets",
                 "synaptic_events")


def timed(result: Result) -> bool:
    """Whether the file holds the timing datasets (timed and packet fidelity)."""
    return "traffic/link_busy_fraction" in result.datasets and "cores/cycles" in result.datasets


def duration_s(result: Result) -> float:
    a = result.attributes
    return a["duration_ticks"] * a["timestep_ns"] * 1e-9


def window_lengths(result: Result) -> np.ndarray:
    """Ticks in each traffic window (the last one may be short)."""
    windows = result.datasets["traffic/window_ticks"]
    return (windows[:, 1] - windows[:, 0]).astype(np.int64)


def population_rows(result: Result) -> list[dict]:
    seconds = duration_s(result)
    rows = []
    for pop in result.populations:
        times, _ = result.spikes(pop)
        attrs = result.group_attributes.get(f"spikes/{pop}", {})
        size = int(attrs.get("size", 0))
        rows.append({"population": pop, "model": str(attrs.get("model", "")), "size": size,
                     "spikes": int(len(times)),
                     "rate_hz": len(times) / size / seconds if size and seconds else 0.0})
    return rows


def state_rows(result: Result) -> list[dict]:
    """One row per recorded state variable of a population: its range and means over the
    run (every neuron, every tick) and at the last tick."""
    rows = []
    for path in sorted(k for k in result.datasets if k.startswith("state/")):
        _, pop, variable = path.split("/", 2)
        values = np.asarray(result.datasets[path], dtype=np.float64)
        any_value = values.size > 0
        rows.append({"population": pop, "variable": variable,
                     "neurons": int(values.shape[1]) if values.ndim == 2 else 0,
                     "ticks": int(values.shape[0]),
                     "min": float(values.min()) if any_value else None,
                     "mean": float(values.mean()) if any_value else None,
                     "max": float(values.max()) if any_value else None,
                     "last_tick_mean": float(values[-1].mean()) if any_value else None})
    return rows


def link_rows(result: Result) -> list[dict]:
    d = result.datasets
    links = d["traffic/links"]
    packets = d["traffic/link_packets"].sum(axis=0)
    bits = d["traffic/link_bits"].sum(axis=0)
    rows = []
    for i, link in enumerate(links):
        direction = int(link["direction"])
        rows.append({"link": i, "source_x": int(link["source_x"]),
                     "source_y": int(link["source_y"]), "direction": direction,
                     "direction_name": DIRECTION_NAMES[direction] if 0 <= direction < 6 else "",
                     "target_x": int(link["target_x"]), "target_y": int(link["target_y"]),
                     "packets": int(packets[i]), "bits": int(bits[i])})
    if timed(result):
        lengths = window_lengths(result)
        busy = d["traffic/link_busy_fraction"]
        mean_busy = (busy * lengths[:, None]).sum(axis=0) / max(int(lengths.sum()), 1)
        peak_busy = busy.max(axis=0) if len(busy) else np.zeros(len(links))
        queue = d["traffic/link_max_queue"]
        max_queue = queue.max(axis=0) if len(queue) else np.zeros(len(links), dtype=np.int64)
        drops = d["traffic/link_drops"].sum(axis=0)
        for i, row in enumerate(rows):
            row.update(busy_fraction=float(mean_busy[i]), peak_busy_fraction=float(peak_busy[i]),
                       max_queue=int(max_queue[i]), drops=int(drops[i]))
    return rows


def population_order(result: Result) -> list[str]:
    """Population names in network order (the population axis of population_link_packets):
    the order their slices appear in /mapping/placements."""
    names = result.datasets["mapping/placements"]["population"]
    return list(dict.fromkeys(str(n) for n in names))


def population_link_rows(result: Result) -> list[dict]:
    """One row per source population and link that carried its packets (files without
    /traffic/population_link_packets give none)."""
    d = result.datasets
    if "traffic/population_link_packets" not in d:
        return []
    counts = d["traffic/population_link_packets"].sum(axis=0)
    links = d["traffic/links"]
    rows = []
    for p, name in enumerate(population_order(result)):
        for i in np.flatnonzero(counts[p]):
            direction = int(links[i]["direction"])
            rows.append({"population": name, "link": int(i),
                         "source_x": int(links[i]["source_x"]),
                         "source_y": int(links[i]["source_y"]), "direction": direction,
                         "direction_name": DIRECTION_NAMES[direction] if 0 <= direction < 6
                         else "", "target_x": int(links[i]["target_x"]),
                         "target_y": int(links[i]["target_y"]), "packets": int(counts[p, i])})
    return rows


def router_rows(result: Result) -> list[dict]:
    d = result.datasets
    chips = d["traffic/chips"]
    packets = d["traffic/router_packets"].sum(axis=0)
    entries = d["mapping/router_entries"]
    capacity = table_capacity(result)
    rows = []
    for i, chip in enumerate(chips):
        row = {"chip": i, "x": int(chip["x"]), "y": int(chip["y"]), "packets": int(packets[i]),
               "table_entries": int(entries[i])}
        if capacity:
            row["table_fraction"] = int(entries[i]) / capacity
        rows.append(row)
    if timed(result):
        sums = {name: d[f"traffic/{name}"].sum(axis=0) for name in ROUTER_TIMING}
        for i, row in enumerate(rows):
            row.update({name.removeprefix("router_"): int(sums[name][i])
                        for name in ROUTER_TIMING})
    return rows


def table_capacity(result: Result) -> int | None:
    """Entries each router table holds, when the file says (files from neurochip 0.1 on)."""
    value = result.group_attributes.get("mapping", {}).get("router_capacity_entries")
    return int(value) if value else None


def core_rows(result: Result) -> list[dict]:
    """One row per slice (each slice has its own core); load columns when timed."""
    d = result.datasets
    placements = d["mapping/placements"]
    rows = [{"slice": i, "population": str(p["population"]),
             "slice_start": int(p["slice_start"]), "slice_stop": int(p["slice_stop"]),
             "neurons": int(p["slice_stop"] - p["slice_start"]),
             "chip_x": int(p["chip_x"]), "chip_y": int(p["chip_y"]), "core": int(p["core"])}
            for i, p in enumerate(placements)]
    if timed(result):
        budget = core_budget(result)
        lengths = window_lengths(result)
        cycles = d["cores/cycles"]
        load = cycles.sum(axis=0) / (budget * max(int(lengths.sum()), 1))
        window_load = cycles / (budget * np.maximum(lengths, 1)[:, None])
        peak = window_load.max(axis=0) if len(window_load) else np.zeros(len(rows))
        sums = {name: d[f"cores/{name}"].sum(axis=0) for name in CORE_COUNTERS
                if name != "max_excess_cycles"}
        excess = d["cores/max_excess_cycles"]
        excess = excess.max(axis=0) if len(excess) else np.zeros(len(rows), dtype=np.int64)
        for i, row in enumerate(rows):
            row.update(load=float(load[i]), peak_window_load=float(peak[i]))
            row.update({name: int(sums[name][i]) for name in sums})
            row["max_excess_cycles"] = int(excess[i])
    if "energy/core_busy_j" in d:
        energy = d["energy/core_sleep_j"].sum(axis=0) + d["energy/core_busy_j"].sum(axis=0)
        for i, row in enumerate(rows):
            row["energy_j"] = float(energy[i])
    return rows


def core_budget(result: Result) -> int:
    return int(result.group_attributes["cores"]["budget_cycles_per_tick"])


ENERGY_PARTS = ("baseline", "cores", "routers", "noc", "links")


def chip_power_w(result: Result) -> np.ndarray:
    """Mean power of every chip in every window [windows, chips] (all parts)."""
    d = result.datasets
    joules = sum(d[f"energy/chip_{part}_j"] for part in ENERGY_PARTS)
    seconds = window_lengths(result) * result.attributes["timestep_ns"] * 1e-9
    return joules / np.maximum(seconds, 1e-30)[:, None]


def energy_rows(result: Result) -> list[dict]:
    """One row per chip: its joules by part over the run and its mean power (empty for a
    file without /energy)."""
    d = result.datasets
    if "energy/chip_baseline_j" not in d:
        return []
    seconds = duration_s(result)
    sums = {part: d[f"energy/chip_{part}_j"].sum(axis=0) for part in ENERGY_PARTS}
    rows = []
    for i, chip in enumerate(d["traffic/chips"]):
        row = {"chip": i, "x": int(chip["x"]), "y": int(chip["y"])}
        row.update({f"{part}_j": float(sums[part][i]) for part in ENERGY_PARTS})
        row["total_j"] = sum(row[f"{part}_j"] for part in ENERGY_PARTS)
        row["mean_power_w"] = row["total_j"] / seconds if seconds else 0.0
        rows.append(row)
    return rows


def rank_rows(result: Result) -> list[dict]:
    d = result.datasets
    if "profile/seconds" not in d:
        return []
    phases = [str(p) for p in result.group_attributes.get("profile", {}).get(
        "phases", [f"phase{i}" for i in range(d["profile/seconds"].shape[1])])]
    rows = []
    for rank, seconds in enumerate(d["profile/seconds"]):
        row = {"rank": rank}
        row.update({f"{phase}_s": float(s) for phase, s in zip(phases, seconds)})
        row["total_s"] = float(seconds.sum())
        row["exchanges"] = int(d["profile/exchanges"][rank]) if "profile/exchanges" in d else 0
        row["bytes_sent"] = int(d["profile/bytes_sent"][rank]) if "profile/bytes_sent" in d else 0
        rows.append(row)
    return rows


def latency_rows(result: Result) -> list[dict]:
    """Bins of the packet latency histogram (the last bin has no upper edge: None)."""
    d = result.datasets
    if "traffic/latency_histogram" not in d:
        return []
    edges, counts = d["traffic/latency_bin_edges_ns"], d["traffic/latency_histogram"]
    return [{"low_ns": float(edges[i]),
             "high_ns": float(edges[i + 1]) if i + 1 < len(counts) else None,
             "deliveries": int(counts[i])} for i in range(len(counts))]


def all_tables(result: Result) -> dict[str, list[dict]]:
    """Every table, by the name of its CSV file."""
    return {"populations": population_rows(result), "state": state_rows(result),
            "links": link_rows(result), "routers": router_rows(result),
            "cores": core_rows(result), "ranks": rank_rows(result),
            "latency": latency_rows(result), "energy": energy_rows(result),
            "population_links": population_link_rows(result)}
