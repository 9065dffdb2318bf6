"""Machine presets with the published facts of SpiNNaker2 and SpiNNaker1.

Sources: the SpiNNaker2 datasheet and SpiNNMachine's version tables (152 application PEs plus
one system core, 16,384 router entries, 150/300 MHz DVFS levels); numbers those call
second-hand (link speeds, latencies, cycle costs) are defaults to override in config.
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
    core=Core(clock_hz=300_000_000, sram_bytes=128 * 1024, data_bytes=96 * 1024),
    router=Router(table_entries=16_384),
    link=Link(bandwidth_bps=6_000_000_000),      # on-board; board-to-board is 2 Gbit/s
    reserved_cores=0,
    header_bits=0,
    noc_layout="qpe_mesh",
)

SPINNAKER1_CHIP = Chip(
    name="spinnaker1",
    cores=18,                                    # ARM968; 16 for applications
    core=Core(clock_hz=200_000_000, sram_bytes=96 * 1024, data_bytes=64 * 1024),
    router=Router(table_entries=1_023),          # 1,024 entries, one kept by the system
    link=Link(bandwidth_bps=250_000_000),        # second-hand figure
    reserved_cores=2,                            # monitor and spare
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
