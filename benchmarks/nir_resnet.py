"""A CIFAR-sized spiking ResNet as a NIR graph, one stage a chip with a bottleneck at every
chip boundary (after Lin, Zhu and Eshraghian, "Reducing data bottlenecks in distributed,
heterogeneous neural networks", arXiv 2410.09650), and the sweep of inter-chip bits against
the bottleneck ratio, per boundary, on the modelled machine:

    python -m benchmarks.nir_resnet [--channels 8] [--ratios 1 2 4 8] [--duration-ms 40]

Input 3 x 32 x 32 (rate-coded frames). Stage k (k = 0 .. 3) at 32 / 2^k pixels a side:
an entry convolution (3x3; stride 2 after the first stage) to C 2^k channels, a residual
block (two 3x3 convolutions, the block's input added to the second), and, in the first three
stages, a 1x1 bottleneck convolution down to C 2^k / ratio channels, whose spikes alone go to
the next chip; the last stage ends in a 10-way Affine read-out. IF neurons (threshold 1,
reset to 0), random weights (normal, gain / sqrt(fan-in)): an untrained network with the
shape and the traffic pattern of the paper's, not its accuracy. Stage k is pinned to a range
of chips of a SpiNNaker2 row (`--chips-per-stage`, 2 by default: the first stage needs more
than one chip at 8 channels), filled in layer order, so its bottleneck ends the range;
functional fidelity (exact counts). The figure per boundary counts the bottleneck layer's
packets on every link (population_link_packets); packets between the chips of one stage are
listed apart.
"""

import argparse

import nir
import numpy as np

import chips
from networks.encoders import rate_spikes
from networks.nir import read_nir
from simulator import MappingOptions, RunOptions, simulate
from simulator.distribution import SerialComm

from .common import RESULTS, write_result

STAGES = 4
GAIN = 2.2


def _if(shape):
    return nir.IF(r=np.ones(shape), v_threshold=np.ones(shape), v_reset=np.zeros(shape))


def _conv(rng, c_in, c_out, side, kernel, stride=1):
    w = rng.normal(0, GAIN / np.sqrt(c_in * kernel * kernel), (c_out, c_in, kernel, kernel))
    return nir.Conv2d(input_shape=(side, side), weight=w, stride=stride, padding=kernel // 2,
                      dilation=1, groups=1, bias=np.zeros(c_out))


def resnet_graph(ratio: float, channels: int = 8, seed: int = 0):
    """(NIR graph, {population name: stage}) of the bottlenecked ResNet."""
    rng = np.random.default_rng(seed)
    nodes = {"input": nir.Input(input_type={"input": np.array([3, 32, 32])})}
    edges, stage_of = [], {"input": 0}
    below, c_below, side = "input", 3, 32
    for k in range(STAGES):
        c = channels * 2 ** k
        stride = 1 if k == 0 else 2
        out_side = side // stride
        names = {part: f"s{k}_{part}" for part in ("entry", "a", "b", "neck")}
        nodes[f"w{k}_entry"] = _conv(rng, c_below, c, side, 3, stride)
        nodes[names["entry"]] = _if((c, out_side, out_side))
        nodes[f"w{k}_a"] = _conv(rng, c, c, out_side, 3)
        nodes[names["a"]] = _if((c, out_side, out_side))
        nodes[f"w{k}_b"] = _conv(rng, c, c, out_side, 3)
        nodes[f"w{k}_skip"] = nir.Scale(scale=np.full(c * out_side * out_side, 0.5))
        nodes[names["b"]] = _if((c, out_side, out_side))
        edges += [(below, f"w{k}_entry"), (f"w{k}_entry", names["entry"]),
                  (names["entry"], f"w{k}_a"), (f"w{k}_a", names["a"]),
                  (names["a"], f"w{k}_b"), (f"w{k}_b", names["b"]),
                  (names["entry"], f"w{k}_skip"), (f"w{k}_skip", names["b"])]
        top = names["b"]
        if k < STAGES - 1:
            narrow = max(1, round(c / ratio))
            nodes[f"w{k}_neck"] = _conv(rng, c, narrow, out_side, 1)
            nodes[names["neck"]] = _if((narrow, out_side, out_side))
            edges += [(top, f"w{k}_neck"), (f"w{k}_neck", names["neck"])]
            top, c_below = names["neck"], narrow
        else:
            n = c * out_side * out_side
            nodes["flat"] = nir.Flatten(input_type={"input": np.array([c, out_side, out_side])},
                                        start_dim=0)
            nodes["readout"] = nir.Affine(weight=rng.normal(0, GAIN / np.sqrt(n), (10, n)),
                                          bias=np.zeros(10))
            nodes["classes"] = _if((10,))
            edges += [(top, "flat"), ("flat", "readout"), ("readout", "classes")]
            stage_of["classes"] = k
        stage_of.update({name: k for part, name in names.items() if name in nodes})
        below, side = top, out_side
    return nir.NIRGraph(nodes=nodes, edges=edges, type_check=False), stage_of


