"""Config files: every bad value is refused by name, with what it must be."""

import numpy as np
import pytest

from simulator import ConfigError, parse_config

GOOD = """
[machine]
preset = "spinnaker2"
width = 2
height = 2

[network]
library = "cuba"

[network.params]
n_neurons = 400

[mapping]
neurons_per_core = 32
placer = "spread"

[run]
duration_ms = 50.0
timestep_ms = 0.1
seed = 7
traffic_window_ms = 5.0
"""


def with_change(section: str, line: str) -> str:
    """GOOD with `line` added at the top of `[section]` (a new table when absent)."""
    header = f"[{section}]\n"
    if header in GOOD:
        return GOOD.replace(header, header + line + "\n", 1)
    return GOOD + "\n" + header + line + "\n"


def test_the_good_config_builds_what_it_says():
    config = parse_config(GOOD)
    assert (config.machine.width, config.machine.height) == (2, 2)
    assert config.machine.chip.name == "spinnaker2"
    assert config.run.timestep_ns == 100_000 and config.run.duration_ticks == 500
    assert config.run.window_ticks == 50
    assert config.mapping.neurons_per_core == 32
    net = config.build_network()
    assert [p.size for p in net.populations] == [320, 80]


def test_faults_reach_the_machine():
    text = GOOD + ("\n[faults]\ndead_links = [{x = 1, y = 0, direction = 2, from_ms = 20.0}]\n"
                   "dead_cores = [{x = 0, y = 1, core = 3}]\n")
    faults = parse_config(text).machine.faults
    assert faults.dead_links[0].direction == 2 and faults.dead_links[0].from_ms == 20.0
    assert (faults.dead_cores[0].x, faults.dead_cores[0].y, faults.dead_cores[0].core) == \
        (0, 1, 3)


def test_machine_part_overrides_reach_the_chip():
    text = with_change("machine.link", "bandwidth_bps = 2_000_000_000\nlatency_ns = 80")
    text = text.replace("[machine]\n", "[machine]\nwrap = false\n")
    text += "\n[machine.core]\nperformance_level = 0\n"
    machine = parse_config(text).machine
    assert machine.chip.link.bandwidth_bps == 2_000_000_000 and machine.chip.link.latency_ns == 80
    assert machine.chip.core.clock_hz == 150_000_000 and not machine.wrap


def test_initial_values_from_the_config_replace_the_networks():
    values = ", ".join(str(-70.0 + i / 100) for i in range(80))
    text = GOOD + ('\n[initial.exc]\nv = {distribution = "uniform", low = -55.0, high = -51.0}\n'
                   f'i_exc = 0.5\n\n[initial.inh]\nv = [{values}]\n')
    net = parse_config(text).build_network()
    exc, inh = net.population("exc"), net.population("inh")
    assert exc.initial["v"].low == -55.0 and exc.initial["i_exc"] == 0.5
    np.testing.assert_array_equal(inh.initial["v"], -70.0 + np.arange(80) / 100)


