"""What a slice costs its core's data memory and its chip's SDRAM, estimated before
partitioning and counted exactly once the synapses are known.

Where synaptic rows live is the machine's (`Chip.synapse_memory`): in the core's data memory
(SpiNNaker2's PE SRAM) or in the chip's SDRAM shared by its cores (SpiNNaker1, as sPyNNaker
keeps synaptic matrices, fetched a row per spike by DMA). Neuron state, input rings and the
routing data are always in the core. A core holding `n` neurons keeps (bytes, see
docs/mapping.md):

- neuron state: `STATE_BYTES` per state variable plus one word of bookkeeping, per neuron;
- synaptic input ring: one `RING_SLOT_BYTES` slot per receptor, neuron and delay
  (`max delay + 1` slots, as the engine's ring indexed by delay);
- synaptic rows as the core stores them: `core.synapse_bytes` per synapse (4: sPyNNaker's
  32-bit synaptic word), plus `core.row_header_bytes` per source neuron with a row here;
- routing and key data: the slice's own key and mask, and one `SOURCE_ENTRY_BYTES` entry
  (key, mask, row address) per source slice that sends to it;
- with `[mapping] conv_storage = "kernels"`, a convolution's shared kernels in place of its
  synapses and rows, always in the core (kernels.py).
"""

from dataclasses import dataclass

import numpy as np

from chips import Chip
from networks import FixedProbability, FromList, Network
from networks.network import MAX_DELAY_TICKS

from ..errors import MappingError
from .kernels import estimated_kernel_bytes, is_kernel_pair, kernel_pairs, slice_kernel_bytes
from .list_rows import rows_at, rows_on_grid

STATE_BYTES = 4
RING_SLOT_BYTES = 4
SOURCE_ENTRY_BYTES = 12
KEY_BYTES = 8
SPREAD_SIGMAS = 3
MEMORY_PARTS = ("neuron_bytes", "ring_bytes", "synapse_bytes", "row_bytes", "routing_bytes",
                "kernel_bytes")
SYNAPTIC_PARTS = ("synapse_bytes", "row_bytes")


@dataclass(frozen=True, eq=False)
class SliceMemory:
    """Bytes each slice needs, by what needs them (arrays [slices]); the synaptic parts
    are in chip SDRAM where `synapses_in_sdram`, else in the core's data memory (shared
    kernels are always in the core)."""

    neuron_bytes: np.ndarray
    ring_bytes: np.ndarray
    synapse_bytes: np.ndarray
    row_bytes: np.ndarray
    routing_bytes: np.ndarray
    kernel_bytes: np.ndarray
    synapses_in_sdram: bool = False

    @property
    def total(self) -> np.ndarray:
        return sum(getattr(self, name) for name in MEMORY_PARTS)

    @property
    def synaptic(self) -> np.ndarray:
        return self.synapse_bytes + self.row_bytes

    @property
    def core(self) -> np.ndarray:
        """Bytes of the core's data memory."""
        return self.total - self.sdram

    @property
    def sdram(self) -> np.ndarray:
        """Bytes of the chip's SDRAM."""
        return self.synaptic if self.synapses_in_sdram else np.zeros_like(self.synaptic)

    def sdram_per_chip(self, chip_of_slice: np.ndarray, n_chips: int) -> np.ndarray:
        """SDRAM each chip's slices take together (int64 [chips])."""
        return np.bincount(chip_of_slice, self.sdram, minlength=n_chips).astype(np.int64)


def neuron_bytes(model) -> int:
    """Per-neuron state: its variables and one word of bookkeeping (refractory count)."""
    return STATE_BYTES * (len(type(model).state_variables) + 1)


def largest_delay_ticks(projection) -> int:
    """The longest delay a projection can draw: its list's longest, or the largest value
    its distribution can give, rounded to ticks as the synapses are."""
    explicit = projection.connector.explicit_values(0, projection.post.size)
    if explicit is not None:
        return int(explicit[1].max(initial=1))
    high = float(getattr(projection.delay_ticks, "largest", projection.delay_ticks))
    return int(np.clip(np.rint(high), 1, MAX_DELAY_TICKS))


