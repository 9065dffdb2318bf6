"""A scaling model of `timed` fidelity beyond this machine: per-rank time per tick from the
per-phase costs and message counts measured by `benchmarks.timed_scaling`, predicting the
parallel efficiency at 16, 64 and 256 ranks for a 48-chip board and a 10-board machine, with
one fabric domain (every rank routes every packet) and with one domain per rank (lookahead
windows), checked against the 2-rank measurements.

    python -m benchmarks.scaling_model [--exchange-us 5] [--hop-us 1.5] [--bandwidth-gbs 5]

The model, per tick of one rank of P ranks in F fabric domains:

    neurons x c_neuron / P                                       (split over all ranks)
  + (synaptic events x c_event + packet copies x c_copy) / P     (split: each rank applies
                                                                  the copies to its cores)
  + router and link events x c_route / F                         (repeated on a domain's ranks)
  + Python and SimPy glue per tick                               (every rank)
  + batches per tick x (exchange latency(P / F) + spike bytes / bandwidth)
  + [F > 1] windows per tick x (exchange latency(P) + Python glue per window)

c_neuron and the glue come from the one-rank runs; c_event, c_copy and c_route from the
fabric phase on 1 and 2 ranks (one domain) of the two measured workloads (a full chip, whose
packets never leave it and reach ~140 cores each with a synapse or two on each, and Brunel
over a 2 x 2 torus, whose packets cross links and carry ~600 synapses to each core they
reach): four equations for three costs, fitted by least squares on relative error, so the
check against the 2-rank runs has one equation to spare. The
exchange latency of P ranks is the measured 2-rank latency on one node, or on a cluster
`--exchange-us` plus `--hop-us` per doubling of the ranks (a tree of messages; both stated
assumptions, not measurements). Bigger machines are the full chip's workload per chip, each
spike's tree reaching 7 chips (its own and the six around it: local connectivity) and windows
as long as the lookahead over the busy part of every tick (from the tick's start to the last
spike of a full core of 256 neurons at 300 MHz: every window then has events).
"""

import argparse
import json
import math
from pathlib import Path

import numpy as np

import chips
from simulator.distribution import lookahead_ps

from .common import RESULTS, write_result

RANKS = (16, 64, 256)
MACHINES = {"48-chip board": 48, "10-board machine": 480}
TREE_CHIPS = 7          # chips on a spike's multicast tree on a big machine (assumption)
SPIKE_BYTES = 40        # a spike in the batch exchange: tick, id, slice, payload, emission


def costs(measured: dict) -> dict:
    """Per-unit host costs. The fabric phase of a rank is (c_event x synaptic events + c_copy
    x packet copies) of its cores + c_route x every router and link event of its domain; the
    1- and 2-rank runs (one domain) of both workloads give four such equations, solved for
    the three costs by least squares on each equation's relative error (non-negative: a cost
    that would come out below zero is dropped and the rest fitted again)."""
    rows, seconds = [], []
    for case in measured["cases"].values():
        for run in (r for r in case["results"] if r["ranks"] <= 2 and r["fabric_domains"] == 1):
            share = 1.0 / run["ranks"]
            rows.append([run["synaptic_events"] * share, run["packet_copies"] * share,
                         run["router_packets"] + run["link_packets"]])
            seconds.append(float(np.mean([p["routing"] for p in run["profile_s"]])))
    a, b = np.array(rows, dtype=float), np.array(seconds)
    a, b = a / b[:, None], np.ones_like(b)
    kept = [0, 1, 2]
    while True:
        solution = np.linalg.lstsq(a[:, kept], b, rcond=None)[0]
        if (solution >= 0).all() or len(kept) == 1:
            break
        kept.pop(int(np.argmin(solution)))
    fitted = np.zeros(3)
    fitted[kept] = np.maximum(solution, 0.0)
    chip = next(r for r in measured["cases"]["chip"]["results"] if r["ranks"] == 1)
    glue = {name: one["profile_s"][0]["other"] / one["ticks"]
            for name, case in measured["cases"].items()
            for one in case["results"] if one["ranks"] == 1}
    windowed = next(r for r in measured["cases"]["torus"]["results"] if r["fabric_domains"] > 1)
    window_glue = max(p["other"] for p in windowed["profile_s"]) / max(
        windowed["windows_per_rank"], 1)
    neuron_s = {name: one["profile_s"][0]["neurons"] / (one["neurons"] * one["ticks"])
                for name, case in measured["cases"].items()
                for one in case["results"] if one["ranks"] == 1}
    return {"c_neuron_s": neuron_s["chip"], "c_neuron_s_per_case": neuron_s,
            "c_event_s": float(fitted[0]), "c_copy_s": float(fitted[1]),
            "c_route_s": float(fitted[2]),
            "fabric_fit_relative_errors": (a @ fitted - 1.0).round(3).tolist(),
            "glue_s_per_tick": glue["chip"], "glue_s_per_tick_per_case": glue,
            "glue_s_per_window": window_glue, "chip_packet_copies_per_spike":
                chip["packet_copies"] / max(chip["spikes"], 1)}


