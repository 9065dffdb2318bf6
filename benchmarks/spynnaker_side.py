"""The sPyNNaker half of the toolchain comparison; runs in sPyNNaker's own venv (never
neurochip's), on a virtual 48-chip SpiNNaker1 board pinned by a machine description.

    /work/venvs/spynnaker/bin/python benchmarks/spynnaker_side.py cuba --out cuba.json

Maps one network of NETWORKS (the same ones benchmarks/toolchain_compare.py maps in
neurochip) and writes one JSON object: cores by kind, chips used, router entries before
compression (all, and without the default-routable ones) and after PACMAN's Pair and
ordered-covering compressors (its log, on stderr, times every mapping step), and the
uncompressed tables
themselves (key, mask, route, defaultable) for neurochip's compressor test, and where each
slice was placed. Data generation (the synaptic matrices) is skipped: it is not mapping.
"""

import argparse
import json
import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
BOARD = HERE / "data" / "spinnaker1_board48.json"

# name: timestep, neurons per core, populations (name, size, model), projections
# (pre, post, connector, value, receptor, delay_ms); "p" fixed probability, "in" fixed
# in-degree (FixedNumberPre)
NETWORKS = {
    "cuba": {"timestep_ms": 0.1, "neurons_per_core": 64,
             "populations": [["exc", 3200, "lif"], ["inh", 800, "lif"]],
             "projections": [["exc", "exc", "p", 0.02, "excitatory", 0.1],
                             ["exc", "inh", "p", 0.02, "excitatory", 0.1],
                             ["inh", "exc", "p", 0.02, "inhibitory", 0.1],
                             ["inh", "inh", "p", 0.02, "inhibitory", 0.1]]},
    "brunel": {"timestep_ms": 0.1, "neurons_per_core": 256,
               "populations": [["exc", 10000, "lif"], ["inh", 2500, "lif"]],
               "projections": [["exc", "exc", "in", 1000, "excitatory", 1.5],
                               ["exc", "inh", "in", 1000, "excitatory", 1.5],
                               ["inh", "exc", "in", 250, "inhibitory", 1.5],
                               ["inh", "inh", "in", 250, "inhibitory", 1.5]]},
    "feedforward": {"timestep_ms": 1.0, "neurons_per_core": 64,
                    "populations": [["input", 1000, "poisson"]]
                    + [[f"layer{i}", 1000, "lif"] for i in range(1, 5)],
                    "projections": [[a, b, "p", 0.1, "excitatory", 1.0] for a, b in
                                    zip(["input", "layer1", "layer2", "layer3"],
                                        ["layer1", "layer2", "layer3", "layer4"])]},
    "many_small": {"timestep_ms": 1.0, "neurons_per_core": 256,
                   "populations": [[f"drive{i}", 20, "poisson"] for i in range(10)]
                   + [[f"pop{i}", 20, "lif"] for i in range(100)],
                   "projections": [[f"drive{i % 10}", f"pop{i}", "p", 0.2, "excitatory", 1.0]
                                   for i in range(100)]
                   + [[f"pop{i - k}", f"pop{i}", "p", 0.2, "excitatory", 1.0]
                      for i in range(100) for k in (1, 2) if i >= k]},
}


def build(sim, spec: dict) -> None:
    """The network of `spec` in PyNN (sPyNNaker)."""
    models = {"lif": sim.IF_curr_exp, "poisson": sim.SpikeSourcePoisson}
    for model in models.values():
        sim.set_number_of_neurons_per_core(model, spec["neurons_per_core"])
    sim.set_number_of_synapse_cores(sim.IF_curr_exp, 0)  # combined neuron-synapse cores
    pops = {}
    for name, size, model in spec["populations"]:
        cell = sim.SpikeSourcePoisson(rate=10.0) if model == "poisson" else sim.IF_curr_exp()
        pops[name] = sim.Population(size, cell, label=name)
    for pre, post, kind, value, receptor, delay in spec["projections"]:
        connector = (sim.FixedProbabilityConnector(value) if kind == "p"
                     else sim.FixedNumberPreConnector(int(value)))
        sim.Projection(pops[pre], pops[post], connector,
                       sim.StaticSynapse(weight=0.1, delay=delay), receptor_type=receptor)


