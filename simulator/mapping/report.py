"""Validate a mapping without simulating: memory per core, entries per router, expected load
per link and cycles per tick per core, each against its capacity (docs/mapping.md).

Expected traffic comes from each population's firing rate (`[mapping] rates_hz`, a Poisson
source's own rate, else `default_rate_hz`): slice s sends rate x neurons packets/s along
every link of its multicast tree; a core receives those packets from every slice with a
synapse on it, and each packet costs one synaptic event per synapse of its row there.
The cycle model is the timed engine's (simulator/engine/cores.py), and the expected power
the energy model's (simulator/energy.py) at those rates.
"""

from dataclasses import dataclass

import numpy as np

from networks import Network

from ..costs import slice_cycles_per_neuron
from ..csr import row_of
from ..energy import PowerEstimate, expected_power
from .mapping import Mapping
from .kernels import edge_cycles_per_event
from .resources import KEY_BYTES, MEMORY_PARTS
from .roles import DELAY, ROLES, SYNAPSE
from .roles import helper_memory as helper_bytes

LISTED = 5  # worst cases listed per kind of reason


@dataclass(frozen=True, eq=False)
class MappingReport:
    """What the mapping costs the machine; `reasons` lists what does not fit."""

    chips_used: int
    cores_used: int
    system_cores: int                 # monitor, extra monitor and data gatherer cores
    synapse_cores: int                # split synapse cores beside the neuron cores
    delay_cores: int                  # delay-extension cores
    memory_bytes: np.ndarray          # int64 [slices]: the neuron core's data memory
    helper_memory_bytes: np.ndarray   # int64 [helpers]: each helper core's data memory
    memory_capacity_bytes: int
    sdram_bytes: np.ndarray           # int64 [chips]: synaptic rows in each chip's SDRAM
    sdram_capacity_bytes: int
    router_entries: np.ndarray        # int64 [chips], default-routed hops elided
    router_entries_compressed: np.ndarray
    router_capacity: int
    link_packets_per_s: np.ndarray    # float64 [links]
    link_load: np.ndarray             # fraction of bandwidth [links]
    cycles_per_tick: np.ndarray       # float64 [slices]
    budget_cycles_per_tick: int       # at the level a core with that load runs at
    power: PowerEstimate
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

    helpers = mapping.helpers
    memory = mapping.memory.core.astype(np.int64)
    split = np.bincount(helpers.serves[helpers.role == SYNAPSE], minlength=len(slices)) > 0
    memory[split] = (mapping.memory.neuron_bytes[split] + KEY_BYTES)  # the rest is theirs
    helper_memory = helper_bytes(network, slices, mapping.memory, helpers, chip.core)
    sizes = mapping.table_sizes
    routes = mapping.routes
    link_packets = np.bincount(routes.links, weights=packets_s[row_of(routes.link_ptr)],
                               minlength=topology.n_links)
    bits = np.where(graded, chip.packet_bits(True), chip.packet_bits(False))
    link_bits = np.bincount(routes.links, weights=(packets_s * bits)[row_of(routes.link_ptr)],
                            minlength=topology.n_links)
    link_load = wire_fraction(machine, routes, packets_s, graded)

    core = chip.core
    tick_s = timestep_ms * 1e-3
    edges = mapping.edges
    source_rate = mapping.rates_hz[slices.population[edges.source]]
    packets_in = np.bincount(edges.target, weights=packets_s[edges.source],
                             minlength=len(slices)) * tick_s
    event_cycles_in = np.bincount(edges.target, weights=edges.synapses * source_rate
                                  * edge_cycles_per_event(network, mapping),
                                  minlength=len(slices)) * tick_s
    cycles = (core.cycles_per_tick
              + slice_cycles_per_neuron(network, machine, slices.population) * slices.size
              + chip.packet_cycles() * packets_in + event_cycles_in)
    timestep_ns = round(timestep_ms * 1e6)
    budgets = core.budget_cycles(timestep_ns)
    budget = budgets[core.performance_level if core.dvfs_policy == "fixed" else -1]
    hops = chip.noc_hops()[placement.core]
    received_s = packets_in / tick_s
    sends = np.diff(routes.router_ptr) > 0
    router_packets = np.bincount(routes.routers, weights=packets_s[row_of(routes.router_ptr)],
                                 minlength=topology.n_chips)
    power = expected_power(machine, placement.chip, cycles,
                           (packets_s * sends + received_s) * hops, router_packets, link_bits,
                           timestep_ns)

    def where(s):
        x, y = topology.chip_xy[placement.chip[s]]
        return (f"core {placement.core[s]} of chip ({x}, {y}) ({names[slices.population[s]]} "
                f"neurons {slices.start[s]}..{slices.stop[s] - 1})")

    def link_name(k):
        x, y = topology.chip_xy[topology.link_source[k]]
        return f"link from chip ({x}, {y}) direction {topology.link_direction[k]}"

    sdram = mapping.memory.sdram_per_chip(placement.chip, machine.n_chips)
    reasons = []
    reasons += _worst(memory, core.data_bytes, lambda s: (
        f"{where(s)} needs {memory[s]} bytes of data memory but has {core.data_bytes}; "
        f"lower [mapping] neurons_per_core or raise [machine.core] data_bytes"))
    reasons += _worst(helper_memory, core.data_bytes, lambda h: (
        f"the {ROLES[helpers.role[h]]} core {helpers.core[h]} of {where(helpers.serves[h])} "
        f"needs {helper_memory[h]} bytes of data memory but has {core.data_bytes}; raise "
        f"[mapping] synapse_cores or [machine.core] data_bytes"))
    reasons += _worst(sdram, chip.sdram_bytes, lambda c: (
        f"chip ({topology.chip_xy[c][0]}, {topology.chip_xy[c][1]}) needs {sdram[c]} bytes "
        f"of SDRAM for the synaptic rows of its {int((placement.chip == c).sum())} cores but "
        f"has {chip.sdram_bytes}; use the spread placer, lower [mapping] neurons_per_core or "
        f"raise [machine.chip] sdram_bytes"))
    reasons += _worst(sizes.after, sizes.capacity, lambda c: (
        f"the router of chip ({topology.chip_xy[c][0]}, {topology.chip_xy[c][1]}) needs "
        f"{sizes.after[c]} entries even compressed (from {sizes.before[c]}) but holds "
        f"{sizes.capacity}; use the graph placer, pin communicating populations together or "
        f"raise [machine.router] table_entries"))
    reasons += _worst(link_load, 1.0, lambda k: (
        f"the {link_name(k)} would carry {link_packets[k]:.4g} packets/s = "
        f"{link_bits[k]:.4g} bit/s, {link_load[k]:.0%} of what it can carry"))
    reasons += _worst(cycles, budget, lambda s: (
        f"{where(s)} needs about {cycles[s]:.0f} cycles per tick, over its budget of "
        f"{budget} (clock x tick at the fastest level it may run at)"))
    return MappingReport(
        chips_used=len(np.unique(placement.chip)), cores_used=len(slices) + len(helpers),
        system_cores=int(machine.system_cores().sum()),
        synapse_cores=helpers.count(SYNAPSE), delay_cores=helpers.count(DELAY),
        memory_bytes=memory, helper_memory_bytes=helper_memory,
        memory_capacity_bytes=core.data_bytes,
        sdram_bytes=sdram, sdram_capacity_bytes=chip.sdram_bytes,
        router_entries=sizes.before, router_entries_compressed=sizes.after,
        router_capacity=sizes.capacity, link_packets_per_s=link_packets, link_load=link_load,
        cycles_per_tick=cycles, budget_cycles_per_tick=budget, power=power,
        reasons=tuple(reasons))


