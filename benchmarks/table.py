"""The README's benchmark table, read from the stored results in benchmarks/results/.

    python -m benchmarks.table

Prints a Markdown table: each figure beside its target and the file it comes from, so that
the README shows what the stored results say and nothing else.
"""

import json

from .common import RESULTS


def _load(name: str) -> dict | None:
    path = RESULTS / f"{name}.json"
    return json.loads(path.read_text()) if path.exists() else None


def _peer_rows(record: dict) -> list[tuple[str, str, str]]:
    rows = []
    for case in record["figures"]["cases"]:
        by = {r["simulator"].split()[0] + " " + r["simulator"].split()[-1]: r
              for r in case["results"]}
        label = f"{case['network']} {case['neurons']}, 1 s at 0.1 ms"
        run = ", ".join(f"{name} {by[name]['run_wall_s']:.3g} s" for name in
                        ("brian2 runtime", "brian2 cpp_standalone", "neurochip functional",
                         "neurochip timed") if name in by)
        rows.append((f"{label}: run time", run,
                     "functional <= cpp_standalone, >= 20x faster than runtime"))
        rates = ", ".join(
            f"{name.split()[-1]} " + "/".join(f"{p['rate_hz']:.2f}"
                                              for p in by[name]["populations"].values())
            for name in ("brian2 runtime", "neurochip functional") if name in by)
        rows.append((f"{label}: rates (Hz, per population)", rates, "same statistics"))
        rows.append((f"{label}: timed / functional", f"{case['timed_over_functional']}x",
                     "<= 3x"))
    return rows


def _nest_rows(record: dict) -> list[tuple[str, str, str]]:
    rows = []
    limit = record["figures"]["physical_limit_events_per_s_per_core"]
    for case in record["figures"]["cases"]:
        *nests, ours = case["results"]
        label = f"{case['network']} {case['neurons']}, 1 s at 0.1 ms"
        rows.append((f"{label}: run time against NEST (median of {record['figures']['repeat']})",
                     ", ".join(f"{r['simulator'].split(' ', 2)[-1]} {r['run_wall_s']:.3g} s"
                               for r in nests) + f", neurochip functional "
                     f"{ours['run_wall_s']:.3g} s ({case['functional_vs_nest_1_thread']}x "
                     f"faster than 1 thread)", ">= 5x faster than NEST on 1 thread"))
        rows.append((f"{label}: synaptic events per second on one core",
                     f"{case['neurochip_events_per_s_per_core'] / 1e6:.0f} M/s "
                     f"({case['fraction_of_physical_limit']:.0%} of {limit / 1e9:.2g} G/s)",
                     "the memory-bandwidth limit, 8-byte synapses at 10 GB/s"))
    return rows


def _timed_scaling_rows() -> list[tuple[str, str, str, str]]:
    """Strong scaling and oversubscription at timed fidelity, and the scaling model."""
    out = []
    scaling = _load("timed_scaling")
    for name, case in (scaling["figures"]["cases"].items() if scaling else ()):
        figure = ", ".join(f"{r['ranks']} rank(s)"
                           + (f" {r['fabric_domains']} domains" if r["fabric_domains"] > 1
                              else "")
                           + f" {r['run_wall_s']:.2f} s ({r['speedup_over_one_rank']}x)"
                           for r in case["results"])
        out.append((f"timed, {name}: {case['workload']}; {case['duration_ms']:g} ms, median of "
                    f"{len(case['results'][0]['run_wall_s_all'])}", figure,
                    "2 ranks >= 1.6x; 4 ranks on 2 cores within 2x of the best",
                    "timed_scaling.json"))
    model = _load("scaling_model")
    if model:
        f = model["figures"]
        checks = ", ".join(f"{c['case']} F={c['fabric_domains']} {c['error']:+.0%}"
                           for c in f["check_against_2_ranks"])
        out.append(("timed scaling model: error against the 2-rank runs", checks,
                    "within 25 %", "scaling_model.json"))
        for machine in dict.fromkeys(row["machine"] for row in f["predictions"]):
            out.append((f"timed scaling model: {machine}, predicted efficiency (one fabric "
                        f"domain / a domain per rank)",
                        ", ".join(f"{row['ranks']} ranks {row['one_domain']['efficiency']} / "
                                  f"{row['domain_per_rank']['efficiency']}"
                                  for row in f["predictions"] if row["machine"] == machine),
                        "(a projection; no 16-core run made)", "scaling_model.json"))
    return out


