"""The energy model against hand-computed cases, and DVFS levels against their clocks."""

from dataclasses import replace

import numpy as np
import pytest

import chips
from chips.presets import SPINNAKER2_CHIP
from networks import LIF, Network, OneToOne, SpikeSourceArray, SpikeSourcePoisson
from networks import FixedProbability
from simulator import MappingOptions, RunOptions, simulate
from simulator.config import parse_config
from simulator.distribution import SerialComm
from simulator.errors import ConfigError
from simulator.mapping import map_network
from simulator.mapping.report import mapping_report

from .helpers import run_serial
from .test_config import GOOD
from .test_timing import burst_network, line_machine

PARTS = ("baseline", "cores", "routers", "noc", "links")


def part(result, name):
    return result.datasets[f"energy/chip_{name}_j"]


def test_a_quiet_machine_costs_its_static_power_and_its_tick_work():
    """Ten silent sources on chip 0 of two SpiNNaker2 chips for 100 ms: each chip's
    baseline, every reserved core and the one slice's core asleep at 0.8 V, and the slice's
    tick work (10 + 10 x 10 cycles a tick) at 14.98 pJ a cycle; nothing else."""
    net = Network("quiet")
    net.add_population("silent", 10, SpikeSourceArray(tuple(() for _ in range(10))))
    machine = chips.spinnaker2(2, 1, wrap=False)
    result = run_serial(net, machine, neurons_per_core=16, placer="sequential",
                        timestep_ms=1.0, duration_ms=100.0, traffic_window_ms=10.0)
    energy = SPINNAKER2_CHIP.energy
    seconds = 0.1
    np.testing.assert_allclose(part(result, "baseline").sum(axis=0), [0.0752 * seconds] * 2,
                               rtol=1e-12)
    busy_cycles = 100 * (10 + 10 * 10)
    np.testing.assert_array_equal(result.datasets["cores/level_cycles"][1, :, 0].sum(),
                                  busy_cycles)
    cores = part(result, "cores").sum(axis=0)
    np.testing.assert_allclose(cores, [5 * 0.00322 * seconds + busy_cycles * 1.498e-11,
                                       4 * 0.00322 * seconds], rtol=1e-12)
    np.testing.assert_allclose(result.datasets["energy/core_busy_j"].sum(),
                               busy_cycles * energy.core_busy_j_per_cycle[1], rtol=1e-12)
    for name in ("routers", "noc", "links"):
        assert part(result, name).sum() == 0.0
    total = sum(part(result, name).sum() for name in PARTS)
    assert result.attributes["energy_j"] == pytest.approx(total, rel=1e-12)
    assert result.attributes["mean_power_w"] == pytest.approx(total / seconds, rel=1e-12)


def test_a_machine_with_nothing_but_its_baseline_costs_baseline_power_times_time():
    net = Network("quiet")
    net.add_population("silent", 4, SpikeSourceArray(tuple(() for _ in range(4))))
    base = chips.spinnaker2(3, 2)
    energy = replace(base.chip.energy, core_sleep_w=(0.0, 0.0),
                     core_busy_j_per_cycle=(0.0, 0.0))
    machine = replace(base, chip=replace(base.chip, energy=energy))
    result = run_serial(net, machine, timestep_ms=1.0, duration_ms=250.0,
                        fidelity="functional")
    assert result.attributes["energy_j"] == pytest.approx(6 * 0.0752 * 0.25, rel=1e-12)


def test_packets_over_one_link_cost_packets_times_bits_times_energy_per_bit():
    """25 spikes cross from chip 0 to chip 1: 25 x 40 bits on the one link, 25 look-ups at
    each router, and a NoC hop at each end (crossbar)."""
    n = 25
    machine = line_machine(2, cycles=(0, 0, 12, 60))
    result = run_serial(burst_network(n), machine, neurons_per_core=64, placer="sequential",
                        timestep_ms=1.0, duration_ms=5.0, traffic_window_ms=1.0)
    d = result.datasets
    assert d["traffic/link_bits"].sum() == n * 40
    energy = machine.chip.energy
    links = part(result, "links").sum(axis=0)
    np.testing.assert_allclose(links, [n * 40 * energy.link_j_per_bit, 0.0], rtol=1e-12)
    np.testing.assert_allclose(part(result, "routers").sum(axis=0),
                               [n * energy.router_j_per_packet] * 2, rtol=1e-12)
    np.testing.assert_allclose(part(result, "noc").sum(axis=0),
                               [n * energy.noc_j_per_hop] * 2, rtol=1e-12)


