"""Gather what every rank simulated into one `Result` on rank 0 (layout: docs/results.md)."""

import json

import numpy as np
import h5py

from networks import Network

from .engine.kernel import PROFILE_PHASES, RankSimulation
from .activity import energy_attributes, run_energy
from .energy import energy_datasets
from .engine.helpers import core_columns
from .engine.timed import latency_bin_edges_ns
from .mapping import Mapping
from .mapping.report import mapping_report
from .results import Result

LINK_DTYPE = np.dtype([("source_x", "i4"), ("source_y", "i4"), ("direction", "i4"),
                       ("target_x", "i4"), ("target_y", "i4")])
CHIP_DTYPE = np.dtype([("x", "i4"), ("y", "i4")])
PLACEMENT_DTYPE = np.dtype([("population", h5py.string_dtype()), ("slice_start", "i8"),
                            ("slice_stop", "i8"), ("chip_x", "i4"), ("chip_y", "i4"),
                            ("core", "i4"), ("key", "u4")])
EDGE_DTYPE = np.dtype([("source_slice", "i4"), ("target_slice", "i4"), ("synapses", "i8")])
POPULATION_DTYPE = np.dtype([("population", h5py.string_dtype()), ("slices", "i8"),
                             ("key", "u4"), ("mask", "u4")])
WHOLE_RUN = ("latency_histogram", "link_latency_histogram")