def rows() -> list[tuple[str, str, str, str]]:
    """(what, figure, target, source file) for every stored result that has a target."""
    out = []
    fidelity = _load("fidelity_cost")
    if fidelity:
        f = fidelity["figures"]
        out.append(("CUBA example (4000 neurons, 2x2 chips, 1 s): run time per fidelity",
                    f"functional {f['functional']['run_wall_s']:.2f} s, timed "
                    f"{f['timed']['run_wall_s']:.2f} s, packet {f['packet']['run_wall_s']:.1f} s",
                    "timed <= 3x functional", "fidelity_cost.json"))
    peer = _load("peer_brian2")
    if peer:
        out += [(*row, "peer_brian2.json") for row in _peer_rows(peer)]
    nest = _load("peer_nest")
    if nest:
        out += [(*row, "peer_nest.json") for row in _nest_rows(nest)]
    ranks = _load("functional_ranks")
    if ranks:
        targets = {"cuba": "1.3x", "brunel": "1.7x"}
        for name, rows in ranks["figures"]["cases"].items():
            out.append((f"{name} example, functional, 2 ranks on 2 cores against 1 (median of "
                        f"{ranks['figures']['repeats']})",
                        ", ".join(f"{r['ranks']} rank(s) {r['run_wall_s']:.2f} s" for r in rows)
                        + f": {rows[-1]['speedup']}x", f">= {targets.get(name, '?')} faster",
                        "functional_ranks.json"))
        noise = [ranks["figures"][k] for k in ("machine_noise_before", "machine_noise_after")
                 if k in ranks["figures"]]
        if noise:
            out.append(("the cores' stalls around those runs (3 us pieces of work; a "
                        "one-tick exchange waits for the other core's), before / after",
                        " / ".join(", ".join(f"core {r['core']} {r['stalled_fraction']:.1%}"
                                             for r in n["alone"]) + " alone, "
                                   + ", ".join(f"{r['stalled_fraction']:.1%}"
                                               for r in n["together"]) + " together"
                                   for n in noise),
                        "(the machine, not a target)", "functional_ranks.json"))
    chip = _load("full_chip")
    if chip:
        f = chip["figures"]
        first = f["points"][0]
        out.append((f"one full SpiNNaker2 chip ({first['neurons']:,} LIF neurons on "
                    f"{first['cores_used']} cores, {first['synapses']:,} synapses, 1 ms tick), "
                    f"timed, by firing rate",
                    ", ".join(f"{p['rate_hz']['exc']:g} Hz: {p['wall_s_per_simulated_s']:.1f} s"
                              for p in f["points"]) + " wall per simulated s",
                    f"<= {f['target_wall_s_per_simulated_s']} s", "full_chip.json"))
    out += _timed_scaling_rows()
    memory = _load("memory")
    if memory:
        f = memory["figures"]
        out.append(("memory (peak RSS, marginal)",
                     f"{f['bytes_per_synapse']} B/synapse, {f['bytes_per_neuron']} B/neuron",
                     "<= 16 B/synapse, <= 1 KB/neuron", "memory.json"))
    estimate = _load("memory_estimate")
    if estimate:
        ratios = [c["ratio"] for c in estimate["figures"]["cases"].values()]
        out.append((f"host memory estimate against peak RSS ({len(ratios)} cases: examples, "
                     f"CUBA 20k/30k, recorded state, Poisson flood)",
                     f"{min(ratios):.2f}x to {max(ratios):.2f}x", "within 25 %",
                     "memory_estimate.json"))
    scale = _load("mapping_scale")
    if scale:
        f = scale["figures"]
        out.append((f"mapping {f['neurons']:,} neurons, {f['synapses']:,} synapses on a "
                    f"48-chip board ({f['placer']} placer)",
                    f"{f['map_wall_s']:.1f} s wall ({f['map_cpu_s']:.1f} s CPU), "
                    f"{f['slices']} slices, {f['edges']:,} edges",
                    f"< {f['target_map_wall_s']} s on one core", "mapping_scale.json"))
    placers = _load("placer_quality")
    if placers:
        f = placers["figures"]
        for name in ("layered", "microcircuit_5pct"):
            if name in f:
                out.append((f"placer quality, {name.replace('_', ' ')}: packet-hops/s of "
                            f"`graph` relative to `spread` / `sequential`",
                            f"{f[name]['graph_vs_spread']} / {f[name]['graph_vs_sequential']}",
                            "lower is better", "placer_quality.json"))
    toolchain = _load("toolchain_compare")
    if toolchain:
        for case in toolchain["figures"]["cases"]:
            ours, pacman = case["neurochip"]["own_placement"], case["spynnaker"]
            out.append((f"side by side with sPyNNaker 1!7.4.1, {case['network']} on a 48-chip "
                        f"SpiNNaker1 board: cores, chips, router entries, compressed entries, "
                        f"mapping time (neurochip / PACMAN)",
                        f"{ours['application_cores']} / {pacman['application_cores']} cores, "
                        f"{ours['chips_used']} / {pacman['chips_used']} chips, "
                        f"{ours['entries']} / {pacman['entries_not_defaultable']} entries, "
                        f"{ours['entries_compressed']} / "
                        f"{min(pacman['entries_pair'], pacman['entries_ordered_covering'])} "
                        f"compressed, {ours['map_wall_s']:.2g} s / {pacman['map_wall_s']:.2g} s",
                        "entries within 25 %", "toolchain_compare.json"))
    sweep = _load("bottleneck_sweep")
    if sweep:
        r = sweep["figures"]["rows"]
        out.append(("bottlenecked network: inter-chip packets against bottleneck_ratio",
                    ", ".join(f"{row['bottleneck_ratio']:g}: {row['inter_chip_packets']:,}"
                              for row in r), "falls as 1/ratio", "bottleneck_sweep.json"))
    validation = _load("fidelity")
    if validation:
        cases = validation["figures"]["cases"]
        out.append(("machine model against published figures it was not calibrated on "
                    "(docs/fidelity.md)",
                    ", ".join(f"{c['case']}: {c['error']:+.0%}" for c in cases),
                    "within 12 % (SANA-FE's energy error on Loihi)", "fidelity.json"))
    scaling = _load("scaling_2core")
    if scaling:
        strong = scaling["figures"]["strong"]["results"]
        out.append(("MPI strong scaling, 100k-neuron Brunel-like on a 48-chip board, "
                    "functional, 100 ms",
                    ", ".join(f"{r['ranks']} rank(s) {r['run_wall_s']:.2f} s "
                              f"(efficiency {r['efficiency']:.2f})" for r in strong),
                    ">= 0.7 at 16 ranks (16-rank run not made: 2 cores here)",
                    "scaling_2core.json"))
    va = _load("pynn_va")
    if va:
        f = va["figures"]

        def mean(side, key):
            return sum(r[key] for r in f[side]) / len(f[side])
        out.append((f"Vogels-Abbott CUBA, PyNN's VAbenchmarks.py unchanged, {len(f['nest'])} "
                    f"realisations: mean rates (Hz, exc/inh)",
                    f"pyNN.nest {mean('nest', 'exc_rate_hz'):.2f}/"
                    f"{mean('nest', 'inh_rate_hz'):.2f}, neurochip "
                    f"{mean('neurochip', 'exc_rate_hz'):.2f}/"
                    f"{mean('neurochip', 'inh_rate_hz'):.2f}",
                    "within pyNN.nest's range", "pynn_va.json"))
    return out


def main() -> None:
    print("| benchmark | figure | target | results file |")
    print("| --- | --- | --- | --- |")
    for what, figure, target, source in rows():
        print(f"| {what} | {figure} | {target} | `benchmarks/results/{source}` |")


if __name__ == "__main__":
    main()
