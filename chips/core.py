"""A processing element: clock, local memory and the cycle costs of its work."""

from dataclasses import dataclass

from .errors import check


@dataclass(frozen=True)
class Core:
    """One processing element (a SpiNNaker2 PE or a SpiNNaker1 ARM968 core).

    `data_bytes` is the part of local memory that holds neuron state and synaptic data;
    `synapse_bytes` and `row_header_bytes` are the synaptic row format the mapper sizes
    slices by (sPyNNaker's: a 32-bit word per synapse holding weight, delay, synapse type and
    neuron index, and a 3-word header per row). The cycle costs drive the `timed` fidelity
    level (per tick, per neuron update, per synaptic event, per packet received, and
    `dma_cycles_per_row` more per packet whose row is fetched from chip SDRAM).
    `ring_delay_ticks` is the longest delay a core's input ring holds when the mapping
    hands longer ones to delay-extension cores.
    """

    clock_hz: int
    sram_bytes: int
    data_bytes: int
    cycles_per_tick: int = 2_000
    cycles_per_neuron: int = 40
    cycles_per_synaptic_event: int = 12
    cycles_per_packet: int = 60
    synapse_bytes: int = 4
    row_header_bytes: int = 12
    dma_cycles_per_row: int = 0
    ring_delay_ticks: int = 16

    def __post_init__(self) -> None:
        check(self.clock_hz > 0, "clock_hz", "be > 0", self.clock_hz)
        check(self.sram_bytes > 0, "sram_bytes", "be > 0", self.sram_bytes)
        check(0 < self.data_bytes <= self.sram_bytes, "data_bytes",
              f"be > 0 and at most sram_bytes ({self.sram_bytes})", self.data_bytes)
        check(self.synapse_bytes >= 1, "synapse_bytes", "be >= 1", self.synapse_bytes)
        check(self.ring_delay_ticks >= 1, "ring_delay_ticks", "be >= 1", self.ring_delay_ticks)
        for name in ("cycles_per_tick", "cycles_per_neuron", "cycles_per_synaptic_event",
                     "cycles_per_packet", "row_header_bytes", "dma_cycles_per_row"):
            value = getattr(self, name)
            check(value >= 0, name, "be >= 0", value)