def wire_fraction(machine, routes, packets_s: np.ndarray, graded: np.ndarray) -> np.ndarray:
    """Share of each second that each link spends sending its expected packets (whole
    frames, at its on-board or board-to-board rate)."""
    chip, n_links = machine.chip, machine.topology.n_links
    on = row_of(routes.link_ptr)
    busy_ps = np.zeros(n_links)
    for payload in (False, True):
        packets = np.bincount(routes.links, weights=packets_s[on] * (graded[on] == payload),
                              minlength=n_links)
        busy_ps += packets * machine.link_serialisation_ps(chip.packet_bits(payload))
    return busy_ps * 1e-12


def _worst(values, capacity, describe) -> list[str]:
    """A reason for each of the `LISTED` worst items over `capacity`, and a count of the rest."""
    over = np.flatnonzero(values > capacity)
    worst = over[np.argsort(-values[over], kind="stable")]
    lines = [describe(int(i)) for i in worst[:LISTED]]
    if len(over) > LISTED:
        lines.append(f"... and {len(over) - LISTED} more like it")
    return lines


def slice_sizes(sizes: np.ndarray) -> dict:
    """{size: slices of that size}, largest first."""
    values, counts = np.unique(sizes, return_counts=True)
    return {int(v): int(c) for v, c in zip(values[::-1], counts[::-1])}


