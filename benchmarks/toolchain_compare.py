"""Side by side with the SpiNNaker toolchain (sPyNNaker + PACMAN 1!7.4.1): the same PyNN
networks mapped onto one 48-chip SpiNNaker1 board by both, with cores, chips, router
entries before and after compression, and the mapping time of each.

    python -m benchmarks.toolchain_compare [--networks cuba brunel feedforward many_small]

sPyNNaker lives in its own venv (never a dependency of neurochip) and maps on a virtual
board pinned by benchmarks/data/spinnaker1_board48.json (SpiNNMachine's description of a
version-5 board, every chip with 18 cores):

    python3.11 -m venv /work/venvs/spynnaker && /work/venvs/spynnaker/bin/pip install spynnaker

Stores benchmarks/results/toolchain_compare.json, and PACMAN's uncompressed tables and
its compressors' results as benchmarks/results/pacman_tables.json for
tests/test_toolchain.py.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

import chips
from networks import FixedInDegree, FixedProbability, IFCurrExp, Network, SpikeSourcePoisson
from simulator import MappingOptions, map_network
from simulator.mapping.placement import Placement
from simulator.mapping.report import mapping_report

from .common import write_result
from .spynnaker_side import NETWORKS

REPO = Path(__file__).resolve().parents[1]
SPYNNAKER_PYTHON = Path(os.environ.get("SPYNNAKER_PYTHON",
                                       "/work/venvs/spynnaker/bin/python"))
# PACMAN's mapping steps, from partitioning to the merged tables (not data generation)
MAPPING_STEPS = ("Splitter reset", "Spynnaker splitter selector", "DelaySupportAdder",
                 "Splitter partitioner", "Insert extra monitor vertices",
                 "Split Live Gather Vertices", "Application Placer",
                 "System multicast routing generator", "Application Router",
                 "Zoned routing info allocator", "Merged routing table generator")


def neurochip_network(spec: dict) -> Network:
    """The network of `spec` in neurochip (IF_curr_exp defaults, Poisson sources at 10 Hz)."""
    net = Network()
    pops = {}
    for name, size, model in spec["populations"]:
        cell = SpikeSourcePoisson(rate_hz=10.0) if model == "poisson" else IFCurrExp()
        pops[name] = net.add_population(name, size, cell)
    for pre, post, kind, value, receptor, delay_ms in spec["projections"]:
        connector = FixedProbability(value) if kind == "p" else FixedInDegree(int(value))
        net.connect(pops[pre], pops[post], connector, weight=0.1,
                    delay_ticks=round(delay_ms / spec["timestep_ms"]), receptor=receptor)
    return net


def pacman_placement(net: Network, machine, mapping_slices, placements: list) -> Placement:
    """PACMAN's placement of every slice, its cores renumbered in order onto the chip's
    application cores (the toolchain's own system cores sit where neurochip's do not)."""
    topology = machine.topology
    names = [p.name for p in net.populations]
    where = {(names.index(label), lo): (topology.chip_index(x, y), p)
             for label, lo, _hi, x, y, p in placements}
    chip = np.array([where[(int(pop), int(start))][0] for pop, start in
                     zip(mapping_slices.population, mapping_slices.start)], dtype=np.int32)
    core = np.array([where[(int(pop), int(start))][1] for pop, start in
                     zip(mapping_slices.population, mapping_slices.start)], dtype=np.int32)
    free = ~machine.system_cores()
    ours = np.empty(len(chip), dtype=np.int32)
    for c in np.unique(chip):
        here = np.flatnonzero(chip == c)
        ours[here[np.argsort(core[here])]] = np.flatnonzero(free[c])[:len(here)]
    return Placement(chip, ours)


def figures(net: Network, mapping, timestep_ms: float, map_s: float) -> dict:
    report = mapping_report(net, mapping, timestep_ms)
    sizes = mapping.table_sizes
    system = int(mapping.machine.system_cores().sum())
    return {"cores": len(mapping.slices) + system, "application_cores": len(mapping.slices),
            "system_cores": system, "chips_used": report.chips_used, "fits": report.fits,
            "reasons": list(report.reasons),
            "entries": int(sizes.before.sum()), "entries_max": int(sizes.before.max()),
            "entries_compressed": int(sizes.after.sum()),
            "entries_compressed_max": int(sizes.after.max()),
            "routers_used": int((sizes.before > 0).sum()),
            "slice_sizes": sorted(set(mapping.slices.size.tolist())),
            "map_wall_s": round(map_s, 3)}


def neurochip_side(name: str, placements: list | None = None) -> dict:
    """neurochip's mapping of network `name` with its sequential placer, and (given
    PACMAN's placements) on PACMAN's placement."""
    spec = NETWORKS[name]
    net = neurochip_network(spec)
    machine = chips.spinnaker1()
    options = MappingOptions(spec["neurons_per_core"], "toolchain", slicing="full")
    start = time.perf_counter()
    mapping = map_network(net, machine, options)
    out = {"own_placement": figures(net, mapping, spec["timestep_ms"],
                                    time.perf_counter() - start)}
    if placements:
        given = pacman_placement(net, machine, mapping.slices, placements)
        start = time.perf_counter()
        same = map_network(net, machine, options, placement=given)
        out["pacman_placement"] = figures(net, same, spec["timestep_ms"],
                                          time.perf_counter() - start)
    return out


def spynnaker_side(name: str) -> tuple[dict, dict]:
    if not SPYNNAKER_PYTHON.exists():
        raise SystemExit(f"no sPyNNaker venv at {SPYNNAKER_PYTHON}; create it as the "
                         f"docstring of benchmarks/toolchain_compare.py says")
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "out.json"
        done = subprocess.run([str(SPYNNAKER_PYTHON), str(REPO / "benchmarks" /
                                                         "spynnaker_side.py"), name,
                               "--out", str(out), "--work", folder],
                              capture_output=True, text=True)
        if done.returncode:
            raise SystemExit(f"sPyNNaker failed on {name}:\n{done.stderr[-3000:]}")
        record = json.loads(out.read_text())
    steps = {}
    for match in re.finditer(r"INFO: (.+?) took (\d+):(\d+):([\d.]+)", done.stdout + done.stderr):
        steps[match[1]] = steps.get(match[1], 0.0) + (3600 * int(match[2]) + 60 * int(match[3])
                                                      + float(match[4]))
    entries = record["entries"].values()
    side = {"cores": record["cores"] + record["machine"]["chips"],  # + SC&MP, not placed
            "application_cores": record["application_cores"],
            "cores_by_kind": record["cores_by_kind"], "chips_used": record["chips_used"],
            "entries": sum(entries), "entries_max": max(entries, default=0),
            "entries_not_defaultable": sum(record["entries_not_defaultable"].values()),
            "entries_pair": sum(record["entries_pair"].values()),
            "entries_pair_max": max(record["entries_pair"].values(), default=0),
            "entries_ordered_covering": sum(record["entries_ordered_covering"].values()),
            "routers_used": sum(1 for n in entries if n),
            "map_wall_s": round(sum(steps.get(s, 0.0) for s in MAPPING_STEPS), 3),
            "compress_pair_wall_s": round(record["pair_s"], 3),
            "run_wall_s": round(record["run_wall_s"], 3),
            "steps_s": {k: round(v, 4) for k, v in steps.items()},
            "versions": record["versions"]}
    tables = {"tables": record["tables"], "pair": record["entries_pair"],
              "ordered_covering": record["entries_ordered_covering"]}
    return side, tables, record["placements"]


def ratio(a: float, b: float) -> float | None:
    return round(a / b, 3) if b else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--networks", nargs="+", default=list(NETWORKS))
    args = parser.parse_args()
    cases, pacman_tables = [], {}
    for name in args.networks:
        pacman, tables, placements = spynnaker_side(name)
        ours = neurochip_side(name, placements)
        pacman_tables[name] = dict(tables, placements=placements,
                                   neurochip=ours["pacman_placement"])
        same, own = ours["pacman_placement"], ours["own_placement"]
        cases.append({
            "network": name, "spec": {k: v for k, v in NETWORKS[name].items()
                                      if k in ("timestep_ms", "neurons_per_core")},
            "neurons": sum(p[1] for p in NETWORKS[name]["populations"]),
            "neurochip": ours, "spynnaker": pacman,
            "entries_ratio": ratio(same["entries"], pacman["entries_not_defaultable"]),
            "compressed_ratio": ratio(same["entries_compressed"],
                                      min(pacman["entries_pair"],
                                          pacman["entries_ordered_covering"])),
            "own_placement_entries_ratio": ratio(own["entries"],
                                                 pacman["entries_not_defaultable"]),
            "application_cores_ratio": ratio(own["application_cores"],
                                             pacman["application_cores"]),
            "chips_ratio": ratio(own["chips_used"], pacman["chips_used"])})
        print(name, json.dumps({k: v for k, v in cases[-1].items() if k != "spec"}),
              file=sys.stderr)
    write_result("pacman_tables", pacman_tables)
    print("wrote", write_result("toolchain_compare", {
        "machine": "one 48-chip SpiNNaker1 board (version 5), sequential placement",
        "note": "PACMAN's entries before compression are counted without its "
                "default-routable entries, which neurochip elides; compressed with Pair "
                "(sPyNNaker's virtual-board compressor) and ordered covering, as far as "
                "possible. neurochip maps each network twice: with its own sequential placer "
                "(own_placement) and on PACMAN's placement (pacman_placement: the same chips "
                "and slices, so the tables compare keys, trees and merging alone). Mapping "
                "time: PACMAN's steps from partitioning to the merged tables; neurochip's "
                "map_network, which also generates every synapse (PACMAN leaves that to data "
                "generation, skipped here)", "cases": cases}))


if __name__ == "__main__":
    main()
