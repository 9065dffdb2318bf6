"""Inter-chip traffic of the bottlenecked network against its bottleneck ratio.

    python -m benchmarks.bottleneck_sweep [--ratios 1 2 4 ...] [--duration-ms 200]

Runs `library = "bottleneck"` (4 stages on a 4 x 1 SpiNNaker2 torus, one stage a chip) at
functional fidelity, where packet counts per link are exact, for each ratio; stores the table
as benchmarks/results/bottleneck_sweep.json and, when matplotlib is installed (the `plots`
extra), a plot as benchmarks/results/bottleneck_sweep.png.
"""

import argparse
import sys

import chips
from networks.library.bottleneck import BottleneckParams, build_bottleneck
from simulator import MappingOptions, RunOptions, simulate
from simulator.distribution import SerialComm

from .common import RESULTS, write_result

RATIOS = (1, 2, 4, 8, 16, 32, 64)


def measure(ratio: float, duration_ms: float, n_chips: int = 4) -> dict:
    """Traffic of one run at `ratio`."""
    params = BottleneckParams(n_chips=n_chips, bottleneck_ratio=float(ratio))
    net = build_bottleneck(params, 1.0)
    run = RunOptions(duration_ms=duration_ms, timestep_ms=1.0, fidelity="functional", seed=1)
    result = simulate(net, chips.spinnaker2(n_chips, 1), run, MappingOptions(64, "spread"),
                      comm=SerialComm())
    d = result.datasets
    narrow = [f"c{k}_narrow" for k in range(n_chips - 1)]  # the ones whose spikes leave a chip
    narrow_spikes = sum(len(result.spikes(name)[0]) for name in narrow)
    seconds = duration_ms * 1e-3
    return {"bottleneck_ratio": float(ratio), "narrow_width": params.narrow_width,
            "inter_chip_packets": int(d["traffic/link_packets"].sum()),
            "inter_chip_bits": int(d["traffic/link_bits"].sum()),
            "crossing_spikes": int(narrow_spikes),
            "narrow_rate_hz": narrow_spikes / (len(narrow) * params.narrow_width * seconds)
            if narrow else 0.0,
            "all_spikes": int(sum(len(result.spikes(p.name)[0]) for p in net.populations))}


def plot(rows: list[dict]) -> str | None:
    """Write the PNG if matplotlib is there; return its path."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    ratio = [r["bottleneck_ratio"] for r in rows]
    fig, ax = plt.subplots(figsize=(5, 3.5))
    ax.loglog(ratio, [r["inter_chip_packets"] for r in rows], "o-", label="packets")
    ax.loglog(ratio, [r["inter_chip_bits"] / 1000 for r in rows], "s--", label="kbit")
    ax.loglog(ratio, [rows[0]["inter_chip_packets"] / x for x in ratio], ":", color="grey",
              label="1 / ratio")
    ax.set_xlabel("bottleneck ratio (width / narrow width)")
    ax.set_ylabel("inter-chip traffic")
    ax.legend()
    fig.tight_layout()
    path = RESULTS / "bottleneck_sweep.png"
    fig.savefig(path, dpi=120)
    return str(path)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ratios", nargs="*", type=float, default=list(RATIOS))
    parser.add_argument("--duration-ms", type=float, default=200.0)
    args = parser.parse_args(argv)
    rows = [measure(r, args.duration_ms) for r in args.ratios]
    print(f"{'ratio':>6} {'narrow':>6} {'packets':>9} {'bits':>11} {'rate Hz':>8}")
    for r in rows:
        print(f"{r['bottleneck_ratio']:6g} {r['narrow_width']:6d} {r['inter_chip_packets']:9d} "
              f"{r['inter_chip_bits']:11d} {r['narrow_rate_hz']:8.1f}")
    write_result("bottleneck_sweep", {"duration_ms": args.duration_ms, "rows": rows})
    path = plot(rows)
    print(f"plot: {path}" if path else "plot: matplotlib not installed (pip install '.[plots]')")


if __name__ == "__main__":
    main(sys.argv[1:])