def ring_bytes_per_neuron(network: Network, population: int, ring_cap=None) -> int:
    """Input ring of one neuron: receptors x (largest incoming delay + 1) slots, the delay
    at most `ring_cap` where delay-extension cores take longer ones."""
    pop = network.populations[population]
    receptors = len(type(pop.model).receptors)
    delays = [largest_delay_ticks(p) for p in network.projections if p.post.index == population]
    longest = max(delays, default=0)
    if ring_cap is not None:
        longest = min(longest, ring_cap)
    return receptors * (longest + 1) * RING_SLOT_BYTES if receptors else 0


def in_degree(projection) -> float:
    """Synapses a post neuron of the projection receives, on average."""
    same = projection.pre.index == projection.post.index
    return projection.connector.expected_synapses(projection.pre.size, projection.post.size,
                                                  same) / projection.post.size


def synapses_of_slices(projection, n: np.ndarray) -> np.ndarray:
    """Synapses a slice of `n` neurons (array) receives: `n` x the in-degree, or for a list
    the most that any `n` neighbouring post neurons hold (its neurons differ)."""
    if not isinstance(projection.connector, FromList):
        return in_degree(projection) * n
    counts = np.bincount(projection.connector.post, minlength=projection.post.size)
    running = np.concatenate([[0], np.cumsum(counts)])
    widths = np.clip(np.asarray(n, dtype=np.int64), 1, counts.size)
    most = {m: (running[m:] - running[:-m]).max() for m in np.unique(widths)}
    return np.array([most[m] for m in widths], dtype=np.float64)


