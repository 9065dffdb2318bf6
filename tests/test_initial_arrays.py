"""Per-neuron initial values given as arrays (PyNN's `initialize(v=array)`)."""

import numpy as np
import pytest

from networks import LIF, IFCurrExp, Network, NetworkError

from .helpers import run_serial


@pytest.mark.parametrize("model", [LIF(tau_m_ms=10.0), IFCurrExp(tau_m_ms=10.0)])
def test_each_neuron_relaxes_from_its_own_initial_value(model):
    """Without input, v(t) = v_rest + (v0 - v_rest) exp(-t / tau_m), neuron by neuron, on
    slices smaller than the population."""
    v0 = np.linspace(-75.0, -51.0, 40)
    net = Network()
    net.add_population("cells", 40, model, initial={"v": v0}, record=["v"])
    result = run_serial(net, neurons_per_core=7, duration_ms=5.0)
    v = result.datasets["state/cells/v"]
    t_ms = 0.1 * np.arange(1, 51)[:, None]
    expected = model.v_rest_mv + (v0 - model.v_rest_mv) * np.exp(-t_ms / model.tau_m_ms)
    np.testing.assert_allclose(v, expected, rtol=0, atol=1e-9)


@pytest.mark.parametrize("values, message", [
    (np.zeros(3), r"initial\['v'\] must be .* one value per neuron \(4\)"),
    ([0.0, np.nan, 0.0, 0.0], "must hold finite values"),
    (["a", "b", "c", "d"], r"must be .* one value per neuron \(4\)"),
])
def test_bad_initial_arrays_are_refused_in_one_sentence(values, message):
    with pytest.raises(NetworkError, match=message):
        Network().add_population("cells", 4, LIF(), initial={"v": values})
