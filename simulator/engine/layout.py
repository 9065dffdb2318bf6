"""How one rank lays out its neurons: grouped by model, so a tick is one kernel call a model.

Neurons of the rank's slices are numbered 0.. in group order (model classes in the order
they first appear in the network), slices in slice order within a group. Each neuron has
one synaptic input per receptor of its model. A group's inputs are stored receptor by
receptor, so that `inputs[group range]` reshaped [receptors, neurons] is what the group's
kernel reads, each receptor a contiguous row it can sweep with vector instructions.
"""

from dataclasses import dataclass

import numpy as np

from networks import Network
from networks.models import Members, ModelGroup

from ..mapping import Mapping


@dataclass(frozen=True, eq=False)
class GroupLayout:
    """The neurons of one model class on this rank."""

    model_class: type
    slices: np.ndarray      # slice ids, in order
    first_neuron: int       # rank-local number of its first neuron
    size: int
    receptors: int
    first_input: int

    @property
    def inputs(self) -> slice:
        return slice(self.first_input, self.first_input + self.size * self.receptors)


@dataclass(frozen=True, eq=False)
class LocalLayout:
    """This rank's slices (one per core), their neurons and their inputs. Cores are numbered
    locally in the order of their machine-wide numbers: the position of a slice in
    `local_slices` is its core's local number."""

    groups: tuple[GroupLayout, ...]
    local_slices: np.ndarray       # int64 [local cores]: slice ids by machine-wide core
    global_id: np.ndarray          # int64 [local neurons]: global id of each
    input_core: np.ndarray         # int64 [inputs]: local core number of each input
    slice_first_input: np.ndarray  # int64 [all slices]: input of neuron 0, receptor 0; -1 elsewhere
    slice_receptors: np.ndarray    # int64 [all slices]
    slice_receptor_stride: np.ndarray  # int64 [all slices]: inputs between two receptors
    n_inputs: int

    @property
    def n_neurons(self) -> int:
        return len(self.global_id)


def lay_out(network: Network, mapping: Mapping, local: np.ndarray) -> LocalLayout:
    """Group this rank's slices (`local`, in slice order) by model class and number their
    neurons and inputs."""
    slices = mapping.slices
    classes: list[type] = []
    for pop in network.populations:
        if type(pop.model) not in classes:
            classes.append(type(pop.model))
    slice_class = np.array([classes.index(type(network.populations[p].model))
                            for p in slices.population[local]], dtype=np.int64)
    slice_first_input = np.full(len(slices), -1, dtype=np.int64)
    slice_receptors = np.zeros(len(slices), dtype=np.int64)
    slice_stride = np.zeros(len(slices), dtype=np.int64)
    groups, ids = [], []
    neuron = inputs = 0
    for c, cls in enumerate(classes):
        members = local[slice_class == c]
        if len(members) == 0:
            continue
        receptors = len(cls.receptors)
        sizes = slices.size[members]
        size = int(sizes.sum())
        starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
        slice_first_input[members] = inputs + starts
        slice_receptors[members] = receptors
        slice_stride[members] = size
        ids.append(np.concatenate([np.arange(slices.first_id[s], slices.first_id[s] + n)
                                   for s, n in zip(members, sizes)]))
        groups.append(GroupLayout(cls, members, neuron, size, receptors, inputs))
        neuron += size
        inputs += size * receptors
    global_id = np.concatenate(ids) if ids else np.empty(0, dtype=np.int64)
    by_core = local[np.argsort(mapping.placement.global_core(mapping.machine.chip.cores)[local],
                               kind="stable")]
    core_number = np.full(len(slices), -1, dtype=np.int64)
    core_number[by_core] = np.arange(len(by_core))
    in_group_order = np.concatenate([g.slices for g in groups]) if groups else \
        np.empty(0, dtype=np.int64)
    input_core = np.concatenate([np.tile(np.repeat(core_number[g.slices], slices.size[g.slices]),
                                         g.receptors) for g in groups]) if groups else \
        np.empty(0, dtype=np.int64)
    return LocalLayout(tuple(groups), by_core.astype(np.int64), global_id.astype(np.int64),
                       input_core.astype(np.int64), slice_first_input, slice_receptors,
                       slice_stride, inputs)


def build_groups(network: Network, mapping: Mapping, layout: LocalLayout,
                 timestep_ms: float, seed: int) -> list[ModelGroup]:
    """The state of every group, initialised from the populations' models and initial values."""
    slices = mapping.slices
    built = []
    for group in layout.groups:
        members = [Members(network.populations[slices.population[s]].model,
                           int(slices.population[s]), int(slices.start[s]), int(slices.stop[s]),
                           network.populations[slices.population[s]].initial)
                   for s in group.slices]
        built.append(group.model_class.group(members, timestep_ms, seed))
    return built