def dvfs_machine(policy="fixed", level=1):
    """Two cores on one SpiNNaker2 chip (crossbar), every neuron update 20,000 cycles: ten
    neurons need 200,000 cycles a tick, within 300 MHz x 1 ms but not 150 MHz x 1 ms."""
    core = replace(SPINNAKER2_CHIP.core, performance_level=level, dvfs_policy=policy,
                   cycles_per_tick=0)
    chip = replace(SPINNAKER2_CHIP, cores=2, reserved_cores=0, noc_layout="crossbar",
                   core=core, neuron_cycles=chips.NeuronCycles.uniform(20_000))
    return chips.Machine(chip, 1, 1)


def dvfs_network():
    net = Network("dvfs")
    src = net.add_population("src", 10, SpikeSourceArray(tuple(
        (0.0, 1.0, 2.0, 3.0, 4.0) for _ in range(10))))
    dst = net.add_population("dst", 10, LIF(v_thresh_mv=1e9))
    net.connect(src, dst, OneToOne(), weight=0.1)
    return net


def test_a_core_that_meets_its_tick_at_300_mhz_overruns_at_150_mhz():
    """At 150 MHz the update takes 1.33 ms of a 1 ms tick: every tick overruns, and the
    spikes of neurons 7, 8 and 9 leave after the tick's end (late). At 300 MHz (0.67 ms)
    nothing overruns or is late. The busy cycles are the same; their energy and the
    sleeping power follow the level."""
    runs = {level: run_serial(dvfs_network(), dvfs_machine(level=level), neurons_per_core=16,
                              placer="sequential", timestep_ms=1.0, duration_ms=10.0,
                              traffic_window_ms=10.0) for level in (0, 1)}
    fast, slow = runs[1].datasets, runs[0].datasets
    assert fast["cores/overruns"].sum() == 0 and fast["cores/late_packets"].sum() == 0
    np.testing.assert_array_equal(slow["cores/overruns"].sum(axis=0), [10, 10])
    assert slow["cores/late_packets"][:, 1].sum() == 3 * 5
    assert runs[0].group_attributes["cores"]["budget_cycles_per_tick"] == 150_000
    assert runs[1].group_attributes["cores"]["budget_cycles_per_tick"] == 300_000
    np.testing.assert_array_equal(fast["cores/cycles"], slow["cores/cycles"])
    cycles = fast["cores/cycles"].sum(axis=0)
    # the target also handles 50 packets of one synapse each: 60 + 20 cycles apiece
    np.testing.assert_array_equal(cycles, [10 * 200_000, 10 * 200_000 + 50 * (60 + 20)])
    np.testing.assert_array_equal(slow["cores/level_cycles"][0].sum(axis=0), cycles)
    np.testing.assert_array_equal(fast["cores/level_cycles"][1].sum(axis=0), cycles)
    energy = SPINNAKER2_CHIP.energy
    for level, d in ((0, slow), (1, fast)):
        np.testing.assert_allclose(d["energy/core_busy_j"].sum(axis=0),
                                   cycles * energy.core_busy_j_per_cycle[level], rtol=1e-12)
        np.testing.assert_allclose(d["energy/core_sleep_j"].sum(axis=0),
                                   [0.01 * energy.core_sleep_w[level]] * 2, rtol=1e-12)


def test_the_lowest_level_that_meets_the_tick_is_chosen_from_the_previous_tick():
    """Starting at 150 MHz, tick 0 overruns (and sends 3 late packets); from then on each
    core runs at 300 MHz, the lowest level whose budget holds 200,000 cycles."""
    result = run_serial(dvfs_network(), dvfs_machine("lowest_meeting_tick", level=0),
                        neurons_per_core=16, placer="sequential", timestep_ms=1.0,
                        duration_ms=10.0, traffic_window_ms=1.0)
    d = result.datasets
    np.testing.assert_array_equal(d["cores/level_ticks"][0].sum(axis=0), [1, 1])
    np.testing.assert_array_equal(d["cores/level_ticks"][1].sum(axis=0), [9, 9])
    np.testing.assert_array_equal(d["cores/overruns"][:, 0], [1] + [0] * 9)
    assert d["cores/late_packets"].sum() == 3