BAD = [
    (GOOD + "\n[runn]\nx = 1\n", r"\[runn\] is not a known table; the tables are machine"),
    (with_change("run", "duraton_ms = 5.0"),
     r"\[run\] duraton_ms is not a known key; the keys are duration_ms, timestep_ms"),
    (GOOD.replace("timestep_ms = 0.1", "timestep_ms = -1.0"), r"\[run\] timestep_ms must be > 0"),
    (GOOD.replace("timestep_ms = 0.1", 'timestep_ms = "fast"'),
     r"\[run\] timestep_ms must be a finite number \(got 'fast'\)"),
    (GOOD.replace("duration_ms = 50.0", "duration_ms = 50.05"),
     r"\[run\] duration_ms must be a whole number of timesteps \(0.1 ms\)"),
    (with_change("run", 'fidelity = "exact"'),
     r"\[run\] fidelity must be one of functional, timed, packet \(got 'exact'\)"),
    (GOOD.replace("seed = 7", "seed = -1"), r"\[run\] seed must be in \[0, "),
    (GOOD.replace("traffic_window_ms = 5.0", "traffic_window_ms = 0.15"),
     r"\[run\] traffic_window_ms must be a whole number of timesteps"),
    (GOOD.replace('preset = "spinnaker2"', 'preset = "loihi"'),
     r"\[machine\] preset must be one of spinnaker2, spinnaker1 \(got 'loihi'\)"),
    (GOOD.replace("width = 2", "width = 0"), r"\[machine\] width must be >= 1 \(got 0\)"),
    (with_change("machine", 'wrap = "yes"'), r"\[machine\] wrap must be true or false"),
    (with_change("machine", 'layout = "board48"'),
     r"\[machine\] width and height must be 8 x 8 for layout board48"),
    (with_change("machine.link", "bandwidth_bps = 0"),
     r"\[machine.link\] bandwidth_bps must be > 0 \(got 0\)"),
    (with_change("machine.core", "clock_mhz = 100"),
     r"\[machine.core\] clock_mhz is not a known key; the keys are performance_levels_hz"),
    (with_change("machine.router", "table_entries = -5"),
     r"\[machine.router\] table_entries must be > 0"),
    (GOOD.replace('library = "cuba"', 'library = "brunel3"'),
     r"\[network\] library must be one of cuba"),
    (GOOD.replace("n_neurons = 400", "n_neurons = 400\np_connect = 1.5"),
     r"\[network.params\] p_connect must be in \[0, 1\] \(got 1.5\)"),
    (GOOD.replace("n_neurons = 400", "n_neurons = 2.5"),
     r"\[network.params\] n_neurons must be a whole number \(got 2.5\)"),
    (GOOD.replace("n_neurons = 400", "n_neurons = 400\ndelay_ms = 0.05"),
     r"\[network.params\] delay_ms must be at least one timestep \(0.1 ms\) \(got 0.05\)"),
    (GOOD.replace("n_neurons = 400", "n_neurons = 400\ntau_m_ms = 0.0"),
     r"\[network.params\] if_curr_exp.tau_m_ms must be > 0"),
    (GOOD.replace("neurons_per_core = 32", "neurons_per_core = 0"),
     r"\[mapping\] neurons_per_core must be >= 1 \(got 0\)"),
    (GOOD.replace('placer = "spread"', 'placer = "random"'),
     r"\[mapping\] placer must be one of sequential, spread, graph, toolchain \(got 'random'\)"),
    (GOOD.replace("[run]\n", "[run\n"), r"config is not valid TOML .*; fix the syntax there"),
    ("run = 3\n", r"\[run\] must be a table of keys \(got 3\)"),
    (GOOD + '\n[record]\nexcc = ["v"]\n',
     r"\[record\] excc is not a population of the network; the populations are exc, inh"),
    (GOOD + '\n[record]\nexc = ["u"]\n',
     r"\[record\] population exc.record must name state variables of if_curr_exp"),
    (GOOD + '\n[record]\nexc = "v"\n', r"\[record\] exc must be a list \(got 'v'\)"),
    (GOOD + '\n[initial.excc]\nv = -60.0\n',
     r"\[initial\] excc is not a population of the network; the populations are exc, inh"),
    (GOOD + '\n[initial.exc]\nv = [-60.0, -61.0]\n',
     r"\[initial.exc\] population exc.initial\['v'\] must be a number, a distribution or one "
     r"value per neuron \(320\)"),
    (GOOD + '\n[initial.exc]\nw = 1.0\n',
     r"\[initial.exc\] population exc.initial must name state variables of if_curr_exp"),
    (GOOD + '\n[initial]\nexc = 1.0\n', r"\[initial.exc\] must be a table of state variables"),
    (GOOD + '\n[faults]\ndead_chips = [{x = 5, y = 0}]\n',
     r"\[faults\] dead_chips must name chips that exist \(got \(5, 0\)\)"),
    (GOOD + '\n[faults]\ndead_links = [{x = 0, y = 0, direction = 6}]\n',
     r"\[faults.dead_links\[0\]\] dead_links.direction must be in 0..5 \(got 6\)"),
    (GOOD + '\n[faults]\ndead_cores = [{x = 0, y = 0, cpu = 1}]\n',
     r"\[faults.dead_cores\[0\]\] cpu is not a known key; the keys are x, y, core"),
]


@pytest.mark.parametrize("text,message", BAD, ids=[m[:40] for _, m in BAD])
def test_a_bad_config_is_refused_in_one_sentence_naming_the_key(text, message):
    with pytest.raises(ConfigError, match=message) as caught:
        parse_config(text)
    assert "\n" not in str(caught.value)
