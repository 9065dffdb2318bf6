"""Validate a mapping without simulating: memory per core, entries per router, expected load
per link and cycles per tick per core, each against its capacity (docs/mapping.md).

Expected traffic comes from each population's firing rate (`[mapping] rates_hz`, a Poisson
source's own rate, else `default_rate_hz`): slice s sends rate x neurons packets/s along
every link of its multicast tree; a core receives those packets from every slice with a
synapse on it, and each packet costs one synaptic event per synapse of its row there.
The cycle model is the timed engine's (simulator/engine/cores.py).
"""

from dataclasses import dataclass

import numpy as np

from networks import Network

from ..csr import row_of
from .mapping import Mapping
from .resources import MEMORY_PARTS

LISTED = 5  # worst cases listed per kind of reason


@dataclass(frozen=True, eq=False)
class MappingReport:
    """What the mapping costs the machine; `reasons` lists what does not fit."""

    chips_used: int
    cores_used: int
    memory_bytes: np.ndarray          # int64 [slices]
    memory_capacity_bytes: int
    router_entries: np.ndarray        # int64 [chips], default-routed hops elided
    router_entries_compressed: np.ndarray
    router_capacity: int
    link_packets_per_s: np.ndarray    # float64 [links]
    link_load: np.ndarray             # fraction of bandwidth [links]
    cycles_per_tick: np.ndarray       # float64 [slices]
    budget_cycles_per_tick: int
    reasons: tuple[str, ...]

    @property
    def fits(self) -> bool:
        return not self.reasons


def mapping_report(network: Network, mapping: Mapping, timestep_ms: float) -> MappingReport:
    machine, slices, placement = mapping.machine, mapping.slices, mapping.placement
    topology, chip = machine.topology, machine.chip
    names = [p.name for p in network.populations]
    graded = np.array([p.model.graded for p in network.populations])[slices.population]
    packets_s = mapping.rates_hz[slices.population] * slices.size

    memory = mapping.memory.core.astype(np.int64)
    sizes = mapping.table_sizes
    routes = mapping.routes
    link_packets = np.bincount(routes.links, weights=packets_s[row_of(routes.link_ptr)],
                               minlength=topology.n_links)
    bits = np.where(graded, chip.packet_bits(True), chip.packet_bits(False))
    link_bits = np.bincount(routes.links, weights=(packets_s * bits)[row_of(routes.link_ptr)],
                            minlength=topology.n_links)
    link_load = link_bits / chip.link.bandwidth_bps

    core = chip.core
    tick_s = timestep_ms * 1e-3
    edges = mapping.edges
    source_rate = mapping.rates_hz[slices.population[edges.source]]
    packets_in = np.bincount(edges.target, weights=packets_s[edges.source],
                             minlength=len(slices)) * tick_s
    events_in = np.bincount(edges.target, weights=edges.synapses * source_rate,
                            minlength=len(slices)) * tick_s
    cycles = (core.cycles_per_tick + core.cycles_per_neuron * slices.size
              + core.cycles_per_packet * packets_in
              + core.cycles_per_synaptic_event * events_in)
    budget = core.clock_hz * round(timestep_ms * 1e6) // 1_000_000_000

    def where(s):
        x, y = topology.chip_xy[placement.chip[s]]
        return (f"core {placement.core[s]} of chip ({x}, {y}) ({names[slices.population[s]]} "
                f"neurons {slices.start[s]}..{slices.stop[s] - 1})")

    def link_name(k):
        x, y = topology.chip_xy[topology.link_source[k]]
        return f"link from chip ({x}, {y}) direction {topology.link_direction[k]}"

    reasons = []
    reasons += _worst(memory, core.data_bytes, lambda s: (
        f"{where(s)} needs {memory[s]} bytes of data memory but has {core.data_bytes}"))
    reasons += _worst(sizes.after, sizes.capacity, lambda c: (
        f"the router of chip ({topology.chip_xy[c][0]}, {topology.chip_xy[c][1]}) needs "
        f"{sizes.after[c]} entries even compressed (from {sizes.before[c]}) but holds "
        f"{sizes.capacity}"))
    reasons += _worst(link_load, 1.0, lambda k: (
        f"the {link_name(k)} would carry {link_packets[k]:.4g} packets/s = "
        f"{link_bits[k]:.4g} bit/s, over its {chip.link.bandwidth_bps:.4g} bit/s"))
    reasons += _worst(cycles, budget, lambda s: (
        f"{where(s)} needs about {cycles[s]:.0f} cycles per tick, over its budget of "
        f"{budget} (clock x tick)"))
    return MappingReport(
        chips_used=len(np.unique(placement.chip)), cores_used=len(slices),
        memory_bytes=memory, memory_capacity_bytes=core.data_bytes,
        router_entries=sizes.before, router_entries_compressed=sizes.after,
        router_capacity=sizes.capacity, link_packets_per_s=link_packets, link_load=link_load,
        cycles_per_tick=cycles, budget_cycles_per_tick=budget, reasons=tuple(reasons))


