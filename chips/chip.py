"""One chip: its cores, its router, its links and the packets it sends."""

from dataclasses import dataclass

import numpy as np

from .core import Core
from .costs import NeuronCycles
from .energy import Energy
from .errors import check
from .link import Link
from .noc import NOC_LAYOUTS, core_hops
from .router import Router

SYNAPSE_MEMORIES = ("core", "sdram")


@dataclass(frozen=True)
class Chip:
    """A many-core chip. Cores `0 .. reserved_cores - 1` of every chip run system software
    (monitor and extra monitor), and `ethernet_reserved_cores` more on each board's Ethernet
    chip (the data gatherer); the rest run application slices. Synaptic rows live in the
    cores' data memory or, with `synapse_memory = "sdram"`, in the chip's `sdram_bytes`
    shared by its cores. Packets carry a 32-bit key after `header_bits`, plus a 32-bit
    payload for graded events. Between a core and the router a packet crosses the
    network-on-chip (`noc_layout`), `noc_hop_cycles` cycles of the `noc_clock_hz` clock per
    hop. `energy` prices its parts; `neuron_cycles` is what a neuron update of each model
    costs its cores."""

    name: str
    cores: int
    core: Core
    router: Router
    link: Link
    energy: Energy
    neuron_cycles: NeuronCycles
    reserved_cores: int = 0
    ethernet_reserved_cores: int = 0
    sdram_bytes: int = 0
    synapse_memory: str = "core"
    header_bits: int = 0
    key_bits: int = 32
    payload_bits: int = 32
    noc_layout: str = "crossbar"
    noc_hop_cycles: int = 1
    noc_clock_hz: int = 200_000_000

    def __post_init__(self) -> None:
        check(self.cores > 0, "cores", "be > 0", self.cores)
        check(0 <= self.reserved_cores < self.cores, "reserved_cores",
              f"be >= 0 and below cores ({self.cores})", self.reserved_cores)
        check(0 <= self.ethernet_reserved_cores < self.cores - self.reserved_cores,
              "ethernet_reserved_cores",
              f"be >= 0 and below cores - reserved_cores ({self.cores - self.reserved_cores})",
              self.ethernet_reserved_cores)
        check(self.sdram_bytes >= 0, "sdram_bytes", "be >= 0", self.sdram_bytes)
        check(self.synapse_memory in SYNAPSE_MEMORIES, "synapse_memory",
              f"be one of {', '.join(SYNAPSE_MEMORIES)}", self.synapse_memory)
        check(self.synapse_memory != "sdram" or self.sdram_bytes > 0, "sdram_bytes",
              'be > 0 when synapse_memory is "sdram"', self.sdram_bytes)
        check(self.header_bits >= 0, "header_bits", "be >= 0", self.header_bits)
        check(self.key_bits == 32, "key_bits", "be 32", self.key_bits)
        check(self.payload_bits >= 0, "payload_bits", "be >= 0", self.payload_bits)
        check(self.noc_layout in NOC_LAYOUTS, "noc_layout",
              f"be one of {', '.join(NOC_LAYOUTS)}", self.noc_layout)
        check(self.noc_hop_cycles >= 0, "noc_hop_cycles", "be >= 0", self.noc_hop_cycles)
        check(self.noc_clock_hz > 0, "noc_clock_hz", "be > 0", self.noc_clock_hz)
        self.energy.check_levels(self.core.n_levels)

    @property
    def noc_hop_ps(self) -> int:
        """Time of one NoC hop, in whole picoseconds (rounded to nearest)."""
        return (self.noc_hop_cycles * 10**12 + self.noc_clock_hz // 2) // self.noc_clock_hz

    @property
    def application_cores(self) -> int:
        """Cores available to run slices of the network."""
        return self.cores - self.reserved_cores

    def packet_cycles(self) -> int:
        """Cycles a core spends on one received packet: its fixed cost, and the DMA of the
        row where rows live in SDRAM."""
        dma = self.core.dma_cycles_per_row if self.synapse_memory == "sdram" else 0
        return self.core.cycles_per_packet + dma

    def noc_hops(self) -> np.ndarray:
        """NoC hops between each core and the router."""
        return core_hops(self.noc_layout, self.cores)

    def packet_bits(self, with_payload: bool = False) -> int:
        """Size on the wire of one multicast packet."""
        return self.header_bits + self.key_bits + (self.payload_bits if with_payload else 0)
