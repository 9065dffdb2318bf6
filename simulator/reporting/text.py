"""The report as text for a terminal: a few lines per section, tables of the busiest items."""


def render(summary: dict, source: str = "") -> str:
    """The summary as text; `source` names the file it came from."""
    run = summary["run"]
    step_ms = run["timestep_ns"] / 1e6
    ranks = run["n_ranks"]
    lines = [f"{source + ': ' if source else ''}{run['network']} on {run['machine']}, "
             f"{run['fidelity']} fidelity, {run['duration_s']:g} s of model time "
             f"({run['duration_ticks']} ticks of {step_ms:g} ms), seed {run['seed']}, "
             f"{ranks} rank{'s' if ranks != 1 else ''}"]
    if run["interrupted"]:
        lines.append(f"  interrupted: holds the first {run['duration_ticks']} of "
                     f"{run['requested_duration_ticks']} ticks asked for")
    for section in (_populations, _state, _links, _population_links,
                    _routers, _losses, _cores, _tables, _latency,
                    _energy, _profile, _absent):
        part = section(summary)
        if part:
            lines += [""] + part
    return "\n".join(lines)


def table(rows: list[dict], columns: list[tuple[str, str, str]]) -> list[str]:
    """Rows as aligned text: columns are (header, key, format); numbers right-aligned."""
    cells = [[header for header, _, _ in columns]]
    for row in rows:
        cells.append([format(row[key], fmt) if row.get(key) is not None else "-"
                      for _, key, fmt in columns])
    widths = [max(len(r[i]) for r in cells) for i in range(len(columns))]
    left = [fmt == "s" for _, _, fmt in columns]
    return ["  " + "  ".join(c.ljust(w) if l else c.rjust(w)
                             for c, w, l in zip(r, widths, left)).rstrip() for r in cells]


def _populations(s):
    rows = s["populations"]
    total = sum(r["spikes"] for r in rows)
    return [f"Populations: {len(rows)}, {total} spikes"] + table(rows, [
        ("population", "population", "s"), ("model", "model", "s"), ("neurons", "size", "d"),
        ("spikes", "spikes", "d"), ("rate Hz", "rate_hz", ".2f")])


def _state(s):
    rows = s["state"]
    if not rows:
        return []
    return [f"Recorded state: {len(rows)} variable{'s' if len(rows) != 1 else ''}, at the end "
            f"of every tick"] + table(rows, [
        ("population", "population", "s"), ("variable", "variable", "s"),
        ("neurons", "neurons", "d"), ("ticks", "ticks", "d"), ("min", "min", ".6g"),
        ("mean", "mean", ".6g"), ("max", "max", ".6g"),
        ("mean at last tick", "last_tick_mean", ".6g")])


def _links(s):
    links = s["links"]
    head = (f"Inter-chip links: {links['packets']} packets, {links['bits']} bits on "
            f"{links['used']} of {links['count']} links")
    if links["max_busy_fraction"] is not None:
        head += (f"; busiest window {links['max_busy_fraction']:.3%} busy, longest queue "
                 f"{links['max_queue']} packets")
    lines = [head]
    rows = [dict(r, route=f"({r['source_x']},{r['source_y']}) {r['direction_name']} -> "
                          f"({r['target_x']},{r['target_y']})") for r in links["busiest"]]
    if rows:
        columns = [("link", "link", "d"), ("route", "route", "s"),
                   ("packets", "packets", "d"), ("bits", "bits", "d")]
        if "busy_fraction" in rows[0]:
            columns += [("busy", "busy_fraction", ".3%"), ("peak busy", "peak_busy_fraction",
                                                          ".3%"),
                        ("max queue", "max_queue", "d"), ("drops", "drops", "d")]
        lines += [f"  busiest {len(rows)}:"] + table(rows, columns)
    return lines


def _population_links(s):
    per = s["population_links"]
    if not per:
        return []
    rows = [dict(p, route=(f"link {b['link']} ({b['source_x']},{b['source_y']}) "
                           f"{b['direction_name']} -> ({b['target_x']},{b['target_y']}): "
                           f"{b['packets']}") if (b := p["busiest"][0]) else "")
            for p in per]
    return ["Inter-chip packets by source population:"] + table(rows, [
        ("population", "population", "s"), ("packets", "packets", "d"),
        ("links", "links_used", "d"), ("busiest link", "route", "s")])


def _routers(s):
    routers = s["routers"]
    lines = [f"Routers: {routers['packets']} packets looked up by {routers['count']} routers"]
    rows = routers["busiest"]
    if rows:
        columns = [("chip", "chip", "d"), ("x", "x", "d"), ("y", "y", "d"),
                   ("packets", "packets", "d")]
        if "dropped" in rows[0]:
            columns += [("default", "default_routed", "d"),
                        ("emergency", "emergency_routed", "d"), ("dropped", "dropped", "d")]
        lines += [f"  busiest {len(rows)}:"] + table(rows, columns)
    return lines