def collect(network: Network, mapping: Mapping, sim: RankSimulation,
            attributes: dict) -> Result | None:
    """The result of the run on rank 0; None on every other rank (all ranks must call)."""
    comm = sim.comm
    done = sim.completed_ticks
    windows = -(-done // sim.run_options.window_ticks)
    ticks, ids = sim.recorder.arrays()
    kept = ticks < done
    all_ticks = comm.gather(ticks[kept])
    all_ids = comm.gather(ids[kept])
    counts = dict(sim.traffic_counts())
    counts.update(sim.whole_run_counts())
    counts = {name: comm.sum(array if name in WHOLE_RUN else array[:windows])
              for name, array in counts.items()}
    profile = profile_datasets(sim)
    cores = core_datasets(mapping, sim, windows) if sim.timed else {}
    states = state_datasets(network, sim, done)
    if comm.rank != 0:
        return None
    datasets = dict(states)
    datasets.update(spike_datasets(network, np.concatenate(all_ticks), np.concatenate(all_ids)))
    datasets.update(traffic_datasets(mapping, sim.run_options, counts, done))
    report = mapping_report(network, mapping, sim.run_options.timestep_ms)
    datasets.update(mapping_datasets(network, mapping, report))
    datasets.update(cores)
    datasets.update(profile)
    energy = run_energy(network, mapping, sim.run_options, done, np.concatenate(all_ticks),
                        np.concatenate(all_ids), datasets)
    datasets.update(energy_datasets(energy))
    group_attributes = {
        "traffic": {"window_length_ticks": sim.run_options.window_ticks},
        "mapping": {"neurons_per_core": mapping.options.neurons_per_core,
                    "placer": mapping.options.placer,
                    "neuron_bits": mapping.keys.neuron_bits,
                    "key_mask": mapping.keys.mask,
                    **mapping_attributes(mapping, report),
                    **machine_attributes(mapping.machine)},
    }
    for pop in network.populations:
        group_attributes[f"spikes/{pop.name}"] = {"size": pop.size, "model": pop.model.name}
    if sim.timed:
        group_attributes["cores"] = {"budget_cycles_per_tick": sim.cores.budget_cycles}
    group_attributes["profile"] = {"phases": list(PROFILE_PHASES), "exchange": sim.exchange_kind}
    attributes = dict(attributes, duration_ticks=done,
                      requested_duration_ticks=sim.run_options.duration_ticks,
                      interrupted=done < sim.run_options.duration_ticks,
                      **energy_attributes(energy, sim.run_options, done))
    return Result(attributes, datasets, group_attributes)


def machine_attributes(machine) -> dict:
    """What a report needs of the chip to draw it: the core grid (the table capacity comes
    with the mapping report)."""
    chip = machine.chip
    return {"cores_per_chip": chip.cores, "reserved_cores": chip.reserved_cores,
            "noc_layout": chip.noc_layout}


def spike_datasets(network: Network, ticks: np.ndarray, ids: np.ndarray) -> dict:
    """`spikes/<population>/times` and `/ids`, sorted by time then id."""
    offsets = np.cumsum([0] + [p.size for p in network.populations])
    population = np.searchsorted(offsets, ids, side="right") - 1
    datasets = {}
    for pop in network.populations:
        mine = population == pop.index
        t = ticks[mine]
        i = (ids[mine] - offsets[pop.index])
        order = np.lexsort((i, t))
        datasets[f"spikes/{pop.name}/times"] = t[order].astype(np.int64)
        datasets[f"spikes/{pop.name}/ids"] = i[order].astype(np.int32)
    return datasets


def state_datasets(network: Network, sim: RankSimulation, n_ticks: int) -> dict:
    """`state/<population>/<variable>`: [ticks, neurons], gathered from every rank."""
    comm = sim.comm
    datasets = {}
    for pop in network.populations:
        for variable in network.recorded.get(pop.name, ()):
            probe = next((p for p in sim.probes
                          if p.population == pop.index and p.variable == variable), None)
            neurons = probe.neurons if probe else np.empty(0, dtype=np.int64)
            values = probe.values[:n_ticks].T.ravel() if probe else np.empty(0)
            all_neurons, all_values = comm.gather(neurons), comm.gather(values)
            if comm.rank == 0:
                table = np.empty((n_ticks, pop.size), dtype=np.float64)
                for ids, flat in zip(all_neurons, all_values):
                    table[:, ids] = flat.reshape(len(ids), n_ticks).T
                datasets[f"state/{pop.name}/{variable}"] = table
    return datasets


def profile_datasets(sim: RankSimulation) -> dict:
    """`profile/`: where each rank's time went, and what it exchanged (rank 0's copy)."""
    comm = sim.comm
    windows = getattr(sim.fabric, "windows", 0)
    own = np.concatenate([sim.profile, [sim.exchanges, sim.bytes_sent, windows]])
    every = comm.gather(own)
    if comm.rank != 0:
        return {}
    table = np.stack(every)
    n = len(PROFILE_PHASES)
    return {"profile/seconds": table[:, :n], "profile/exchanges": table[:, n].astype(np.int64),
            "profile/bytes_sent": table[:, n + 1].astype(np.int64),
            "profile/windows": table[:, n + 2].astype(np.int64)}


def core_datasets(mapping: Mapping, sim: RankSimulation, windows: int) -> dict:
    """`cores/<counter>`: [windows, cores] (the per-level ones [levels, windows, cores]), one
    column per slice's core then per helper core (`cores/role`, `cores/slice`), summed over
    ranks."""
    columns = core_columns(mapping)
    datasets = {"cores/role": columns.role, "cores/slice": columns.serves.astype(np.int32)}
    for name, counts in sim.cores.counters().items():
        local = counts[..., :windows, :]
        table = np.zeros((*local.shape[:-1], len(columns)), dtype=np.int64)
        table[..., sim.local_cores.column] = local
        datasets[f"cores/{name}"] = sim.comm.sum(table)
    return datasets


def traffic_datasets(mapping: Mapping, run, counts: dict, n_ticks: int) -> dict:
    topology = mapping.machine.topology
    links = np.empty(topology.n_links, dtype=LINK_DTYPE)
    links["source_x"], links["source_y"] = topology.chip_xy[topology.link_source].T
    links["direction"] = topology.link_direction
    links["target_x"], links["target_y"] = topology.chip_xy[topology.link_target].T
    chips = np.empty(topology.n_chips, dtype=CHIP_DTYPE)
    chips["x"], chips["y"] = topology.chip_xy.T
    starts = np.arange(0, n_ticks, run.window_ticks, dtype=np.int64)
    windows = np.stack([starts, np.minimum(starts + run.window_ticks, n_ticks)], axis=1)
    datasets = {"traffic/links": links, "traffic/chips": chips, "traffic/window_ticks": windows}
    for name, array in counts.items():
        if name == "link_busy_ps":
            window_ps = (windows[:, 1] - windows[:, 0]) * run.timestep_ns * 1000
            datasets["traffic/link_busy_fraction"] = array / window_ps[:, None]
        else:
            datasets[f"traffic/{name}"] = array
    if "latency_histogram" in counts:
        datasets["traffic/latency_bin_edges_ns"] = latency_bin_edges_ns()
    return datasets


def mapping_attributes(mapping: Mapping, report) -> dict:
    """The validation report's verdict and capacities (docs/mapping.md)."""
    return {"fits": report.fits, "reasons": json.dumps(list(report.reasons)),
            "memory_capacity_bytes": report.memory_capacity_bytes,
            "sdram_capacity_bytes": report.sdram_capacity_bytes,
            "synapse_memory": mapping.machine.chip.synapse_memory,
            "system_cores": report.system_cores,
            "router_capacity_entries": report.router_capacity,
            "link_bandwidth_bps": mapping.machine.chip.link.bandwidth_bps,
            "budget_cycles_per_tick": report.budget_cycles_per_tick}


def mapping_datasets(network: Network, mapping: Mapping, report) -> dict:
    """Placements, edges, and the validation report's figures per core, router and link."""
    slices, placement = mapping.slices, mapping.placement
    xy = mapping.machine.topology.chip_xy[placement.chip]
    placements = np.empty(len(slices), dtype=PLACEMENT_DTYPE)
    placements["population"] = [network.populations[p].name for p in slices.population]
    placements["slice_start"], placements["slice_stop"] = slices.start, slices.stop
    placements["chip_x"], placements["chip_y"] = xy.T
    placements["core"] = placement.core
    placements["key"] = mapping.keys.base
    edges = np.empty(len(mapping.edges), dtype=EDGE_DTYPE)
    edges["source_slice"], edges["target_slice"] = mapping.edges.source, mapping.edges.target
    edges["synapses"] = mapping.edges.synapses
    keys = np.empty(len(network.populations), dtype=POPULATION_DTYPE)
    keys["population"] = [p.name for p in network.populations]
    keys["slices"] = np.bincount(slices.population, minlength=len(network.populations))
    keys["key"], keys["mask"] = mapping.keys.population_base, mapping.keys.population_mask
    return {"mapping/placements": placements, "mapping/edges": edges,
            "mapping/populations": keys,
            "mapping/chip_sdram_bytes": report.sdram_bytes,
            "mapping/router_entries": report.router_entries,
            "mapping/router_entries_compressed": report.router_entries_compressed,
            "mapping/core_memory_bytes": report.memory_bytes,
            "mapping/core_cycles_per_tick": report.cycles_per_tick,
            "mapping/link_packets_per_s": report.link_packets_per_s,
            "mapping/link_load": report.link_load}
