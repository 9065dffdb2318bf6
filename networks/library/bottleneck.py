"""Bottlenecked feed-forward network: wide layers on each chip, a narrow layer at every exit.

The network is `n_chips` stages in a row. Each stage has `layers_per_chip` wide layers of
`width` neurons and ends with a narrow layer of `width / bottleneck_ratio` neurons (at least
one); the narrow layer feeds the first wide layer of the next stage, so only its spikes cross
from one chip to the next. Stage 0's first layer is a Poisson source, the rest are LIF neurons
(delta synapses), each with `in_degree` inputs from the layer before (fewer if that layer is
narrower) whose weights sum to `input_mv`, so rates stay alike whatever the width.

Every stage has the same layers, hence the same number of slices, so the `spread` placer
(contiguous blocks of equal size, one block per chip) puts stage k on chip k of a machine
with `n_chips` chips; the mapping has no per-population pinning.
"""

from dataclasses import dataclass

from ..connectors import FixedInDegree
from ..errors import check
from ..models import LIF, SpikeSourcePoisson
from ..network import MAX_NEURONS, MAX_POPULATIONS, Network
from .units import delay_in_ticks


@dataclass(frozen=True)
class BottleneckParams:
    n_chips: int = 4
    width: int = 1024
    layers_per_chip: int = 2
    bottleneck_ratio: float = 8.0
    in_degree: int = 100
    input_mv: float = 45.0
    input_rate_hz: float = 20.0
    tau_m_ms: float = 20.0
    v_thresh_mv: float = -50.0
    tau_refrac_ms: float = 2.0
    delay_ms: float = 1.0

    def __post_init__(self) -> None:
        check(self.n_chips >= 1, "n_chips", "be >= 1", self.n_chips)
        check(self.width >= 1, "width", "be >= 1", self.width)
        check(self.layers_per_chip >= 1, "layers_per_chip", "be >= 1", self.layers_per_chip)
        check(1.0 <= self.bottleneck_ratio <= self.width, "bottleneck_ratio",
              f"be between 1 and width ({self.width})", self.bottleneck_ratio)
        check(self.in_degree >= 1, "in_degree", "be >= 1", self.in_degree)
        check(self.n_chips * (self.layers_per_chip + 1) <= MAX_POPULATIONS,
              "n_chips and layers_per_chip", f"give at most {MAX_POPULATIONS:,} populations, "
              f"n_chips x (layers_per_chip + 1)", (self.n_chips, self.layers_per_chip))
        check(self.n_chips * (self.layers_per_chip + 1) * self.width <= MAX_NEURONS, "width",
              f"keep n_chips x (layers_per_chip + 1) x width within {MAX_NEURONS:,} neurons",
              self.width)
        check(self.input_rate_hz >= 0, "input_rate_hz", "be >= 0", self.input_rate_hz)
        check(self.v_thresh_mv > -65.0, "v_thresh_mv", "be above the rest potential (-65 mV)",
              self.v_thresh_mv)

    @property
    def narrow_width(self) -> int:
        return max(1, round(self.width / self.bottleneck_ratio))


def build_bottleneck(params: BottleneckParams, timestep_ms: float) -> Network:
    """Populations `c{k}_l{i}` (wide layer i of chip k; `c0_l0` is the Poisson input) and
    `c{k}_narrow`."""
    net = Network("bottleneck")
    model = LIF(tau_m_ms=params.tau_m_ms, v_rest_mv=-65.0, v_reset_mv=-65.0,
                v_thresh_mv=params.v_thresh_mv, tau_refrac_ms=params.tau_refrac_ms)
    delay = delay_in_ticks(params.delay_ms, timestep_ms, "delay_ms")
    previous = None
    for chip in range(params.n_chips):
        sizes = [params.width] * params.layers_per_chip + [params.narrow_width]
        names = [f"c{chip}_l{i}" for i in range(params.layers_per_chip)] + [f"c{chip}_narrow"]
        for name, size in zip(names, sizes):
            if previous is None:
                layer = net.add_population(name, size,
                                           SpikeSourcePoisson(rate_hz=params.input_rate_hz))
            else:
                layer = net.add_population(name, size, model)
                k = min(params.in_degree, previous.size)
                net.connect(previous, layer, FixedInDegree(k), weight=params.input_mv / k,
                            delay_ticks=delay)
            previous = layer
    return net
