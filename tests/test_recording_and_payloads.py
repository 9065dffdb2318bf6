"""Recorded state variables, and graded events whose payload scales the weight."""

from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pytest

import chips
from networks import LIF, FromList, IFCurrExp, Network, NetworkError
from networks.models import ModelGroup, NeuronModel

from .helpers import run_serial

H = 0.1


def test_recorded_membrane_follows_the_exact_solution_on_every_chip():
    net = Network()
    model = IFCurrExp(tau_m_ms=10.0, cm_nf=0.5, v_rest_mv=-70.0, v_thresh_mv=100.0,
                      i_offset_na=0.6)
    cells = net.add_population("cells", 40, model, record=["v"])
    net.add_population("quiet", 5, LIF())
    result = run_serial(net, chips.spinnaker2(2, 2), neurons_per_core=6, duration_ms=20.0)
    v = result.datasets["state/cells/v"]
    assert v.shape == (200, 40)
    t = (np.arange(200) + 1) * H
    v_inf = -70.0 + 10.0 / 0.5 * 0.6
    expected = v_inf + (-70.0 - v_inf) * np.exp(-t / 10.0)
    np.testing.assert_allclose(v, np.repeat(expected[:, None], 40, axis=1), rtol=0, atol=1e-9)
    assert "state/quiet/v" not in result.datasets


def test_recording_an_unknown_variable_is_refused():
    with pytest.raises(NetworkError, match="population cells.record must name state "
                                           "variables of lif"):
        Network().add_population("cells", 3, LIF(), record=["i_exc"])


@dataclass(frozen=True)
class CountingSource(NeuronModel):
    """Test source: neuron i sends an event every tick carrying the value (i + 1) * 0.25."""

    name: ClassVar[str] = "counting"
    graded: ClassVar[bool] = True

    @classmethod
    def group(cls, members, timestep_ms, seed):
        return CountingGroup(np.concatenate([m.neuron_ids for m in members]))


class CountingGroup(ModelGroup):
    def __init__(self, neuron_ids):
        self.neuron_ids = neuron_ids
        self.size = len(neuron_ids)

    def step(self, tick, synaptic_input, spiked, payload):
        spiked[:self.size] = np.arange(self.size)
        payload[:self.size] = (self.neuron_ids + 1) * 0.25
        return self.size


def test_graded_events_deliver_weight_times_payload():
    net = Network()
    source = net.add_population("source", 4, CountingSource())
    sink = net.add_population("sink", 2, LIF(tau_m_ms=1e9, v_rest_mv=0.0, v_reset_mv=-1.0,
                                             v_thresh_mv=1e9), initial={"v": 0.0},
                              record=["v"])
    # sink 0 gets 2 x source 1 and 1 x source 3; sink 1 gets -1 x source 0, delayed 3 ticks
    net.connect(source, sink, FromList([1, 3, 0], [0, 0, 1], [2.0, 1.0, -1.0], [1, 1, 3]))
    result = run_serial(net, chips.spinnaker2(2, 1), neurons_per_core=1, duration_ms=1.0)
    v = result.datasets["state/sink/v"]
    per_tick = np.array([2.0 * 0.5 + 1.0 * 1.0, -1.0 * 0.25])
    arrived = np.stack([np.clip(np.arange(10) - 0, 0, None),    # input from tick 1 on
                        np.clip(np.arange(10) - 2, 0, None)], axis=1)
    np.testing.assert_allclose(v, arrived * per_tick, rtol=1e-6)
    assert len(result.spikes("source")[0]) == 40


@pytest.mark.parametrize("how", ["add_population", "initialize"])
def test_per_neuron_initial_values_reach_every_slice(how):
    """An array of initial v, one per neuron, split over cores of 3: after one tick each
    neuron has relaxed from its own value by the exact decay."""
    v0 = -70.0 + np.arange(8, dtype=float)
    model = LIF(tau_m_ms=10.0, v_rest_mv=-65.0, v_thresh_mv=-40.0)
    net = Network()
    if how == "add_population":
        net.add_population("cell", 8, model, initial={"v": v0}, record=["v"])
    else:
        net.initialize(net.add_population("cell", 8, model, record=["v"]), v=list(v0))
    v = run_serial(net, neurons_per_core=3, duration_ms=0.1).datasets["state/cell/v"][0]
    np.testing.assert_allclose(v, -65.0 + (v0 + 65.0) * np.exp(-0.01), rtol=0, atol=1e-12)