def table_rows(table) -> list:
    return [[e.key, e.mask, e.spinnaker_route, bool(e.defaultable)]
            for e in table.multicast_routing_entries]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("network", choices=sorted(NETWORKS))
    parser.add_argument("--out", required=True)
    parser.add_argument("--work", help="folder for sPyNNaker's config and reports (default: "
                                       "a new temporary one)")
    args = parser.parse_args()
    spec = NETWORKS[args.network]
    work = Path(args.work or tempfile.mkdtemp(prefix="spynnaker-"))
    (work / ".spynnaker.cfg").write_text(
        "[Machine]\nvirtual_board = True\nversion = 5\n"
        f"json_path = {BOARD}\n\n[Mapping]\nrouter_table_compress_as_far_as_possible = True\n")
    os.environ["HOME"] = str(work)  # sPyNNaker reads (and would write) ~/.spynnaker.cfg
    os.chdir(work)
    import pyNN.spiNNaker as sim
    from spinn_front_end_common.data import FecDataView
    from spinn_front_end_common.interface.abstract_spinnaker_base import AbstractSpinnakerBase
    # mapping only: data generation (the synaptic matrices, minutes for Brunel) is not
    # mapping, and a virtual board never loads it
    AbstractSpinnakerBase._execute_graph_data_specification_writer = lambda self: None
    from pacman.operations.router_compressors.pair_compressor import pair_compressor
    from pacman.operations.router_compressors.ordered_covering_router_compressor \
        .ordered_covering import ordered_covering_compressor
    sim.setup(timestep=spec["timestep_ms"])
    build(sim, spec)
    start = time.perf_counter()
    sim.run(10 * spec["timestep_ms"])
    run_s = time.perf_counter() - start
    kinds = Counter(type(p.vertex).__name__ for p in FecDataView.iterate_placemements())
    app_chips = {(p.x, p.y) for p in FecDataView.iterate_placemements()
                 if type(p.vertex).__name__ not in ("ExtraMonitorSupportMachineVertex",
                                                     "DataSpeedUpPacketGatherMachineVertex")}
    uncompressed = FecDataView.get_uncompressed()
    tables = {f"{t.x},{t.y}": t for t in uncompressed.routing_tables}
    start = time.perf_counter()
    pair = pair_compressor(accept_overflow=True)
    pair_s = time.perf_counter() - start
    start = time.perf_counter()
    covering = ordered_covering_compressor()
    covering_s = time.perf_counter() - start

    def per_router(tabs) -> dict:
        return {f"{t.x},{t.y}": t.number_of_entries for t in tabs.routing_tables}

    from importlib.metadata import version
    record = {
        "network": args.network, "spec": spec,
        "versions": {name: version(name) for name in ("spynnaker", "spinnaker-pacman",
                                                       "spinnfrontendcommon", "pynn")},
        "machine": {"chips": FecDataView.get_machine().n_chips, "description": BOARD.name},
        "cores_by_kind": dict(kinds),
        "cores": sum(kinds.values()),
        "application_cores": sum(n for k, n in kinds.items()
                                 if k not in ("ExtraMonitorSupportMachineVertex",
                                              "DataSpeedUpPacketGatherMachineVertex")),
        "chips_used": len(app_chips),
        "entries": per_router(uncompressed),
        "entries_not_defaultable": {xy: sum(not e.defaultable
                                            for e in t.multicast_routing_entries)
                                    for xy, t in tables.items()},
        "entries_pair": per_router(pair), "entries_ordered_covering": per_router(covering),
        "run_wall_s": run_s, "pair_s": pair_s,
        "ordered_covering_s": covering_s,
        "tables": {xy: table_rows(t) for xy, t in tables.items()},
        "placements": [[p.vertex.app_vertex.label, p.vertex.vertex_slice.lo_atom,
                        p.vertex.vertex_slice.hi_atom, p.x, p.y, p.p]
                       for p in FecDataView.iterate_placemements()
                       if p.vertex.app_vertex is not None
                       and p.vertex.app_vertex.label in {q[0] for q in spec["populations"]}],
    }
    sim.end()
    Path(args.out).write_text(json.dumps(record))



if __name__ == "__main__":
    sys.exit(main())
