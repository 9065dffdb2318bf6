"""A processing element: its performance levels (DVFS), local memory and the cycle costs of
its work."""

from dataclasses import dataclass

from .errors import check

DVFS_POLICIES = ("fixed", "lowest_meeting_tick")


@dataclass(frozen=True)
class Core:
    """One processing element (a SpiNNaker2 PE or a SpiNNaker1 ARM968 core).

    `performance_levels_hz` are the clocks of its DVFS performance levels, lowest first; it
    runs at `performance_level` (an index into them), or with `dvfs_policy =
    "lowest_meeting_tick"` at the lowest level whose budget covers the work of its previous
    tick. `data_bytes` is the part of local memory that holds neuron state and synaptic data;
    `synapse_bytes` and `row_header_bytes` are the synaptic row format the mapper sizes
    slices by (sPyNNaker's: a 32-bit word per synapse holding weight, delay, synapse type and
    neuron index, and a 3-word header per row). The cycle costs drive the `timed` fidelity
    level and the energy model (per tick, per neuron update of a model that
    `[machine.neuron_cycles]` does not list, per synaptic event, per packet received, and
    `dma_cycles_per_row` more per packet whose row is fetched from chip SDRAM).
    `ring_delay_ticks` is the longest delay a core's input ring holds when the mapping
    hands longer ones to delay-extension cores. A convolution stored as a shared kernel
    (`[mapping] conv_storage = "kernels"`) takes `kernel_weight_bytes` per kernel weight and
    `kernel_header_bytes` per projection on the core, and `cycles_per_kernel_event` per
    synaptic event instead of `cycles_per_synaptic_event`. `input_collect_cycles_per_neuron`
    is what a neuron core pays each tick per neuron and split synapse core to collect that
    core's input (an estimate).
    """

    performance_levels_hz: tuple[int, ...]
    sram_bytes: int
    data_bytes: int
    performance_level: int = 0
    dvfs_policy: str = "fixed"
    cycles_per_tick: int = 2_000
    cycles_per_neuron: int = 40
    cycles_per_synaptic_event: int = 12
    cycles_per_packet: int = 60
    synapse_bytes: int = 4
    row_header_bytes: int = 12
    dma_cycles_per_row: int = 0
    ring_delay_ticks: int = 16
    kernel_weight_bytes: int = 2
    kernel_header_bytes: int = 60
    cycles_per_kernel_event: int = 32
    input_collect_cycles_per_neuron: int = 4  # estimate: read and add a word per neuron

    def __post_init__(self) -> None:
        levels = self.performance_levels_hz
        check(isinstance(levels, tuple) and len(levels) >= 1
              and all(isinstance(f, int) and f > 0 for f in levels)
              and all(a < b for a, b in zip(levels, levels[1:])), "performance_levels_hz",
              "be a list of clocks > 0 in Hz, lowest first", levels)
        check(0 <= self.performance_level < len(levels), "performance_level",
              f"be an index into performance_levels_hz (0 to {len(levels) - 1})",
              self.performance_level)
        check(self.dvfs_policy in DVFS_POLICIES, "dvfs_policy",
              f"be one of {', '.join(DVFS_POLICIES)}", self.dvfs_policy)
        check(self.sram_bytes > 0, "sram_bytes", "be > 0", self.sram_bytes)
        check(0 < self.data_bytes <= self.sram_bytes, "data_bytes",
              f"be > 0 and at most sram_bytes ({self.sram_bytes})", self.data_bytes)
        check(self.synapse_bytes >= 1, "synapse_bytes", "be >= 1", self.synapse_bytes)
        check(self.ring_delay_ticks >= 1, "ring_delay_ticks", "be >= 1", self.ring_delay_ticks)
        check(self.kernel_weight_bytes >= 1, "kernel_weight_bytes", "be >= 1",
              self.kernel_weight_bytes)
        for name in ("cycles_per_tick", "cycles_per_neuron", "cycles_per_synaptic_event",
                     "cycles_per_packet", "row_header_bytes", "dma_cycles_per_row",
                     "kernel_header_bytes", "cycles_per_kernel_event",
                     "input_collect_cycles_per_neuron"):
            value = getattr(self, name)
            check(value >= 0, name, "be >= 0", value)

    @property
    def clock_hz(self) -> int:
        """The clock of the level the core starts at (and keeps, with the fixed policy)."""
        return self.performance_levels_hz[self.performance_level]

    @property
    def n_levels(self) -> int:
        return len(self.performance_levels_hz)

    def budget_cycles(self, timestep_ns: int) -> tuple[int, ...]:
        """Cycles a tick of `timestep_ns` holds at each performance level."""
        return tuple(f * timestep_ns // 1_000_000_000 for f in self.performance_levels_hz)
