"""Will the run fit in memory? An estimate made before anything is allocated.

It counts what is certain: synapses as the cores hold them, neuron state and input rings,
each rank's row pointers, recorded state variables, and the traffic and core tables. It
leaves out the recorded spikes, which depend on the firing rates (16 bytes a spike).
"""

from dataclasses import dataclass
from pathlib import Path

from chips import Machine
from networks import Network

from .errors import MappingError
from .mapping.resources import largest_delay_ticks
from .options import MappingOptions, RunOptions

BYTES_PER_SYNAPSE = 10          # int32 target, float32 weight, uint16 delay
BYTES_PER_NEURON = 96           # state, parameters index, spike and payload buffers
BYTES_PER_ROW = 16              # row pointer (and, when timed, the row's segment pointer)
BASELINE_BYTES = 400 * 2**20    # the interpreter, NumPy, Numba, SimPy, h5py and MPI


@dataclass(frozen=True)
class MemoryEstimate:
    """Bytes the busiest rank needs, by what needs them."""

    synapses: int
    synapse_bytes: float
    neuron_bytes: float
    row_bytes: float
    recording_bytes: float
    table_bytes: float

    @property
    def total(self) -> float:
        return (BASELINE_BYTES + self.synapse_bytes + self.neuron_bytes + self.row_bytes
                + self.recording_bytes + self.table_bytes)


def estimate(network: Network, machine: Machine, run: RunOptions, options: MappingOptions,
             n_ranks: int) -> MemoryEstimate:
    """What the busiest rank of `n_ranks` needs (rank 0, which also gathers the results)."""
    synapses = sum(p.connector.expected_synapses(p.pre.size, p.post.size,
                                                 p.pre.index == p.post.index)
                   for p in network.projections)
    max_delay = max([largest_delay_ticks(p) for p in network.projections], default=1)
    neurons = network.size
    ring = sum(p.size * len(p.model.receptors) for p in network.populations) * \
        (max_delay + 2) * 8
    ticks = run.duration_ticks
    recorded = sum(network.population(name).size * len(variables)
                   for name, variables in network.recorded.items())
    windows = -(-ticks // run.window_ticks)
    topology = machine.topology
    limits = options.slice_limits([p.name for p in network.populations])
    slices = sum(-(-p.size // int(limit)) for p, limit in zip(network.populations, limits))
    tables = windows * 8 * (6 * topology.n_links + 4 * topology.n_chips + 6 * slices)
    return MemoryEstimate(
        synapses=int(synapses),
        synapse_bytes=synapses * BYTES_PER_SYNAPSE / n_ranks,
        neuron_bytes=(neurons * BYTES_PER_NEURON + ring) / n_ranks,
        row_bytes=neurons * BYTES_PER_ROW,
        recording_bytes=ticks * recorded * 8 * (1 + 1 / n_ranks),
        table_bytes=2 * tables)


def available_bytes() -> int | None:
    """Memory this node can still give (Linux's MemAvailable), or None if unknown."""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


def check_fits(network: Network, machine: Machine, run: RunOptions, options: MappingOptions,
               n_ranks: int, ranks_here: int, available: int | None = None) -> MemoryEstimate:
    """Refuse, with the estimate, a run whose busiest rank would need more memory than this
    node can give each of its `ranks_here` ranks."""
    need = estimate(network, machine, run, options, n_ranks)
    available = available_bytes() if available is None else available
    if available is not None and need.total * ranks_here > available:
        gb = 2**30
        raise MappingError(
            f"the run needs about {need.total / gb:.1f} GiB per rank ({need.synapses:.3g} "
            f"synapses x {BYTES_PER_SYNAPSE} bytes / {n_ranks} rank(s) = "
            f"{need.synapse_bytes / gb:.1f} GiB, neurons and rings "
            f"{need.neuron_bytes / gb:.1f} GiB, recorded state {need.recording_bytes / gb:.1f} "
            f"GiB, traffic tables {need.table_bytes / gb:.1f} GiB) but this machine has "
            f"{available / gb:.1f} GiB available for {ranks_here} rank(s); run on more "
            f"machines, record fewer variables, shorten the run or lengthen "
            f"[run] traffic_window_ms")
    return need