def exchange_latency_s(ranks: int, args) -> float:
    """One exchange among `ranks` ranks of a cluster (stated assumptions)."""
    if ranks <= 1:
        return 0.0
    return (args.exchange_us + args.hop_us * math.log2(ranks)) * 1e-6


def per_tick_s(load: dict, c: dict, ranks: int, domains: int, latency, windows: float) -> float:
    """One rank's wall time per tick."""
    work = (load["neurons"] * c["c_neuron_s"] + load["events"] * c["c_event_s"]
            + load["copies"] * c["c_copy_s"]) / ranks
    fabric = load["fabric_events"] * c["c_route_s"] / domains
    # every rank of a domain receives the domain's spikes, once a batch
    exchange = (load["batches"] * latency(ranks // domains, False)
                + load["spikes"] / domains * SPIKE_BYTES / load["bandwidth"])
    sync = windows * (latency(ranks, True) + c["glue_s_per_window"]) if domains > 1 else 0.0
    return work + fabric + c["glue_s_per_tick"] + exchange + sync


def measured_latency_s(measured: dict, windows: bool = False) -> float:
    """Seconds per exchange on 2 ranks of this node: a batch's spike exchange (one fabric
    domain, both workloads' mean) or a lookahead window's (a domain per rank). The rank that
    waits least is the one the other waited for: its waiting and transfer are the latency,
    the other's extra waiting is imbalance, already in the work terms."""
    latencies = []
    for case in measured["cases"].values():
        for two in (r for r in case["results"] if r["ranks"] == 2
                    and (r["fabric_domains"] > 1) == windows):
            busy = min(p["waiting"] + p["communication"] for p in two["profile_s"])
            count = two["windows_per_rank"] if windows else two["exchanges_per_rank"]
            latencies.append(busy / max(count, 1))
    return float(np.mean(latencies))


def load_of(run: dict, chips_: int, scale: float) -> dict:
    """The work of one tick of `run` on a machine of `chips_` chips, `scale` times it per chip."""
    ticks = run["ticks"]
    spikes = run["spikes"] / ticks * scale
    return {"neurons": run["neurons"] * scale, "events": run["synaptic_events"] / ticks * scale,
            "copies": run["packet_copies"] / ticks * scale, "spikes": spikes, "fabric_events": spikes * (2 * TREE_CHIPS - 1)
            if chips_ > 1 else (run["router_packets"] + run["link_packets"]) / ticks * scale,
            "batches": 1.0}


def busy_part_of_tick_ps(machine) -> int:
    """From a tick's start to the last spike of a full core of current-based LIF neurons."""
    core = machine.chip.core
    per_neuron = machine.chip.neuron_cycles.of("if_curr_exp", core.cycles_per_neuron)
    return (core.cycles_per_tick + 256 * per_neuron) * 10**12 // core.clock_hz


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--exchange-us", type=float, default=5.0,
                        help="latency of an exchange between two nodes (assumption)")
    parser.add_argument("--hop-us", type=float, default=1.5,
                        help="added latency per doubling of the ranks (assumption)")
    parser.add_argument("--bandwidth-gbs", type=float, default=5.0,
                        help="bytes per second one rank receives, GB/s (assumption)")
    parser.add_argument("--measured", default=str(RESULTS / "timed_scaling.json"))
    args = parser.parse_args()
    measured = json.loads(Path(args.measured).read_text())["figures"]
    c = costs(measured)
    node_latency = measured_latency_s(measured)
    window_latency = measured_latency_s(measured, windows=True)
    bandwidth = args.bandwidth_gbs * 1e9
    checks = []
    for name, case in measured["cases"].items():
        one = next(r for r in case["results"] if r["ranks"] == 1)
        for two in (r for r in case["results"] if r["ranks"] == 2):
            ticks = one["ticks"]
            load = {"neurons": one["neurons"], "events": one["synaptic_events"] / ticks,
                    "copies": one["packet_copies"] / ticks, "spikes": one["spikes"] / ticks, "bandwidth": bandwidth,
                    "fabric_events": (one["router_packets"] + one["link_packets"]) / ticks,
                    "batches": two["exchanges_per_rank"] / ticks
                    if two["fabric_domains"] == 1 else 1.0}
            windows = two["windows_per_rank"] / ticks
            own = dict(c, c_neuron_s=c["c_neuron_s_per_case"][name],  # Poisson drives too
                       glue_s_per_tick=c["glue_s_per_tick_per_case"][name])
            predicted = per_tick_s(load, own, 2, two["fabric_domains"],
                                   lambda r, w: 0.0 if r <= 1 else
                                   (window_latency if w else node_latency), windows) * ticks
            checks.append({"case": name, "fabric_domains": two["fabric_domains"],
                           "measured_run_s": two["run_wall_s"],
                           "predicted_run_s": round(predicted, 3),
                           "error": round(predicted / two["run_wall_s"] - 1, 3)})
    chip_run = next(r for r in measured["cases"]["chip"]["results"] if r["ranks"] == 1)
    busy_ps = busy_part_of_tick_ps(chips.spinnaker2())
    predictions = []
    for machine_name, n_chips in MACHINES.items():
        width = 8 if n_chips == 48 else 24
        machine = chips.spinnaker2(width, n_chips // width, wrap=n_chips > 48)
        load = dict(load_of(chip_run, n_chips, n_chips), bandwidth=bandwidth)
        one = per_tick_s(load, c, 1, 1, lambda r, w: 0.0, 0.0)
        for ranks in RANKS:
            row = {"machine": machine_name, "chips": n_chips, "ranks": ranks}
            for label, domains in (("one_domain", 1), ("domain_per_rank",
                                                       min(ranks, n_chips))):
                domain = (np.arange(machine.n_chips) * domains // machine.n_chips)
                lookahead = lookahead_ps(machine, domain.astype(np.int32))
                windows = busy_ps / lookahead if domains > 1 else 0.0
                t = per_tick_s(load, c, ranks, domains,
                               lambda r, w: exchange_latency_s(r, args),
                               windows)
                row[label] = {"efficiency": round(one / (ranks * t), 3),
                              "wall_s_per_simulated_s": round(t * 1000, 2),
                              "windows_per_tick": round(windows)}
            predictions.append(row)
            print(json.dumps(row))
    figures = {"costs": c, "exchange_latency_2_ranks_s": node_latency,
               "window_latency_2_ranks_s": window_latency,
               "assumptions": {"cluster_exchange_us": args.exchange_us,
                               "hop_us_per_doubling": args.hop_us,
                               "bandwidth_gbs": args.bandwidth_gbs,
                               "tree_chips": TREE_CHIPS, "busy_part_of_tick_ps": busy_ps},
               "check_against_2_ranks": checks, "predictions": predictions}
    for check in checks:
        print(json.dumps(check))
    print("wrote", write_result("scaling_model", figures))


if __name__ == "__main__":
    main()