def _losses(s):
    loss = s["losses"]
    if loss is None:
        return []
    return [f"Losses: {loss['link_drops']} packets dropped at links, {loss['router_dropped']} "
            f"dropped by routers, {loss['emergency_routed']} emergency-routed, "
            f"{loss['default_routed']} default-routed; {loss['late_packets']} late packets, "
            f"{loss['overruns']} tick overruns (largest excess {loss['max_excess_cycles']} "
            f"cycles)"]


def _cores(s):
    cores = s["cores"]
    head = f"Cores: {cores['slices']} slices on {cores['chips_used']} chips, one core each"
    if cores["load"] is None:
        return [head + " (no load at this fidelity)"]
    load = cores["load"]
    lines = [head + f"; load as a share of the budget of {cores['budget_cycles_per_tick']} "
                    f"cycles per tick:",
             f"  mean {load['mean']:.1%}, median {load['p50']:.1%}, p90 {load['p90']:.1%}, "
             f"p99 {load['p99']:.1%}, max {load['max']:.1%}; busiest window "
             f"{cores['peak_window_load']:.1%}; {cores['over_budget']} cores overran"]
    rows = cores["busiest"]
    if rows:
        lines += [f"  busiest {len(rows)}:"] + table(rows, [
            ("slice", "slice", "d"), ("population", "population", "s"),
            ("neurons", "neurons", "d"), ("chip x", "chip_x", "d"), ("chip y", "chip_y", "d"),
            ("core", "core", "d"), ("load", "load", ".1%"), ("peak", "peak_window_load", ".1%"),
            ("overruns", "overruns", "d"), ("late", "late_packets", "d"),
            ("packets", "packets", "d")])
    return lines


def _tables(s):
    t = s["routing_tables"]
    if t["capacity"]:
        return [f"Routing tables: {t['capacity']} entries each; fullest {t['max_entries']} "
                f"({t['max_fraction']:.2%}), mean {t['mean_entries']:.1f}"]
    return [f"Routing tables: fullest {t['max_entries']} entries, mean {t['mean_entries']:.1f}"]


def _latency(s):
    lat = s["latency"]
    if lat is None:
        return []

    def at_most(key):
        return "beyond the last bin" if lat[key] is None else f"<= {lat[key]:.0f} ns"

    if lat["deliveries"] == 0:
        return ["Packet latency: no packet reached a core"]
    return [f"Packet latency (spike leaving its core to packet at each target core): "
            f"{lat['deliveries']} deliveries; median {at_most('p50_ns_at_most')}, "
            f"p90 {at_most('p90_ns_at_most')}, p99 {at_most('p99_ns_at_most')}"]


def _energy(s):
    e = s["energy"]
    if e is None:
        return []
    parts = ", ".join(f"{part} {joules:.4g} J" for part, joules in e["by_part_j"].items())
    lines = [f"Energy: {e['energy_j']:.4g} J, mean power {e['mean_power_w']:.4g} W (busiest "
             f"window {e['peak_window_power_w']:.4g} W); {parts}"]
    if e["energy_per_inference_j"] is not None:
        lines.append(f"  per inference: {e['energy_per_inference_j']:.4g} J over "
                     f"{e['inferences']} inferences")
    rows = e["chips"]
    if rows:
        lines += [f"  chips using the most {len(rows)}:"] + table(rows, [
            ("chip", "chip", "d"), ("x", "x", "d"), ("y", "y", "d"),
            ("total J", "total_j", ".4g"), ("mean W", "mean_power_w", ".4g"),
            ("baseline J", "baseline_j", ".3g"), ("cores J", "cores_j", ".3g"),
            ("routers J", "routers_j", ".3g"), ("noc J", "noc_j", ".3g"),
            ("links J", "links_j", ".3g")])
    return lines


def _profile(s):
    p = s["profile"]
    if p is None:
        return []
    columns = [("rank", "rank", "d")] + [(f"{ph} s", f"{ph}_s", ".3f") for ph in p["phases"]]
    columns += [("total s", "total_s", ".3f"), ("exchanges", "exchanges", "d"),
                ("bytes sent", "bytes_sent", "d")]
    return [f"Per-rank profile (wall time of the simulation loop); slowest rank "
            f"{p['slowest_rank']}"] + table(p["ranks"], columns)


def _absent(s):
    if not s["absent"]:
        return []
    return ["Not in this file:"] + [f"  {note}" for note in s["absent"]]
