"""Machine presets with the published facts of SpiNNaker2 and SpiNNaker1.

Every figure names its source: [1st] the measuring source's own words (a datasheet, an
abstract, a constant in SpiNNaker's own software), [2nd] quoted by others, [derived]
arithmetic on those, [estimate] no published figure: a guess to override with
`[machine.*]` in the config. docs/timing.md and docs/energy.md tabulate the same.

Sources:
  S2CHIP  Scholze, Partzsch, Hoeppner et al., "The SpiNNaker2 chip", IEEE OJCAS 2026 [2nd,
          via shared/reference/hardware-facts.md].
  SPIN2   SpiNNMachine `version/version_spin2.py`: 152 PEs + 1 system core, 16,384 router
          entries, clocks [150, 300] MHz [1st, code].
  SPIN1   SpiNNMachine `version/version_spin1.py` and `version_5.py`: 18 cores, 1,023 router
          entries, 200 MHz, 0.35 W idle chip, 0.034 W per active core, 25 pJ per packet bit,
          26.84 W idle 48-chip board [1st, code; the power figures measured on boards].
  SPYNN   sPyNNaker's cost estimates (`AbstractPopulationVertex`: 22 cycles per neuron and
          10 per core tick; its neuron components: LIF 100, exponential synapses 100, delta
          synapses 1, static threshold 2 cycles per neuron) [1st, code, marked there as
          guesses]; Rhodes et al., Front. Neurosci. 12:816 (2018): measured throughput within
          2x of the design target of 10,000 synaptic events per ms per core [1st, abstract].
  TEMPLE  Temple, SpiNNaker workshop 2015: links about 250 Mbit/s on a board, about 50 %
          slower between boards; per-packet CPU cost typically 200-1,000 ns [1st, slides].
  LOIHI   Davies et al. 2018 via SANA-FE `arch/loihi.yaml`: 3.0 pJ per mesh hop, 76.8 pJ per
          spike routed out of a core (14 nm) [1st, code]: used only as orders of magnitude.
  SPYN7   sPyNNaker / PACMAN / SpiNNMachine 1!7.4.1 as they map (checked side by side in
          benchmarks/toolchain_compare.py): SDRAM a chip offers its applications (123,469,792
          bytes on SpiNNaker1, 1 GiB on SpiNNaker2: `max_sdram_per_chip`); SpiNNaker1
          synaptic matrices in SDRAM, a row fetched by DMA per packet; the monitor (SC&MP)
          and an extra monitor on every chip, a data gatherer on each Ethernet chip [1st,
          code].
  SPYNNCONV sPyNNaker's local-only convolution: `local_only_conv_impl.c` (the connector
          struct: 28 bytes of key information, six 16-bit coordinate pairs, two synapse
          types, a delay word, then int16 kernel weights; per spike a loop over the kernel
          positions that reach the core's posts) and, in spynnaker 1!7.4.1,
          `LocalOnlyConvolution` / `ConvolutionConnector` (every core of a target holds the
          kernels of its incoming connectors: `kernel_n_bytes`) [1st, code].
"""

from dataclasses import replace

from .chip import Chip
from .core import Core
from .costs import NeuronCycles
from .energy import Energy
from .errors import MachineError
from .link import Link
from .machine import Machine
from .router import Router

# Neuron-update costs: SPYNN's component estimates where it has the model, estimates
# otherwise (Poisson drive +100 for the count drawn per neuron and tick; EGRU 300 for two
# sigmoids, a tanh and the state update; sources 10-60). SpiNNaker2 runs the same kind of
# software on a Cortex-M4F; no per-model figure is published for it, so it takes the same.
NEURON_CYCLES = NeuronCycles(
    lif=22 + 100 + 1 + 2,                  # SPYNN: base, LIF, delta synapses, threshold
    if_curr_exp=22 + 100 + 100 + 2,        # SPYNN: base, LIF, exponential synapses, threshold
    lif_poisson=22 + 100 + 1 + 2 + 100,    # + estimate for the Poisson count
    if_curr_exp_poisson=22 + 100 + 100 + 2 + 100,
    egru=300,                              # estimate
    nir_neuron=22 + 100 + 100 + 2,         # CubaLIF and friends: as if_curr_exp
    nir_integrator=22 + 100 + 100,         # no threshold
    poisson=60, spike_array=10, spike_events=10, graded_sequence=10,
    poisson_count=60)                      # estimates

# Convolutions stored as shared kernels, as sPyNNaker's local-only convolution keeps them
# (SPYNNCONV).
KERNEL_STORAGE = dict(
    kernel_weight_bytes=2,        # SPYNNCONV: int16 kernel weights (lc_weight_t)
    kernel_header_bytes=60,       # SPYNNCONV: the connector struct before its weights (key
                                  # info 28 bytes, six coordinate pairs 24, two synapse
                                  # types 4, delay 4)
    cycles_per_kernel_event=32)   # estimate: the inner loop of do_convolution_operation per
                                  # target neuron (bounds checks, kernel index, ring-buffer
                                  # index, saturating add: about 30 instructions)