def test_an_idle_core_drops_to_the_lowest_level_and_saves_energy():
    """A quiet network at 300 MHz fixed, against the adaptive policy: the cores' work fits
    150 MHz, so they sleep at 0.5 V and their cycles cost 8.3 pJ instead of 14.98 pJ."""
    net = Network("quiet")
    net.add_population("silent", 10, SpikeSourceArray(tuple(() for _ in range(10))))
    runs = {}
    for policy in ("fixed", "lowest_meeting_tick"):
        base = chips.spinnaker2()
        core = replace(base.chip.core, dvfs_policy=policy)
        runs[policy] = run_serial(net, replace(base, chip=replace(base.chip, core=core)),
                                  timestep_ms=1.0, duration_ms=50.0)
    fixed, adaptive = (runs[p].datasets for p in ("fixed", "lowest_meeting_tick"))
    np.testing.assert_array_equal(adaptive["cores/level_ticks"][:, :, 0].sum(axis=1), [49, 1])
    assert adaptive["energy/core_sleep_j"].sum() < fixed["energy/core_sleep_j"].sum()
    assert adaptive["energy/core_busy_j"].sum() < fixed["energy/core_busy_j"].sum()


def test_functional_energy_estimates_the_timed_count():
    """At functional fidelity the cores' cycles come from the spikes and the mean rows; on
    a random network that is within 1 % of what the timed cores count."""
    net = Network("random")
    noise = net.add_population("noise", 200, SpikeSourcePoisson(rate_hz=20.0))
    cells = net.add_population("cells", 300, LIF())
    net.connect(noise, cells, FixedProbability(0.1), weight=0.5)
    runs = {f: run_serial(net, fidelity=f, timestep_ms=1.0, duration_ms=200.0)
            for f in ("functional", "timed")}
    timed = runs["timed"].attributes["energy_j"]
    assert runs["functional"].attributes["energy_j"] == pytest.approx(timed, rel=0.01)
    busy = {f: r.datasets["energy/core_busy_j"].sum() for f, r in runs.items()}
    assert busy["functional"] == pytest.approx(busy["timed"], rel=0.02)


def test_the_mapping_estimate_is_close_to_the_run():
    """`neurochip map` prices the expected rates (the Poisson rate here): within 3 % of the
    energy the run then counts."""
    net = Network("random")
    noise = net.add_population("noise", 200, SpikeSourcePoisson(rate_hz=20.0))
    cells = net.add_population("cells", 300, LIF(v_thresh_mv=1e9))
    net.connect(noise, cells, FixedProbability(0.1), weight=0.5)
    machine = chips.spinnaker2(2, 2)
    options = MappingOptions(16, "spread", rates_hz={"cells": 0.0})
    run = RunOptions(duration_ms=500.0, timestep_ms=1.0, seed=3)
    report = mapping_report(net, map_network(net, machine, options, run.seed), 1.0)
    result = simulate(net, machine, run, options, comm=SerialComm())
    assert report.power.total_w == pytest.approx(result.attributes["mean_power_w"], rel=0.03)


def test_energy_per_inference_when_the_workload_defines_one():
    net = burst_network(4)
    result = run_serial(net, line_machine(2), timestep_ms=1.0, duration_ms=20.0,
                        ticks_per_inference=5)
    a = result.attributes
    assert a["inferences"] == 4
    assert a["energy_per_inference_j"] == pytest.approx(a["energy_j"] / 4, rel=1e-12)


def test_energy_parameters_come_from_the_config_and_must_match_the_levels():
    text = GOOD + "\n[machine.energy]\nchip_baseline_w = 0.5\nlink_j_per_bit = 1e-11\n"
    machine = parse_config(text).machine
    assert machine.chip.energy.chip_baseline_w == 0.5
    assert machine.chip.energy.link_j_per_bit == 1e-11
    bad = GOOD + "\n[machine.core]\nperformance_levels_hz = [100_000_000, 200_000_000, " \
                 "400_000_000]\n"
    with pytest.raises(ConfigError, match=r"core_sleep_w must have one value per performance "
                                          r"level \(3"):
        parse_config(bad)
    levels = bad + "[machine.energy]\ncore_sleep_w = [0.001, 0.002, 0.004]\n" \
                   "core_busy_j_per_cycle = [5e-12, 1e-11, 2e-11]\n"
    assert parse_config(levels).machine.chip.core.n_levels == 3