def populations(network: Network, mapping: Mapping) -> list[dict]:
    """Each population's slices, their sizes, and its key space."""
    slices, keys = mapping.slices, mapping.keys
    rows = []
    for pop in network.populations:
        mine = slices.of_population(pop.index)
        rows.append({"name": pop.name, "neurons": pop.size, "slices": len(mine),
                     "slice_sizes": slice_sizes(slices.size[mine]),
                     "key": int(keys.population_base[pop.index]),
                     "mask": int(keys.population_mask[pop.index]), "slice_mask": keys.mask})
    return rows


def sizes_text(sizes: dict) -> str:
    return " + ".join(f"{count} x {size}" for size, count in sizes.items())


def report_dict(report: MappingReport, mapping: Mapping, network: Network) -> dict:
    """The report as plain numbers and lists (for --json and the result file)."""
    memory = mapping.memory
    machine = mapping.machine
    xy = machine.topology.chip_xy
    used = np.flatnonzero(report.router_entries > 0)
    return {
        "fits": report.fits,
        "reasons": list(report.reasons),
        "chips_used": report.chips_used,
        "cores_used": report.cores_used,
        "system_cores": report.system_cores,
        "synapse_cores": report.synapse_cores,
        "delay_cores": report.delay_cores,
        "populations": populations(network, mapping),
        "memory": {"capacity_bytes": report.memory_capacity_bytes,
                   "field": "[machine.core] data_bytes",
                   "max_bytes": int(report.memory_bytes.max(initial=0)),
                   "mean_bytes": float(report.memory_bytes.mean()) if len(report.memory_bytes)
                   else 0.0,
                   "by_part_bytes": {name: int(getattr(memory, name).sum())
                                     for name in MEMORY_PARTS},
                   "per_core_bytes": report.memory_bytes.tolist(),
                   "per_helper_core_bytes": report.helper_memory_bytes.tolist()},
        "sdram": {"synapse_memory": machine.chip.synapse_memory,
                  "capacity_bytes": report.sdram_capacity_bytes,
                  "field": "[machine.chip] sdram_bytes",
                  "max_bytes": int(report.sdram_bytes.max(initial=0)),
                  "per_chip_bytes": report.sdram_bytes.tolist()},
        "routers": {"capacity_entries": report.router_capacity,
                    "field": "[machine.router] table_entries",
                    "max_entries": int(report.router_entries.max(initial=0)),
                    "max_entries_compressed": int(report.router_entries_compressed.max(
                        initial=0)),
                    "total_entries": int(report.router_entries.sum()),
                    "total_entries_compressed": int(report.router_entries_compressed.sum()),
                    "compressed_routers": int((report.router_entries_compressed
                                               < report.router_entries).sum()),
                    "per_router": [{"chip": [int(xy[c][0]), int(xy[c][1])],
                                    "entries": int(report.router_entries[c]),
                                    "entries_compressed":
                                        int(report.router_entries_compressed[c])}
                                   for c in used],
                    "entries": report.router_entries.tolist(),
                    "entries_compressed": report.router_entries_compressed.tolist()},
        "links": {"bandwidth_bps": mapping.machine.chip.link.bandwidth_bps,
                  "max_load": float(report.link_load.max(initial=0.0)),
                  "total_packet_hops_per_s": float(report.link_packets_per_s.sum()),
                  "packets_per_s": report.link_packets_per_s.tolist()},
        "cycles": {"budget_per_tick": report.budget_cycles_per_tick,
                   "max_per_tick": float(report.cycles_per_tick.max(initial=0.0)),
                   "per_core_per_tick": report.cycles_per_tick.tolist()},
        "power": {"total_w": report.power.total_w,
                  "by_part_w": {part: float(w.sum()) for part, w in
                                report.power.chip_w.items()},
                  "per_chip_w": np.sum(list(report.power.chip_w.values()), axis=0).tolist(),
                  "per_core_w": report.power.core_w.tolist(),
                  "per_core_level": report.power.core_level.tolist()},
    }