SPINNAKER2_CHIP = Chip(
    name="spinnaker2",
    cores=152,                        # S2CHIP, SPIN2: 38 quad-PEs x 4 Arm Cortex-M4F
    reserved_cores=4,                 # S2CHIP: 148 of them for applications
    core=Core(
        performance_levels_hz=(150_000_000, 300_000_000),   # SPIN2; S2CHIP: 0.5 V, 0.8 V
        performance_level=1,
        sram_bytes=128 * 1024,        # S2CHIP
        data_bytes=96 * 1024,         # S2CHIP: about 32 KB of it instructions
        cycles_per_tick=10,           # SPYNN's per-core estimate
        cycles_per_neuron=22 + 100,   # SPYNN: base and neuron model, for an unlisted model
        cycles_per_synaptic_event=20,  # SPYNN design target (10,000 per ms at 200 MHz)
        cycles_per_packet=60,         # estimate: row look-up in SRAM, no DMA from SDRAM
        dma_cycles_per_row=100,       # estimate: ~330 ns of DRAM access with synapse_memory
                                      # = "sdram"
        **KERNEL_STORAGE),
    router=Router(table_entries=16_384,   # S2CHIP, SPIN2
                  latency_ns=10),         # S2CHIP: 4-stage pipeline at 400 MHz [derived]
    link=Link(bandwidth_bps=6_000_000_000,  # S2CHIP: on a board
              frame_bits=96,                # S2CHIP: a 96-bit frame every 16 ns
              latency_ns=50,                # estimate
              board_bandwidth_bps=2_000_000_000,  # S2CHIP: LVDS between boards
              board_latency_ns=200),              # estimate
    header_bits=8,                    # S2CHIP: 40-bit multicast packet with its 32-bit key
    sdram_bytes=1 << 30,              # SPYN7: the DRAM beside each chip
    synapse_memory="core",            # rows in PE SRAM; "sdram" puts them in the DRAM
    noc_layout="qpe_mesh",
    noc_hop_cycles=5,                 # S2CHIP: 5 cycles per hop, XY routing
    noc_clock_hz=300_000_000,         # S2CHIP: 192-bit flits at 300 MHz
    energy=Energy(
        chip_baseline_w=0.0752,       # S2CHIP: all PEs off
        # S2CHIP: all 152 PEs asleep 235.4 mW at 0.5 V, 564.7 mW at 0.8 V: less the baseline,
        # over 152 [derived]
        core_sleep_w=(0.001054, 0.00322),
        # S2CHIP: all busy (CoreMark) 424.6 mW at 0.5 V/150 MHz, 1,247.9 mW at 0.8 V/300 MHz:
        # over asleep, per PE and cycle [derived]
        core_busy_j_per_cycle=(8.3e-12, 1.498e-11),
        router_j_per_packet=76.8e-12,  # estimate (LOIHI's per-spike routing energy)
        noc_j_per_hop=3.0e-12,         # estimate (LOIHI's per-hop energy)
        link_j_per_bit=3.0e-12,        # estimate: not published
        board_w=0.0,                   # not published
        unused_cores_off=True),        # S2CHIP: each PE its own power domain
    neuron_cycles=NEURON_CYCLES,
)

SPINNAKER1_CHIP = Chip(
    name="spinnaker1",
    cores=18,                         # SPIN1: ARM968
    reserved_cores=2,                 # SPYN7: monitor and extra monitor; 16 for applications
    ethernet_reserved_cores=1,        # SPYN7: the data gatherer on the Ethernet chip
    sdram_bytes=123_469_792,          # SPYN7: 128 MiB less SC&MP's share
    synapse_memory="sdram",           # SPYN7: synaptic matrices in SDRAM, DMA per row
    core=Core(
        performance_levels_hz=(200_000_000,),  # SPIN1
        performance_level=0,
        sram_bytes=96 * 1024,         # datasheet: 32 KB ITCM + 64 KB DTCM
        data_bytes=64 * 1024,
        cycles_per_tick=10,           # SPYNN
        cycles_per_neuron=22 + 100,   # SPYNN, for an unlisted model
        cycles_per_synaptic_event=20,  # SPYNN design target: 10,000 per ms at 200 MHz
        cycles_per_packet=100,        # TEMPLE: 200-1,000 ns a packet; 500 ns at 200 MHz
        **KERNEL_STORAGE),
    router=Router(table_entries=1_023,   # SPIN1: 1,024 entries, one kept by the system
                  latency_ns=100),       # estimate
    link=Link(bandwidth_bps=250_000_000,         # TEMPLE
              latency_ns=50,                     # estimate
              board_bandwidth_bps=125_000_000,   # TEMPLE: about 50 % slower
              board_latency_ns=200),             # estimate
    header_bits=8,                    # SPIN1: 40-bit packet, 72 with payload
    noc_layout="crossbar",
    noc_hop_cycles=1,                 # estimate: one core-to-router hop
    noc_clock_hz=200_000_000,
    energy=Energy(
        chip_baseline_w=0.35,         # SPIN1: idle chip, its 18 cores idle included
        core_sleep_w=(0.0,),          # included in the idle chip
        core_busy_j_per_cycle=(1.7e-10,),  # SPIN1: 0.034 W per active core at 200 MHz
        router_j_per_packet=1e-09,    # SPIN1: 25 pJ per bit of a 40-bit packet
        noc_j_per_hop=0.0,            # in the per-packet figure
        link_j_per_bit=0.0,           # in the per-packet figure
        board_w=10.04,                # SPIN1: idle 48-chip board 26.84 W less 48 x 0.35 W
        unused_cores_off=False),
    neuron_cycles=NEURON_CYCLES,
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
