"""The activity a run's counters describe, priced by the energy model (simulator/energy.py).

At `timed` and `packet` fidelity the cores counted their own cycles, packets and ticks at
each performance level. At `functional` fidelity nothing is timed: each core's cycles are
those of its neuron updates plus, for every spike of a slice it receives from, one packet
and the synapses of that slice onto it divided by the slice's neurons (the mean row), and
its level is chosen per traffic window from the window's mean cycles per tick.
"""

import numpy as np

from networks import Network

from .costs import slice_cycles_per_neuron
from .energy import (Activity, EnergyTables, by_level, energy_tables, level_choice,
                     received_per_target)
from .engine.helpers import DELAY_ROLE, core_columns, delay_stages
from .mapping import Mapping
from .mapping.kernels import edge_cycles_per_event


def spikes_per_slice(mapping: Mapping, windows: np.ndarray, ticks: np.ndarray,
                     ids: np.ndarray) -> np.ndarray:
    """Spikes of each slice in each traffic window [windows, slices]."""
    n_slices = len(mapping.slices)
    window = np.searchsorted(windows[:, 1], ticks, side="right")
    cell = window * n_slices + mapping.slices.containing(ids)
    return np.bincount(cell, minlength=len(windows) * n_slices).reshape(len(windows),
                                                                       n_slices)


def run_activity(network: Network, mapping: Mapping, run, spike_ticks: np.ndarray,
                 spike_ids: np.ndarray, datasets: dict) -> Activity:
    """The activity of a run from its result `datasets` and its spikes (global ids)."""
    machine, slices, placement = mapping.machine, mapping.slices, mapping.placement
    chip, core = machine.chip, machine.chip.core
    windows = datasets["traffic/window_ticks"]
    ticks = (windows[:, 1] - windows[:, 0]).astype(np.int64)
    tick_s = run.timestep_ns * 1e-9
    spikes = spikes_per_slice(mapping, windows, spike_ticks, spike_ids)
    sends = np.diff(mapping.routes.router_ptr) > 0
    hops = chip.noc_hops()[placement.core]
    if "cores/level_ticks" in datasets:
        # a column per core, helper cores after the slices' own (engine/helpers.py)
        columns = core_columns(mapping)
        hops = chip.noc_hops()[columns.global_core % chip.cores]
        sent = np.zeros((len(spikes), len(columns)), dtype=spikes.dtype)
        sent[:, :len(slices)] = spikes * sends
        stages = delay_stages(network, mapping)
        if stages is not None:  # a delay core sends each spike of its slice once a stage
            delay = np.flatnonzero(columns.role == DELAY_ROLE)
            served = columns.serves[delay]
            sent[:, delay] = spikes[:, served] * stages.slice_stages[served]
        received = datasets["cores/packets"]
        level_ticks = datasets["cores/level_ticks"]
        level_cycles = datasets["cores/level_cycles"]
        return Activity(ticks * tick_s, tick_s, level_ticks, level_cycles,
                        (sent + received) * hops, datasets["traffic/router_packets"],
                        datasets["traffic/link_bits"])
    else:
        edges = mapping.edges
        source = edges.source.astype(np.int64)
        target = edges.target.astype(np.int64)
        spikes_f = spikes.astype(np.float64)
        received = received_per_target(spikes_f, source, target, np.ones(len(source)),
                                       len(slices))
        mean_row = edges.synapses / slices.size[source]
        event_cycles = received_per_target(
            spikes_f, source, target,
            (mean_row * edge_cycles_per_event(network, mapping)).astype(np.float64),
            len(slices))
        base = core.cycles_per_tick + slice_cycles_per_neuron(network, machine,
                                                              slices.population) * slices.size
        cycles = (np.outer(ticks, base) + received * machine.chip.packet_cycles()
                  + event_cycles)
        window_ticks = np.repeat(ticks[:, None], len(slices), axis=1).astype(np.float64)
        level = level_choice(cycles, window_ticks, core.budget_cycles(run.timestep_ns),
                             core.dvfs_policy, core.performance_level)
        level_ticks = by_level(window_ticks, level, core.n_levels)
        level_cycles = by_level(cycles, level, core.n_levels)
    noc_hops = (spikes * sends + received) * hops
    return Activity(ticks * tick_s, tick_s, level_ticks, level_cycles, noc_hops,
                    datasets["traffic/router_packets"], datasets["traffic/link_bits"])


def run_energy(network: Network, mapping: Mapping, run, n_ticks: int, spike_ticks: np.ndarray,
               spike_ids: np.ndarray, datasets: dict) -> EnergyTables:
    """The energy tables of a run of `n_ticks` ticks."""
    activity = run_activity(network, mapping, run, spike_ticks, spike_ids, datasets)
    chip = core_columns(mapping).chip if "cores/level_ticks" in datasets \
        else mapping.placement.chip
    return energy_tables(mapping.machine, chip, activity)


def energy_attributes(tables: EnergyTables, run, n_ticks: int) -> dict:
    """Root attributes: the run's energy, its mean power and, where `[run]
    ticks_per_inference` defines an inference, the energy of each."""
    energy_j = tables.total_j
    seconds = n_ticks * run.timestep_ns * 1e-9
    attributes = {"energy_j": energy_j, "mean_power_w": energy_j / seconds if seconds else 0.0}
    if run.ticks_per_inference:
        inferences = n_ticks // run.ticks_per_inference
        attributes["inferences"] = inferences
        if inferences:
            attributes["energy_per_inference_j"] = energy_j / inferences
    return attributes