def _worst(values, capacity, describe) -> list[str]:
    """A reason for each of the `LISTED` worst items over `capacity`, and a count of the rest."""
    over = np.flatnonzero(values > capacity)
    worst = over[np.argsort(-values[over], kind="stable")]
    lines = [describe(int(i)) for i in worst[:LISTED]]
    if len(over) > LISTED:
        lines.append(f"... and {len(over) - LISTED} more like it")
    return lines


def report_dict(report: MappingReport, mapping: Mapping) -> dict:
    """The report as plain numbers and lists (for --json and the result file)."""
    memory = mapping.memory
    return {
        "fits": report.fits,
        "reasons": list(report.reasons),
        "chips_used": report.chips_used,
        "cores_used": report.cores_used,
        "memory": {"capacity_bytes": report.memory_capacity_bytes,
                   "max_bytes": int(report.memory_bytes.max(initial=0)),
                   "mean_bytes": float(report.memory_bytes.mean()) if len(report.memory_bytes)
                   else 0.0,
                   "by_part_bytes": {name: int(getattr(memory, name).sum())
                                     for name in MEMORY_PARTS},
                   "per_core_bytes": report.memory_bytes.tolist()},
        "routers": {"capacity_entries": report.router_capacity,
                    "max_entries": int(report.router_entries.max(initial=0)),
                    "max_entries_compressed": int(report.router_entries_compressed.max(
                        initial=0)),
                    "compressed_routers": int((report.router_entries_compressed
                                               < report.router_entries).sum()),
                    "entries": report.router_entries.tolist(),
                    "entries_compressed": report.router_entries_compressed.tolist()},
        "links": {"bandwidth_bps": mapping.machine.chip.link.bandwidth_bps,
                  "max_load": float(report.link_load.max(initial=0.0)),
                  "total_packet_hops_per_s": float(report.link_packets_per_s.sum()),
                  "packets_per_s": report.link_packets_per_s.tolist()},
        "cycles": {"budget_per_tick": report.budget_cycles_per_tick,
                   "max_per_tick": float(report.cycles_per_tick.max(initial=0.0)),
                   "per_core_per_tick": report.cycles_per_tick.tolist()},
    }


def report_text(report: MappingReport, mapping: Mapping) -> str:
    """A few lines a person reads: what is used, the tightest resource of each kind, and why
    the mapping does not fit, if it does not."""
    machine = mapping.machine
    lines = [
        f"{report.cores_used} cores on {report.chips_used} of {machine.n_chips} chips "
        f"({mapping.options.placer} placer)",
        f"  memory: busiest core {report.memory_bytes.max(initial=0)} of "
        f"{report.memory_capacity_bytes} bytes "
        f"({report.memory_bytes.max(initial=0) / report.memory_capacity_bytes:.0%})",
        f"  routers: largest table {report.router_entries.max(initial=0)} entries, "
        f"{report.router_entries_compressed.max(initial=0)} after compression, of "
        f"{report.router_capacity}",
        f"  links: busiest {report.link_load.max(initial=0.0):.1%} of "
        f"{machine.chip.link.bandwidth_bps:.3g} bit/s; "
        f"{report.link_packets_per_s.sum():.4g} packet-hops/s in all",
        f"  cycles: busiest core {report.cycles_per_tick.max(initial=0.0):.0f} per tick of "
        f"{report.budget_cycles_per_tick}",
    ]
    if report.fits:
        lines.append("fits")
    else:
        lines.append("does not fit:")
        lines += [f"  - {reason}" for reason in report.reasons]
    return "\n".join(lines)
