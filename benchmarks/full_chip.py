"""One full SpiNNaker2 chip at timed fidelity: its 148 application cores of 256 LIF neurons
each, 1 ms ticks, recurrent and Poisson input. Target: at most 3 s of wall time per simulated
second on one CPU core at the busiest drive (about 25 Hz). The cost grows with activity (each spike's packet reaches almost every
core), so the drive is swept to give quiet, moderate and busy networks.

    python -m benchmarks.full_chip [--duration-ms 1000] [--drive-weights 0.05 0.06 0.09]
"""

import argparse

import chips
from networks import FixedInDegree, IFCurrExp, Network, SpikeSourcePoisson, Uniform
from simulator import MappingOptions, RunOptions, simulate
from simulator.distribution import SerialComm

from .common import write_result

CORES, PER_CORE = 148, 256  # SpiNNaker2's application cores (chips/presets.py)


def network(drive_weight: float) -> Network:
    """Balanced excitation and inhibition at a few Hz: 8 cores of Poisson drive, 112 cores
    of excitatory and 28 of inhibitory neurons."""
    net = Network("full-chip")
    n_drive, n_exc, n_inh = 8 * PER_CORE, 112 * PER_CORE, 28 * PER_CORE
    model = IFCurrExp(tau_m_ms=20.0, cm_nf=0.25, v_rest_mv=-65.0, v_reset_mv=-65.0,
                      v_thresh_mv=-50.0, tau_refrac_ms=2.0, tau_syn_e_ms=5.0,
                      tau_syn_i_ms=5.0)
    start = {"v": Uniform(-65.0, -50.0)}
    drive = net.add_population("drive", n_drive, SpikeSourcePoisson(rate_hz=10.0))
    exc = net.add_population("exc", n_exc, model, start)
    inh = net.add_population("inh", n_inh, model, start)
    for post in (exc, inh):
        net.connect(drive, post, FixedInDegree(50), weight=drive_weight)
        net.connect(exc, post, FixedInDegree(80), weight=0.02)
        net.connect(inh, post, FixedInDegree(20), weight=-0.08, receptor="inhibitory")
    return net


def measure(drive_weight: float, duration_ms: float) -> dict:
    net = network(drive_weight)
    run = RunOptions(duration_ms=duration_ms, timestep_ms=1.0, fidelity="timed",
                     traffic_window_ms=100.0)
    result = simulate(net, chips.spinnaker2(), run, MappingOptions(PER_CORE, "sequential", fit_memory=False),
                      comm=SerialComm())
    a, d = result.attributes, result.datasets
    seconds = duration_ms / 1000
    return {"drive_weight_na": drive_weight, "neurons": net.size,
            "cores_used": int(len(d["mapping/placements"])),
            "synapses": int(d["mapping/edges"]["synapses"].sum()),
            "spikes": int(sum(len(result.spikes(p)[0]) for p in result.populations)),
            "rate_hz": {p: round(len(result.spikes(p)[0]) / result.group_attributes[
                f"spikes/{p}"]["size"] / seconds, 2) for p in result.populations},
            "packet_copies_to_cores": int(d["cores/packets"].sum()),
            "build_wall_s": a["build_wall_s"], "run_wall_s": a["run_wall_s"],
            "wall_s_per_simulated_s": a["run_wall_s"] / seconds,
            "peak_rss_bytes": a["peak_rss_bytes"],
            "profile_s": dict(zip(result.group_attributes["profile"]["phases"],
                                  d["profile/seconds"][0].round(3).tolist())),
            "overruns": int(d["cores/overruns"].sum()),
            "late_packets": int(d["cores/late_packets"].sum())}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration-ms", type=float, default=1000.0)
    parser.add_argument("--drive-weights", type=float, nargs="+", default=[0.05, 0.06, 0.09])
    args = parser.parse_args()
    points = []
    for weight in args.drive_weights:
        points.append(measure(weight, args.duration_ms))
        print(points[-1])
    print("wrote", write_result("full_chip", {"target_wall_s_per_simulated_s": 3,
                                              "points": points}))


if __name__ == "__main__":
    main()
