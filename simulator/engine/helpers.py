"""The cores a timed run counts: every slice's neuron core and the helper cores beside it
(split synapse cores and delay-extension cores, `mapping/roles.py`), numbered as result
columns and as one rank's local cores, and which core takes each synapse's packets."""

from dataclasses import dataclass

import numpy as np

from ..csr import pointers, row_of
from ..mapping import Mapping
from ..mapping.roles import SYNAPSE

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


def synapse_receivers(mapping: Mapping, cores: LocalCores, row_ptr: np.ndarray,
                      target_slice: np.ndarray) -> np.ndarray:
    """The local core that takes the packets of each synapse (row g of `row_ptr`, onto a
    neuron of slice `target_slice`): the synapse core serving g's population where the
    slice has synapse cores, else the slice's neuron core."""
    receiver = cores.slice_local_core[target_slice]
    syn_ptr, syn_column = synapse_cores_of(mapping)
    n_syn = np.diff(syn_ptr)[target_slice]
    split = np.flatnonzero(n_syn > 0)
    if len(split):
        row = row_of(row_ptr)[split]
        population = np.searchsorted(mapping.slices.population_offset, row, side="right") - 1
        column = syn_column[syn_ptr[target_slice[split]] + population % n_syn[split]]
        column_local = np.full(len(mapping.slices) + len(mapping.helpers), -1, dtype=np.int64)
        column_local[cores.column] = np.arange(len(cores))
        receiver[split] = column_local[column]
    return receiver


def base_cycles(mapping: Mapping, columns: CoreColumns, cycles_per_neuron: np.ndarray,
                ) -> tuple[np.ndarray, np.ndarray]:
    """Fixed cycles of a tick and cycles per neuron update of every column: a neuron core
    pays its tick, its neurons, and collecting the input of each of its synapse cores
    (`[machine.core] input_collect_cycles_per_neuron` a neuron and synapse core); a helper
    core pays only for the packets it takes."""
    core = mapping.machine.chip.core
    size = mapping.slices.size.astype(np.int64)
    syn_ptr, _ = synapse_cores_of(mapping)
    per_neuron = np.zeros(len(columns), dtype=np.int64)
    per_neuron[:len(size)] = cycles_per_neuron
    base = np.zeros(len(columns), dtype=np.int64)
    base[:len(size)] = (core.cycles_per_tick + per_neuron[:len(size)] * size
                        + np.diff(syn_ptr) * size * core.input_collect_cycles_per_neuron)
    return base, per_neuron