def frames(n: int = 2, seed: int = 0) -> np.ndarray:
    """Smooth random 3 x 32 x 32 images in [0, 1] (no data set: the traffic needs none)."""
    rng = np.random.default_rng(seed)
    coarse = rng.random((n, 3, 8, 8))
    return np.kron(coarse, np.ones((1, 1, 4, 4))).clip(0, 1)


def run_resnet(ratio: float, channels: int = 8, duration_ms: float = 40.0,
               frame_ticks: int = 20, fidelity: str = "functional", chips_per_stage: int = 1):
    """(result, network, stage of each population) of one run on a row of chips, stage k
    pinned to chips k c .. (k + 1) c - 1 (c = `chips_per_stage`), filled in layer order so
    that each stage's bottleneck ends its range."""
    graph, stage_of = resnet_graph(ratio, channels)
    spikes = rate_spikes(frames(max(1, round(duration_ms / frame_ticks))), frame_ticks, 1.0)
    net = read_nir(graph, 1.0, spikes=spikes)
    pins = {p.name: {"x": [stage_of[p.name] * chips_per_stage,
                           (stage_of[p.name] + 1) * chips_per_stage - 1], "y": 0}
            for p in net.populations}
    result = simulate(net, chips.spinnaker2(STAGES * chips_per_stage, 1, wrap=False),
                      RunOptions(duration_ms=duration_ms, timestep_ms=1.0, fidelity=fidelity,
                                 seed=1),
                      MappingOptions(256, "sequential", pins=pins), comm=SerialComm())
    return result, net, stage_of


def measure(ratio: float, channels: int, duration_ms: float, chips_per_stage: int) -> dict:
    result, net, _ = run_resnet(ratio, channels, duration_ms, chips_per_stage=chips_per_stage)
    d = result.datasets
    per_population = d["traffic/population_link_packets"].sum(axis=(0, 2))
    bits_per_packet = chips.spinnaker2().chip.packet_bits(False)
    boundaries = []
    for k in range(STAGES - 1):
        neck = net.population(f"s{k}_neck")
        spikes = len(result.spikes(neck.name)[0])
        boundaries.append({"boundary": f"stage {k} -> {k + 1}", "neck_neurons": neck.size,
                           "neck_spikes": spikes,
                           "inter_chip_packets": int(per_population[neck.index]),
                           "inter_chip_bits": int(per_population[neck.index]) * bits_per_packet})
    return {"bottleneck_ratio": ratio, "boundaries": boundaries,
            "stage_internal_inter_chip_packets": int(d["traffic/link_packets"].sum())
            - sum(b["inter_chip_packets"] for b in boundaries),
            "inter_chip_packets": int(d["traffic/link_packets"].sum()),
            "inter_chip_bits": int(d["traffic/link_bits"].sum()),
            "neurons": net.size, "synapses": int(d["mapping/edges"]["synapses"].sum()),
            "cores": len(d["mapping/placements"])}


def plot(rows: list, path) -> None:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    figure = Figure(figsize=(8, 5), dpi=100)
    FigureCanvasAgg(figure)
    ax = figure.subplots()
    ratios = [r["bottleneck_ratio"] for r in rows]
    for k in range(STAGES - 1):
        ax.plot(ratios, [r["boundaries"][k]["inter_chip_bits"] for r in rows], "o-",
                label=rows[0]["boundaries"][k]["boundary"])
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xlabel("bottleneck ratio (channels before / after the 1x1 bottleneck)")
    ax.set_ylabel("inter-chip bits of the bottleneck's spikes over the run")
    ax.set_title("NIR spiking ResNet (3x32x32 input): bits across each stage boundary")
    ax.legend()
    figure.savefig(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--channels", type=int, default=8)
    parser.add_argument("--ratios", type=float, nargs="+", default=[1, 2, 4, 8])
    parser.add_argument("--duration-ms", type=float, default=40.0)
    parser.add_argument("--chips-per-stage", type=int, default=2)
    args = parser.parse_args()
    rows = [measure(r, args.channels, args.duration_ms, args.chips_per_stage)
            for r in args.ratios]
    for r in rows:
        print(r["bottleneck_ratio"], [b["inter_chip_bits"] for b in r["boundaries"]],
              r["cores"], r["synapses"])
    write_result("nir_bottleneck_sweep", {"channels": args.channels,
                                          "chips_per_stage": args.chips_per_stage,
                                          "duration_ms": args.duration_ms, "rows": rows})
    try:
        plot(rows, RESULTS / "nir_bottleneck_sweep.png")
    except ImportError:
        pass


if __name__ == "__main__":
    main()