def report_text(report: MappingReport, mapping: Mapping, network: Network) -> str:
    """A few lines a person reads: what is used, the slices and keys of each population,
    the tightest resource of each kind with its limit and the field that sets it, and why
    the mapping does not fit, if it does not."""
    machine = mapping.machine
    xy = machine.topology.chip_xy
    chip = machine.chip
    lines = [f"{report.cores_used} application cores and {report.system_cores} system cores "
             f"on {report.chips_used} of {machine.n_chips} chips ({mapping.options.placer} "
             f"placer)"]
    rows = populations(network, mapping)
    for row in rows[:LISTED * 2]:
        lines.append(f"  {row['name']}: {row['neurons']} neurons in {row['slices']} slices "
                     f"({sizes_text(row['slice_sizes'])}), keys {row['key']:#010x} mask "
                     f"{row['mask']:#010x}, slice mask {row['slice_mask']:#010x}")
    if len(rows) > LISTED * 2:
        lines.append(f"  ... and {len(rows) - LISTED * 2} more populations (--json lists all)")
    if report.synapse_cores or report.delay_cores:
        lines.append(f"  helper cores: {report.synapse_cores} synapse cores, "
                     f"{report.delay_cores} delay-extension cores beside the neuron cores")
    busiest = max(report.memory_bytes.max(initial=0),
                  report.helper_memory_bytes.max(initial=0))
    lines.append(f"  core memory: busiest core {busiest} of {report.memory_capacity_bytes} "
                 f"bytes ({busiest / report.memory_capacity_bytes:.0%}; [machine.core] "
                 f"data_bytes)" + (", synaptic rows in chip SDRAM"
                                   if chip.synapse_memory == "sdram" else
                                   ", synaptic rows included"))
    if mapping.kernels is not None and mapping.kernels.any():
        lines.append(f"  shared kernels: {int(mapping.kernels.sum())} convolutions stored as "
                     f"kernels ([mapping] conv_storage), {int(mapping.memory.kernel_bytes.sum())}"
                     f" bytes on {int((mapping.memory.kernel_bytes > 0).sum())} cores")
    if chip.synapse_memory == "sdram":
        most = report.sdram_bytes.max(initial=0)
        lines.append(f"  SDRAM: busiest chip {most} of {report.sdram_capacity_bytes} bytes "
                     f"({most / report.sdram_capacity_bytes:.0%}; [machine.chip] sdram_bytes)")
    lines.append(f"  routers: {int((report.router_entries > 0).sum())} with entries, "
                 f"{report.router_entries.sum()} entries in all, "
                 f"{report.router_entries_compressed.sum()} compressed; largest table "
                 f"{report.router_entries.max(initial=0)} entries, "
                 f"{report.router_entries_compressed.max(initial=0)} compressed, of "
                 f"{report.router_capacity} ([machine.router] table_entries)")
    for c in np.argsort(-report.router_entries, kind="stable")[:LISTED]:
        if report.router_entries[c]:
            lines.append(f"    chip ({xy[c][0]}, {xy[c][1]}): {report.router_entries[c]} "
                         f"-> {report.router_entries_compressed[c]}")
    lines += [
        f"  links: busiest {report.link_load.max(initial=0.0):.1%} of "
        f"{machine.chip.link.bandwidth_bps:.3g} bit/s; "
        f"{report.link_packets_per_s.sum():.4g} packet-hops/s in all",
        f"  cycles: busiest core {report.cycles_per_tick.max(initial=0.0):.0f} per tick of "
        f"{report.budget_cycles_per_tick}",
        f"  power: about {report.power.total_w:.4g} W at the expected rates ("
        + ", ".join(f"{part} {w.sum():.3g} W" for part, w in report.power.chip_w.items())
        + ")",
    ]
    if report.fits:
        lines.append("fits")
    else:
        lines.append("does not fit:")
        lines += [f"  - {reason}" for reason in report.reasons]
    return "\n".join(lines)


def slice_lines(network: Network, machine, options) -> list[str]:
    """The slices each population would be cut into (for a mapping that failed later)."""
    from .mapping import cut_slices
    slices, _ = cut_slices(network, machine, options)
    return [f"  {pop.name}: {pop.size} neurons in {len(mine)} slices "
            f"({sizes_text(slice_sizes(slices.size[mine]))})"
            for pop in network.populations for mine in [slices.of_population(pop.index)]]
