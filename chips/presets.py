"""Machine presets with the published facts of SpiNNaker2 and SpiNNaker1.

Sources: the SpiNNaker2 datasheet and SpiNNMachine's version tables (152 application PEs plus
one system core, 16,384 router entries, 150/300 MHz DVFS levels; SDRAM a chip offers its
applications: 123,469,792 bytes on SpiNNaker1, 1 GiB on SpiNNaker2); where synapses live and
which cores the toolchain keeps follow sPyNNaker 1!7 (SpiNNaker1: synaptic matrices in
SDRAM, fetched a row per spike by DMA; the monitor and an extra monitor on every chip, a data
gatherer on each Ethernet chip). Numbers those call second-hand (link speeds, latencies,
cycle costs) are defaults to override in config.
"""

from dataclasses import replace

from .chip import Chip
from .core import Core
from .errors import MachineError
from .link import Link
from .machine import Machine
from .router import Router

SPINNAKER2_CHIP = Chip(
    name="spinnaker2",
    cores=152,                                   # 38 quad-PEs x 4 Arm Cortex-M4F
    core=Core(clock_hz=300_000_000, sram_bytes=128 * 1024, data_bytes=96 * 1024,
              dma_cycles_per_row=100),           # estimate: ~330 ns DRAM access at 300 MHz
    router=Router(table_entries=16_384),
    link=Link(bandwidth_bps=6_000_000_000),      # on-board; board-to-board is 2 Gbit/s
    reserved_cores=0,
    sdram_bytes=1 << 30,                         # LPDDR4 beside each chip (SpiNNMachine)
    synapse_memory="core",                       # rows in PE SRAM; "sdram" puts them in DRAM
    header_bits=0,
    noc_layout="qpe_mesh",
)

SPINNAKER1_CHIP = Chip(
    name="spinnaker1",
    cores=18,                                    # ARM968; 16 for applications
    core=Core(clock_hz=200_000_000, sram_bytes=96 * 1024, data_bytes=64 * 1024),
    router=Router(table_entries=1_023),          # 1,024 entries, one kept by the system
    link=Link(bandwidth_bps=250_000_000),        # second-hand figure
    reserved_cores=2,                            # monitor (SC&MP) and extra monitor
    ethernet_reserved_cores=1,                   # data gatherer on the Ethernet chip
    sdram_bytes=123_469_792,                     # 128 MiB less SC&MP's share (SpiNNMachine)
    synapse_memory="sdram",                      # synaptic matrices in SDRAM, DMA per row
    header_bits=8,                               # 40-bit packet, 72 with payload
)


def spinnaker2(width: int = 1, height: int = 1, wrap: bool = True) -> Machine:
    """SpiNNaker2 chips in a `width` x `height` torus (one chip by default)."""
    return Machine(SPINNAKER2_CHIP, width, height, wrap)


def spinnaker1(width: int = 8, height: int = 8, wrap: bool = False,
               layout: str = "board48") -> Machine:
    """SpiNNaker1 chips; by default one 48-chip board without wrap-around."""
    return Machine(SPINNAKER1_CHIP, width, height, wrap, layout)


PRESETS = {"spinnaker2": spinnaker2, "spinnaker1": spinnaker1}


def preset(name: str, **overrides) -> Machine:
    """The machine of preset `name`, with `width`, `height`, `wrap` or `layout` replaced."""
    if name not in PRESETS:
        raise MachineError(f"preset must be one of {', '.join(PRESETS)} (got {name!r})")
    return replace(PRESETS[name](), **overrides)
