"""The cores a timed run counts: every slice's neuron core and the helper cores beside it
(split synapse cores and delay-extension cores, `mapping/roles.py`), numbered as result
columns and as one rank's local cores, and which core takes each synapse's packets."""

from dataclasses import dataclass

import numpy as np

from ..csr import pointers, row_of
from ..mapping import Mapping
from ..mapping.resources import largest_delay_ticks
from ..mapping.roles import DELAY, SYNAPSE, delay_senders
from .synapses import SynapticMatrix

NEURON_ROLE, SYNAPSE_ROLE, DELAY_ROLE = 0, 1, 2  # cores/role: 1 + the helper's role


@dataclass(frozen=True, eq=False)
class CoreColumns:
    """Column k of `cores/*`: the neuron core of slice k for k below the number of slices,
    then the helper cores in the order of `mapping.helpers`."""

    global_core: np.ndarray  # int64: machine-wide core number
    chip: np.ndarray         # int64
    role: np.ndarray         # int8: NEURON_ROLE, SYNAPSE_ROLE or DELAY_ROLE
    serves: np.ndarray       # int64: the slice whose neurons it runs or serves

    def __len__(self) -> int:
        return len(self.role)


def core_columns(mapping: Mapping) -> CoreColumns:
    cores_per_chip = mapping.machine.chip.cores
    helpers = mapping.helpers
    n = len(mapping.slices)
    role = np.concatenate([np.full(n, NEURON_ROLE, dtype=np.int8),
                           (helpers.role + 1).astype(np.int8)])
    return CoreColumns(
        np.concatenate([mapping.placement.global_core(cores_per_chip),
                        helpers.global_core(cores_per_chip)]).astype(np.int64),
        np.concatenate([mapping.placement.chip, helpers.chip]).astype(np.int64), role,
        np.concatenate([np.arange(n), helpers.serves]).astype(np.int64))


@dataclass(frozen=True, eq=False)
class LocalCores:
    """One rank's cores (its slices' neuron cores and their helpers), numbered locally in
    machine-wide core order, so that the local cores of a chip are consecutive."""

    column: np.ndarray            # int64 [local cores]: result column of each
    core_local: np.ndarray        # int64 [machine cores]: local number, -1 if not here
    slice_local_core: np.ndarray  # int64 [slices]: local number of each neuron core, or -1

    def __len__(self) -> int:
        return len(self.column)


def local_cores(columns: CoreColumns, local_slices: np.ndarray, n_machine_cores: int,
                n_slices: int) -> LocalCores:
    """The local cores of a rank that runs `local_slices`: helpers go with their slice."""
    mine = np.zeros(n_slices, dtype=bool)
    mine[local_slices] = True
    column = np.flatnonzero(mine[columns.serves])
    column = column[np.argsort(columns.global_core[column], kind="stable")]
    core_local = np.full(n_machine_cores, -1, dtype=np.int64)
    core_local[columns.global_core[column]] = np.arange(len(column))
    slice_local_core = np.full(n_slices, -1, dtype=np.int64)
    neuron = columns.role[column] == NEURON_ROLE
    slice_local_core[columns.serves[column[neuron]]] = np.flatnonzero(neuron)
    return LocalCores(column.astype(np.int64), core_local, slice_local_core)


def synapse_cores_of(mapping: Mapping) -> tuple[np.ndarray, np.ndarray]:
    """The split synapse cores of every slice as CSR by slice (`ptr`, result columns), in
    the order the mapping numbers them (source population p goes to the (p mod n)-th)."""
    helpers = mapping.helpers
    n = len(mapping.slices)
    syn = np.flatnonzero(helpers.role == SYNAPSE)
    syn = syn[np.argsort(helpers.serves[syn], kind="stable")]
    return pointers(np.bincount(helpers.serves[syn], minlength=n)), n + syn


def synapse_receivers(mapping: Mapping, cores: LocalCores, input_core: np.ndarray,
                      local_slices: np.ndarray, matrix: SynapticMatrix) -> np.ndarray:
    """The local core that takes the packets of each synapse of `matrix` (its input on the
    layout's core `input_core`, of slice `local_slices[...]`): the synapse core serving the
    source neuron's population where the target slice has synapse cores, else the slice's
    neuron core."""
    receiver = cores.slice_local_core[local_slices][input_core[matrix.target]]
    syn_ptr, syn_column = synapse_cores_of(mapping)
    if syn_ptr[-1] == 0:
        return receiver
    target_slice = local_slices[input_core[matrix.target]]
    n_syn = np.diff(syn_ptr)[target_slice]
    split = np.flatnonzero(n_syn > 0)
    source = row_of(matrix.row_ptr)[split] % mapping.slices.n_neurons
    population = np.searchsorted(mapping.slices.population_offset, source, side="right") - 1
    column = syn_column[syn_ptr[target_slice[split]] + population % n_syn[split]]
    column_local = np.full(len(mapping.slices) + len(mapping.helpers), -1, dtype=np.int64)
    column_local[cores.column] = np.arange(len(cores))
    receiver[split] = column_local[column]
    return receiver


