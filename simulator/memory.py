"""Will the run fit in memory? The busiest rank's peak resident memory, estimated before
anything large is allocated.

The phases of a run add up (the C allocator keeps what mapping freed for later use), so the
estimate adds what each holds at its peak: the interpreter and libraries; mapping's slice
pairs (each pair of slices joined by a synapse) and synaptic rows (one per pre neuron and
target slice); the synapses as the cores hold them, with what building them takes; neuron
state and input rings; the explicit lists of `FromList` connectors; the recording (spikes at
each population's expected rate, state variables with their gathered copies and the file
image); the traffic and core tables. The bytes per item are measured
(`benchmarks/memory_estimate.py`: within 25 % of the peak of every case there).
"""

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from chips import Machine
from networks import FromList, Network, OneToOne

from .errors import MappingError
from .mapping.mapping import cut_slices, population_rates
from .mapping.resources import in_degree, largest_delay_ticks
from .options import MappingOptions, RunOptions

BASELINE_BYTES = 165 * 2**20    # the interpreter, NumPy, Numba's kernels, SimPy, h5py
MPI_BYTES = 35 * 2**20          # mpi4py and MPICH, on each rank under mpiexec
PAIR_BYTES = 130                # a pair of slices joined by synapses, while edges are found
# A synapse as a core holds it (target, weight, delay: 10 bytes) and a synaptic row's
# pointers; timed runs also build each row's segments and sort the synapses into them.
SYNAPSE_BYTES = {"functional": 10, "timed": 31, "packet": 31}
ROW_BYTES = {"functional": 4, "timed": 12, "packet": 12}
NEURON_BYTES = 176              # state, parameter index, spike and payload buffers
RING_SLOT_BYTES = 8             # one float64 slot of a neuron's input ring
LIST_SYNAPSE_BYTES = 48         # a FromList entry: pre, post, weight, delay, two orders
SPIKE_BYTES = 90                # a recorded spike: recorder (grown by doubling), sorted, image
STATE_VALUE_BYTES = 20          # a recorded value: probe, gathered table, file image
TABLE_VALUE_BYTES = 24          # a traffic or core counter: engine, result, file image


@dataclass(frozen=True)
class MemoryEstimate:
    """Bytes the busiest rank needs, by what needs them."""

    synapses: int
    synapse_bytes: float
    neuron_bytes: float
    row_bytes: float
    pair_bytes: float
    list_bytes: float
    recording_bytes: float
    table_bytes: float
    baseline_bytes: float = BASELINE_BYTES

    @property
    def total(self) -> float:
        return (self.baseline_bytes + self.synapse_bytes + self.neuron_bytes
                + self.row_bytes + self.pair_bytes + self.list_bytes + self.recording_bytes
                + self.table_bytes)


def estimate(network: Network, machine: Machine, run: RunOptions, options: MappingOptions,
             n_ranks: int) -> MemoryEstimate:
    """What the busiest rank of `n_ranks` needs (rank 0, which also gathers the results)."""
    slices, _ = cut_slices(network, machine, options)
    synapses = sum(p.connector.expected_synapses(p.pre.size, p.post.size,
                                                 p.pre.index == p.post.index)
                   for p in network.projections)
    rows, pairs = rows_and_pairs(network, slices)
    max_delay = max([largest_delay_ticks(p) for p in network.projections], default=1)
    ring = sum(p.size * len(p.model.receptors) for p in network.populations) * \
        (max_delay + 2) * RING_SLOT_BYTES
    listed = sum(len(p.connector.pre) for p in network.projections
                 if isinstance(p.connector, FromList))
    ticks = run.duration_ticks
    seconds = ticks * run.timestep_ms * 1e-3
    sizes = np.array([p.size for p in network.populations], dtype=np.float64)
    spikes = float(sizes @ population_rates(network, options)) * seconds
    recorded = ticks * sum(network.population(name).size * len(variables)
                           for name, variables in network.recorded.items())
    windows = -(-ticks // run.window_ticks)
    topology = machine.topology
    tables = windows * (6 * topology.n_links + 4 * topology.n_chips + 6 * len(slices))
    return MemoryEstimate(
        synapses=int(synapses),
        synapse_bytes=synapses * SYNAPSE_BYTES[run.fidelity] / n_ranks,
        neuron_bytes=(network.size * NEURON_BYTES + ring) / n_ranks,
        row_bytes=rows * ROW_BYTES[run.fidelity] / n_ranks,
        pair_bytes=pairs * PAIR_BYTES,
        list_bytes=listed * LIST_SYNAPSE_BYTES,
        recording_bytes=spikes * SPIKE_BYTES + recorded * STATE_VALUE_BYTES,
        table_bytes=tables * TABLE_VALUE_BYTES,
        baseline_bytes=BASELINE_BYTES + (MPI_BYTES if n_ranks > 1 else 0))


def rows_and_pairs(network: Network, slices) -> tuple[float, float]:
    """Expected synaptic rows (pre neuron, target slice) and slice pairs (pre slice, target
    slice) joined by at least one synapse, for random connectivity: a pre neuron misses a
    target slice of n neurons with chance (1 - k / pre)^n for each projection of in-degree
    k, and a pre slice of m neurons misses it when all m do. One-to-one projections join
    each slice to the few that overlap it."""
    n_slices = np.bincount(slices.population, minlength=len(network.populations))
    rows = pairs = 0.0
    for post in network.populations:
        n = slices.size[slices.population == post.index].astype(np.float64)
        none: dict[int, np.ndarray] = {}  # pre population -> log chance a neuron misses
        for projection in network.projections:
            if projection.post.index != post.index:
                continue
            pre = projection.pre
            if isinstance(projection.connector, OneToOne):
                rows += float(n.sum())
                pairs += len(n) + n_slices[pre.index]
                continue
            with np.errstate(divide="ignore"):
                miss = np.log1p(-min(in_degree(projection) / pre.size, 1.0))
            none[pre.index] = none.get(pre.index, 0.0) + n * miss
        for pre_index, log_none in none.items():
            pre_size = network.populations[pre_index].size
            m = pre_size / n_slices[pre_index]
            rows += float(pre_size * -np.expm1(log_none).sum())
            pairs += float(n_slices[pre_index] * -np.expm1(m * log_none).sum())
    return rows, pairs


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
            f"synapses x {SYNAPSE_BYTES[run.fidelity]} bytes / {n_ranks} rank(s) = "
            f"{need.synapse_bytes / gb:.1f} GiB, synaptic rows and slice pairs "
            f"{(need.row_bytes + need.pair_bytes) / gb:.1f} GiB, neurons and rings "
            f"{need.neuron_bytes / gb:.1f} GiB, recorded spikes and state "
            f"{need.recording_bytes / gb:.1f} GiB, traffic tables "
            f"{need.table_bytes / gb:.1f} GiB) but this machine has "
            f"{available / gb:.1f} GiB available for {ranks_here} rank(s); run on more "
            f"machines, record fewer variables, shorten the run or lengthen "
            f"[run] traffic_window_ms")
    return need