def estimate_memory(network: Network, population: int, n: np.ndarray,
                    pre_slices: np.ndarray, chip: Chip,
                    ring_cap=None, row_counts: dict | None = None,
                    kernels: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Expected bytes of a slice of `n` neurons (array) of `population`, when population p is
    cut into `pre_slices[p]` slices, as (core data memory, chip SDRAM): one row per pre
    neuron with at least one synapse in any projection (pre x (1 - prod (1 - k/pre)^n) over
    the in-degrees k of the projections from that population), source entries at most one
    per pre slice, and for random (binomial) synapse counts room for three standard
    deviations more; a projection stored as a kernel (`kernels[projection]`) takes its
    kernels in the core instead of synapses and rows."""
    pop = network.populations[population]
    core = chip.core
    n = np.asarray(n, dtype=np.float64)
    local = n * (neuron_bytes(pop.model) + ring_bytes_per_neuron(network, population, ring_cap)) \
        + KEY_BYTES
    total = np.zeros_like(n)
    none = {}  # pre population -> log of the chance that a pre neuron has no synapse here
    lists: dict[int, list] = {}  # pre population -> its lists onto this population
    kernel_pres = set()
    for projection in network.projections:
        if projection.post.index != population:
            continue
        k = in_degree(projection)
        pre = projection.pre
        if kernels is not None and kernels[projection.index]:
            local = local + estimated_kernel_bytes(projection, n, core)
            kernel_pres.add(pre.index)
        else:
            total = total + core.synapse_bytes * synapses_of_slices(projection, n)
        with np.errstate(divide="ignore"):
            none[pre.index] = none.get(pre.index, 0.0) + n * np.log1p(-min(k / pre.size, 1.0))
        lists.setdefault(pre.index, []).append(
            projection.connector if isinstance(projection.connector, FromList) else None)
        if isinstance(projection.connector, FixedProbability):
            # the count is binomial: leave room for three standard deviations
            total = total + SPREAD_SIGMAS * np.sqrt(k * n) * (core.synapse_bytes
                                                              + core.row_header_bytes)
    for pre, log_none in none.items():
        # one row per pre neuron with a synapse here, whichever projections it holds: counted
        # from the lists where every projection from that population is one
        if all(c is not None for c in lists[pre]):
            rows = list_rows(lists[pre], pop.size, n, row_counts, (population, pre))
        else:
            rows = network.populations[pre].size * -np.expm1(log_none)
        if pre not in kernel_pres:
            total = total + core.row_header_bytes * rows
        local = local + SOURCE_ENTRY_BYTES * np.minimum(rows, pre_slices[pre])
    if chip.synapse_memory == "sdram":
        return local, total
    return local + total, np.zeros_like(total)


def list_rows(connectors: list, n_post: int, n: np.ndarray, row_counts: dict | None = None,
              key=None) -> np.ndarray:
    """Rows a slice of `n` (array) neighbouring posts holds for the sources of `connectors`
    (FromList, all from one population), counted from their pairs; `row_counts` keeps the
    counts by `key` for later calls with no larger sizes."""
    sizes = np.maximum(np.asarray(n, dtype=np.int64), 1)
    cached = row_counts.get(key) if row_counts is not None else None
    if cached is None or cached[0][-1] < sizes.max(initial=1):
        pre = np.concatenate([c.pre for c in connectors])
        post = np.concatenate([c.post for c in connectors])
        cached = rows_on_grid(pre, post, n_post, int(sizes.max(initial=1)))
        if row_counts is not None:
            row_counts[key] = cached
    return rows_at(*cached, sizes).astype(np.float64)


def fitting_slice_sizes(network: Network, neurons_per_core, chip: Chip,
                        ring_cap=None, kernels: np.ndarray | None = None) -> np.ndarray:
    """The largest slice size of every population (at most `neurons_per_core`, one number
    or one per population) whose
    expected memory fits the core's `data_bytes` (and, with synapses in SDRAM, whose rows
    fit the chip's `sdram_bytes`); sizes only shrink while the source-slice counts they
    imply are refined (a few rounds)."""
    data_bytes, sdram_bytes = chip.core.data_bytes, chip.sdram_bytes
    most = np.broadcast_to(np.asarray(neurons_per_core, dtype=np.int64),
                           (len(network.populations),))
    sizes = np.array([min(int(most[p.index]), p.size) for p in network.populations],
                     dtype=np.int64)
    row_counts: dict = {}
    for _ in range(4):
        pre_slices = -(-np.array([p.size for p in network.populations]) // sizes)
        new = sizes.copy()
        for pop in network.populations:
            candidates = np.arange(1, sizes[pop.index] + 1)
            need, sdram = estimate_memory(network, pop.index, candidates, pre_slices, chip,
                                          ring_cap, row_counts, kernels)
            fits = np.flatnonzero((need <= data_bytes)
                                  & ((sdram <= sdram_bytes) | (chip.synapse_memory != "sdram")))
            if len(fits) == 0 and need[0] > data_bytes:
                raise MappingError(
                    f"population {pop.name}: a single neuron needs about {need[0]:.0f} bytes "
                    f"of core data memory ({_core_parts(chip)}) but a core has {data_bytes}; "
                    f"lower its in-degree or delays, or raise [machine.core] data_bytes")
            if len(fits) == 0:
                raise MappingError(
                    f"population {pop.name}: a single neuron's synaptic rows need about "
                    f"{sdram[0]:.0f} bytes of SDRAM but a chip has {sdram_bytes}; lower its "
                    f"in-degree, or raise [machine.chip] sdram_bytes")
            new[pop.index] = candidates[fits[-1]]
        if np.array_equal(new, sizes):
            break
        sizes = new
    return sizes


def _core_parts(chip: Chip) -> str:
    if chip.synapse_memory == "sdram":
        return "state, input ring and routing data; its synaptic rows are in SDRAM"
    return "state, input ring, synaptic rows and routing data"


def slice_memory(network: Network, slices, edges, chip: Chip, ring_cap=None,
                 kernels: np.ndarray | None = None) -> SliceMemory:
    """Bytes each slice needs on a core and in SDRAM of `chip`, counted from its synapses:
    `edges` with their synapse and row counts (every edge into a slice must be present);
    the edges of projections stored as kernels (`kernels`) take their kernels instead."""
    core = chip.core
    n_slices = len(slices)
    size = slices.size.astype(np.int64)
    per_neuron = np.array([neuron_bytes(p.model) for p in network.populations], dtype=np.int64)
    ring = np.array([ring_bytes_per_neuron(network, p.index, ring_cap)
                     for p in network.populations], dtype=np.int64)
    target = edges.target.astype(np.int64)
    stored = ~is_kernel_pair(kernel_pairs(network, kernels),
                             slices.population[edges.source.astype(np.int64)],
                             slices.population[target], len(network.populations))
    return SliceMemory(
        neuron_bytes=size * per_neuron[slices.population],
        ring_bytes=size * ring[slices.population],
        synapse_bytes=core.synapse_bytes * np.bincount(
            target, edges.synapses * stored, minlength=n_slices).astype(np.int64),
        row_bytes=core.row_header_bytes * np.bincount(
            target, edges.rows * stored, minlength=n_slices).astype(np.int64),
        routing_bytes=KEY_BYTES + SOURCE_ENTRY_BYTES * np.bincount(target, minlength=n_slices),
        kernel_bytes=slice_kernel_bytes(network, slices, kernels, core),
        synapses_in_sdram=chip.synapse_memory == "sdram")