def base_cycles(mapping: Mapping, columns: CoreColumns, cycles_per_neuron: np.ndarray,
                stages: "DelayStages | None") -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Fixed cycles of a tick, cycles per neuron update and cycles per packet taken of every
    column: a neuron core pays its tick, its neurons, and collecting the input of each of its
    synapse cores (`[machine.core] input_collect_cycles_per_neuron` a neuron and synapse
    core); a helper core pays only for packets, a delay core `cycles_per_packet` for taking
    one and again for each stage it sends it on at (charged when it takes it)."""
    core = mapping.machine.chip.core
    size = mapping.slices.size.astype(np.int64)
    n = len(size)
    syn_ptr, _ = synapse_cores_of(mapping)
    per_neuron = np.zeros(len(columns), dtype=np.int64)
    per_neuron[:n] = cycles_per_neuron
    base = np.zeros(len(columns), dtype=np.int64)
    base[:n] = (core.cycles_per_tick + per_neuron[:n] * size
                + np.diff(syn_ptr) * size * core.input_collect_cycles_per_neuron)
    per_packet = np.full(len(columns), mapping.machine.chip.packet_cycles(), dtype=np.int64)
    delay = columns.role == DELAY_ROLE
    if stages is not None:
        per_packet[delay] = core.cycles_per_packet * (1 + stages.slice_stages[
            columns.serves[delay]])
    return base, per_neuron, per_packet


@dataclass(frozen=True, eq=False)
class DelayStages:
    """How delay-extension cores re-send (sPyNNaker's delay extension): a spike of a slice
    with a delay core goes to it too, and the delay core sends it on under its own key at
    every stage s = 1 .. `slice_stages` of its population, s x `ring_ticks` ticks after its
    tick, `resend_ps` after the point of the tick the spike left at. A synapse of delay d
    goes with stage (d - 1) // ring_ticks (stage 0: the spike's own packet) and lands d - s x
    ring_ticks ticks after its packet's arrival, so d after the spike when nothing is late."""

    ring_ticks: int
    sender_of_slice: np.ndarray  # int64 [slices]: its delay core's sender number, or -1
    slice_stages: np.ndarray     # int64 [slices]: stages its spikes are re-sent at (0: none)
    resend_ps: int               # the delay core's handling of a packet, at its clock

    def stage_of(self, delay_ticks: np.ndarray, source_slice: np.ndarray) -> np.ndarray:
        """The stage of each synapse (its delay, the slice of its source neuron)."""
        staged = self.slice_stages[source_slice] > 0
        return np.where(staged, (delay_ticks.astype(np.int64) - 1) // self.ring_ticks, 0)

    @property
    def max_stage(self) -> int:
        return int(self.slice_stages.max(initial=0))


def delay_stages(network, mapping: Mapping) -> "DelayStages | None":
    """The delay stages of the mapping's delay-extension cores (None where it has none)."""
    helpers, slices = mapping.helpers, mapping.slices
    if not (helpers.role == DELAY).any():
        return None
    core = mapping.machine.chip.core
    ring = core.ring_delay_ticks
    longest = np.zeros(len(network.populations), dtype=np.int64)
    for p in network.projections:
        longest[p.pre.index] = max(longest[p.pre.index], largest_delay_ticks(p))
    served, _, _ = delay_senders(slices, helpers, len(network.populations))
    sender_of = np.full(len(slices), -1, dtype=np.int64)
    sender_of[served] = len(slices) + np.arange(len(served))
    stages = np.zeros(len(slices), dtype=np.int64)
    stages[served] = (longest[slices.population[served]] - 1) // ring
    resend_ps = max(1, core.cycles_per_packet * 1_000_000_000_000 // core.clock_hz)
    return DelayStages(ring, sender_of, stages, int(resend_ps))


def stage_rows(matrix: SynapticMatrix, stages: DelayStages, slices) -> SynapticMatrix:
    """The rows of `matrix` split by stage: row s x neurons + g holds the synapses of neuron
    g that stage s carries, each with its delay less s x ring ticks (in their order)."""
    n_neurons = slices.n_neurons
    source = row_of(matrix.row_ptr)
    stage = stages.stage_of(matrix.delay_ticks, slices.containing(source))
    row = stage * n_neurons + source
    order = np.argsort(row, kind="stable")
    delay = matrix.delay_ticks.astype(np.int64) - stage * stages.ring_ticks
    return SynapticMatrix(
        pointers(np.bincount(row, minlength=(stages.max_stage + 1) * n_neurons)),
        matrix.target[order], matrix.weight[order], delay[order].astype(np.uint16))


def resends(stages: DelayStages, tick_ps: int, n_ticks: int, n_neurons: int,
            ticks: np.ndarray, gids: np.ndarray, slices: np.ndarray, values: np.ndarray,
            emits: np.ndarray):
    """The packets the delay cores send for these spikes (tick, row, sender, value bits,
    emission ps; the row of stage s of neuron g is s x neurons + g), those before the run's
    end, in the spikes' order, stage by stage."""
    count = stages.slice_stages[slices]
    spike = np.repeat(np.arange(len(ticks)), count)
    stage = 1 + np.arange(len(spike)) - np.repeat(pointers(count)[:-1], count)
    later = stage * stages.ring_ticks
    keep = ticks[spike] + later < n_ticks
    spike, stage, later = spike[keep], stage[keep], later[keep]
    return (ticks[spike] + later, stage * n_neurons + gids[spike],
            stages.sender_of_slice[slices[spike]], values[spike],
            emits[spike] + later * tick_ps + stages.resend_ps)
