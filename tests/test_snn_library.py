"""Standard spiking networks of the library, on small cases with known answers."""

import numpy as np

import chips
from networks.library.brunel import BrunelParams, build_brunel
from networks.library.synfire import SynfireParams, build_synfire

from .helpers import run_serial


def test_synchronous_pulse_travels_one_group_per_delay():
    # no noise, no jitter: every group fires all together exactly one delay after the last
    params = SynfireParams(n_groups=6, group_size=50, weight_mv=0.4, delay_ms=1.5,
                           pulse_time_ms=2.0, pulse_sigma_ms=0.0, noise_rate_hz=0.0)
    result = run_serial(build_synfire(params, 0.1), chips.spinnaker2(1, 1), neurons_per_core=50,
                        duration_ms=15.0, placer="sequential")
    for k in range(6):
        times, ids = result.spikes(f"g{k}")
        assert len(times) == 50 and len(np.unique(ids)) == 50, k
        np.testing.assert_array_equal(times, 20 + 15 * (k + 1))


def test_jittered_pulse_packet_in_noise_synchronises_as_it_travels():
    params = SynfireParams(n_groups=6, group_size=100)  # 1 ms delay, sigma 1 ms, noise
    result = run_serial(build_synfire(params, 0.1), chips.spinnaker2(1, 1),
                        neurons_per_core=100, duration_ms=40.0, placer="sequential")
    means, spreads = [], []
    for k in range(6):
        t = result.spikes(f"g{k}")[0] * 0.1
        packet = t[(t > 8.0) & (t < 10.0 + 3.0 * (k + 2))]
        assert len(packet) >= 95, k       # the packet survives, nearly every neuron fires
        means.append(packet.mean())
        spreads.append(packet.std())
    latency = np.diff(means)
    # a synchronous volley of delta PSPs crosses threshold in the tick it arrives
    np.testing.assert_allclose(latency[2:], 1.0, atol=0.15)
    assert spreads[-1] < 0.5 * spreads[0] or spreads[-1] < 0.05


def test_small_sparse_brunel_is_asynchronous_and_irregular():
    # 2000 + 500 neurons at p = 0.1 (C_E 200, C_I 50) with J raised to keep J C_E of the full
    # network: g 5 and eta 2 put it in Brunel's asynchronous irregular state
    params = BrunelParams(n_exc=2000, n_inh=500, j_mv=0.5)
    result = run_serial(build_brunel(params, 0.1), chips.spinnaker2(1, 1),
                        neurons_per_core=256, duration_ms=300.0, fidelity="functional",
                        placer="sequential")
    times, ids = result.spikes("exc")
    keep = times >= 1000                 # past the first 100 ms
    t, i = times[keep] * 1e-4, ids[keep]
    rate = len(t) / 2000 / 0.2
    cvs = [np.std(d) / np.mean(d) for d in (np.diff(t[i == n]) for n in range(2000))
           if len(d) >= 3]
    counts = np.bincount(times[keep] // 10 - 100, minlength=200)  # 1 ms bins
    # for neurons of Poisson-like counts, (Fano factor of the population count - 1) / N
    # estimates the mean pairwise count correlation: near 0 when asynchronous
    correlation = (counts.var() / counts.mean() - 1) / 2000
    assert 10.0 < rate < 80.0
    assert 0.6 < np.mean(cvs) < 1.2      # irregular single neurons
    assert correlation < 0.03


def test_poisson_drive_and_count_source_draw_poisson_counts():
    from networks import FromList, LIF, Network
    from networks.models import LIFPoisson, PoissonCountSource
    # a non-leaky neuron that never fires integrates its drive: v(t) - v(t-1) = J k
    never = dict(tau_m_ms=1e12, v_rest_mv=0.0, v_reset_mv=-1.0, v_thresh_mv=1e12)
    net = Network()
    net.add_population("driven", 200, LIFPoisson(**never, drive_rate_hz=20000.0,
                                                 drive_weight=0.5),
                       initial={"v": 0.0}, record=["v"])
    source = net.add_population("counts", 200, PoissonCountSource(rate_hz=20000.0))
    sink = net.add_population("sink", 200, LIF(**never), initial={"v": 0.0}, record=["v"])
    ids = np.arange(200)
    net.connect(source, sink, FromList(ids, ids, np.full(200, 0.5), np.ones(200)))
    result = run_serial(net, chips.spinnaker2(1, 1), neurons_per_core=100, duration_ms=20.0)
    for name in ("driven", "sink"):
        v = result.datasets[f"state/{name}/v"]
        k = np.diff(v, axis=0) / 0.5            # counts per tick, 199 x 200 of them
        np.testing.assert_allclose(k, np.rint(k), atol=1e-6)
        k = np.rint(k)
        # Poisson(2): mean 2 and variance 2, to within 4 standard errors
        assert abs(k.mean() - 2.0) < 4 * np.sqrt(2.0 / k.size), name
        assert abs(k.var() - 2.0) < 4 * np.sqrt((2.0 + 2 * 4.0) / k.size), name
        # P(k = 0) = exp(-2)
        assert abs((k == 0).mean() - np.exp(-2)) < 0.01, name
