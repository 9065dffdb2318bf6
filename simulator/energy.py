"""Energy of a run, from the counters the simulation writes (docs/energy.md).

Plain functions over arrays: the same counters give the same joules however many MPI ranks
counted them (rank 0 computes this after the counters are summed). Static energy: every chip's
baseline and its share of its board's power, every core that is on asleep at its
performance level. Activity: busy core cycles at their level, router look-ups, packet hops on
the network-on-chip, bits over chip-to-chip links. `expected_power` applies the same prices
to the expected rates of a mapping, before any simulation (`neurochip map`).
"""

from typing import NamedTuple

import numpy as np
from numba import njit

from chips import Machine

CHIP_PARTS = ("baseline", "cores", "routers", "noc", "links")


class Activity(NamedTuple):
    """What happened in each traffic window: the counters the energy model prices.

    Per slice (its core): ticks and busy cycles at each performance level [levels, windows,
    slices], NoC packet-hops [windows, slices]; per chip: router look-ups [windows, chips];
    per link: bits [windows, links]. `window_s` [windows] is each window's length in seconds.
    """

    window_s: np.ndarray
    tick_s: float
    level_ticks: np.ndarray
    level_cycles: np.ndarray
    noc_hops: np.ndarray
    router_packets: np.ndarray
    link_bits: np.ndarray


class EnergyTables(NamedTuple):
    """Joules per window: per chip and part (`CHIP_PARTS`), and per slice's core."""

    chip: dict            # part -> float64 [windows, chips]
    core_sleep: np.ndarray   # float64 [windows, slices]
    core_busy: np.ndarray    # float64 [windows, slices]

    @property
    def total_j(self) -> float:
        return float(sum(part.sum() for part in self.chip.values()))


def energy_tables(machine: Machine, slice_chip: np.ndarray, activity: Activity) -> EnergyTables:
    """Price the `activity` of a run on `machine` whose slices run on chips `slice_chip`."""
    chip, energy, core = machine.chip, machine.chip.energy, machine.chip.core
    n_chips, window_s = machine.n_chips, activity.window_s
    sleep_w = np.asarray(energy.core_sleep_w)
    busy_j = np.asarray(energy.core_busy_j_per_cycle)
    core_sleep = np.einsum("l,lws->ws", sleep_w, activity.level_ticks.astype(np.float64)) \
        * activity.tick_s
    core_busy = np.einsum("l,lws->ws", busy_j, activity.level_cycles.astype(np.float64))

    per_chip_w = energy.chip_baseline_w + energy.board_w * machine.n_boards / n_chips
    baseline = np.outer(window_s, np.full(n_chips, per_chip_w))
    slices_on = np.bincount(slice_chip, minlength=n_chips)
    idle = np.full(n_chips, chip.reserved_cores, dtype=np.int64)
    if not energy.unused_cores_off:
        idle += chip.application_cores - slices_on
    idle_w = idle * energy.core_sleep_w[core.performance_level]
    cores = np.outer(window_s, idle_w) + per_chip_sum(core_sleep + core_busy, slice_chip,
                                                     n_chips)
    noc = per_chip_sum(activity.noc_hops * energy.noc_j_per_hop, slice_chip, n_chips)
    routers = activity.router_packets * energy.router_j_per_packet
    link_source = machine.topology.link_source
    links = per_chip_sum(activity.link_bits * energy.link_j_per_bit, link_source, n_chips)
    parts = dict(zip(CHIP_PARTS, (baseline, cores, routers.astype(np.float64), noc, links)))
    return EnergyTables(parts, core_sleep, core_busy)


def per_chip_sum(table: np.ndarray, owner_chip: np.ndarray, n_chips: int) -> np.ndarray:
    """Columns of `table` [windows, items] added up by the chip that owns each item."""
    out = np.zeros((table.shape[0], n_chips), dtype=np.float64)
    if table.shape[1]:
        np.add.at(out.T, np.asarray(owner_chip, dtype=np.int64), table.T.astype(np.float64))
    return out


def energy_datasets(tables: EnergyTables) -> dict:
    """`energy/` datasets of a result (docs/results.md)."""
    datasets = {f"energy/chip_{part}_j": table for part, table in tables.chip.items()}
    datasets["energy/core_sleep_j"] = tables.core_sleep
    datasets["energy/core_busy_j"] = tables.core_busy
    return datasets


def level_choice(cycles: np.ndarray, ticks: np.ndarray, budgets: tuple[int, ...],
                 policy: str, fixed_level: int) -> np.ndarray:
    """Level of each core in each window when only window totals are known (functional
    fidelity, and the mapping estimate): the fixed level, or the lowest whose budget holds
    the window's mean cycles per tick (the top level when none does)."""
    if policy == "fixed":
        return np.full(cycles.shape, fixed_level, dtype=np.int64)
    per_tick = cycles / np.maximum(ticks, 1)
    fits = per_tick[..., None] <= np.asarray(budgets, dtype=np.float64)
    return np.where(fits.any(axis=-1), fits.argmax(axis=-1), len(budgets) - 1)


def by_level(values: np.ndarray, levels: np.ndarray, n_levels: int) -> np.ndarray:
    """[levels, ...]: `values` where `levels` picks that level, else 0."""
    return np.stack([np.where(levels == k, values, 0) for k in range(n_levels)])


@njit(cache=True)
def received_per_target(spikes, source, target, weight, n_slices):
    """out[w, t] = sum over edges e into t of spikes[w, source[e]] * weight[e]."""
    out = np.zeros((spikes.shape[0], n_slices), dtype=np.float64)
    for e in range(source.size):
        s, t, k = source[e], target[e], weight[e]
        for w in range(spikes.shape[0]):
            out[w, t] += spikes[w, s] * k
    return out


class PowerEstimate(NamedTuple):
    """Expected power of a mapping in watts: per chip and part, and per slice's core."""

    chip_w: dict                 # part -> float64 [chips]
    core_w: np.ndarray           # float64 [slices]
    core_level: np.ndarray       # int64 [slices]: the level each core would run at

    @property
    def total_w(self) -> float:
        return float(sum(part.sum() for part in self.chip_w.values()))


def expected_power(machine: Machine, slice_chip, cycles_per_tick, noc_hops_per_s,
                   router_packets_per_s, link_bits_per_s, timestep_ns: int) -> PowerEstimate:
    """Power at the expected rates: the energy model over one second of steady activity."""
    core = machine.chip.core
    tick_s = timestep_ns * 1e-9
    ticks = np.full((1, len(cycles_per_tick)), 1.0 / tick_s)
    cycles = np.asarray(cycles_per_tick, dtype=np.float64)[None, :] * ticks
    level = level_choice(cycles, ticks, core.budget_cycles(timestep_ns), core.dvfs_policy,
                         core.performance_level)
    activity = Activity(np.ones(1), tick_s, by_level(ticks, level, core.n_levels),
                        by_level(cycles, level, core.n_levels),
                        np.asarray(noc_hops_per_s, dtype=np.float64)[None, :],
                        np.asarray(router_packets_per_s, dtype=np.float64)[None, :],
                        np.asarray(link_bits_per_s, dtype=np.float64)[None, :])
    tables = energy_tables(machine, slice_chip, activity)
    return PowerEstimate({k: v[0] for k, v in tables.chip.items()},
                         tables.core_sleep[0] + tables.core_busy[0], level[0])
