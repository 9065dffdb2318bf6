"""Populations, views and assemblies, keeping their parameters and initial values lazy
until `run` turns them into neurochip populations."""

import numpy as np
from pyNN import common, errors
from pyNN.parameters import LazyArray, ParameterSpace

from . import simulator
from .errors import Unsupported
from .recording import Recorder
from .simulator import state

MAPPING_KEYS = ("max_atoms_per_core", "neurons_per_core")


class Assembly(common.Assembly):
    _simulator = simulator

    @property
    def receptor_types(self):
        """The receptor types all members have, in the first member's order (PyNN's own
        Assembly returns them in set order, so its default receptor would vary by run)."""
        common_types = set.intersection(*(set(p.celltype.receptor_types)
                                          for p in self.populations))
        return [r for r in self.populations[0].celltype.receptor_types if r in common_types]


class _Placement:
    """sPyNNaker's extensions that decide where a population runs."""

    def set_max_atoms_per_core(self, max_atoms_per_core: int) -> None:
        """At most this many neurons of the population on one core."""
        population = getattr(self, "grandparent", self)
        if not (isinstance(max_atoms_per_core, (int, np.integer)) and max_atoms_per_core >= 1):
            raise Unsupported(f"Population {population.label!r}: max_atoms_per_core must be "
                              f"a whole number >= 1 (got {max_atoms_per_core!r})")
        state.check_unchanged(f"Population {population.label!r}.set_max_atoms_per_core")
        population._max_atoms_per_core = int(max_atoms_per_core)

    @property
    def max_atoms_per_core(self) -> int | None:
        return getattr(getattr(self, "grandparent", self), "_max_atoms_per_core", None)

    @max_atoms_per_core.setter
    def max_atoms_per_core(self, value: int) -> None:
        self.set_max_atoms_per_core(value)

    neurons_per_core = max_atoms_per_core

    def set_fixed_location(self, x: int, y: int, p: int | None = None) -> None:
        """Run the population on chip (x, y), on core p if given (a neurochip pin)."""
        population = getattr(self, "grandparent", self)
        state.check_unchanged(f"Population {population.label!r}.set_fixed_location")
        pin = {"x": int(x), "y": int(y)}
        if p is not None:
            pin["cores"] = [int(p), int(p)]
        population._pin = pin

    add_placement_constraint = set_fixed_location


class PopulationView(_Placement, common.PopulationView):
    _assembly_class = Assembly
    _simulator = simulator

    def _get_parameters(self, *names):
        return _standard(self, names)

    def _get_native_parameters(self, *names):
        values = {}
        for name in names:
            value = self.parent._get_native_parameters(name)[name]
            values[name] = value if value.is_homogeneous else \
                LazyArray(np.asarray(value.evaluate(simplify=False))[self.mask])
        return ParameterSpace(values, shape=(self.size,))

    def _set_parameters(self, parameter_space):
        """Set the view's neurons in the parent: the parent's values become arrays."""
        parent = self.parent
        state.check_unchanged(f"Population {self.grandparent.label!r}.set()")
        for name, value in parameter_space.items():
            whole = _full(parent._get_native_parameters(name)[name], parent.size)
            new = _full(value, self.size)
            whole[self.mask] = new
            parent._set_parameters(ParameterSpace({name: whole}, shape=(parent.size,)))

    def initialize(self, **initial_values):
        parent = self.parent
        for variable, value in initial_values.items():
            current = parent.initial_values.get(variable)
            whole = _full(current, parent.size) if current is not None else \
                np.full(parent.size, np.nan)
            whole[self.mask] = _full(LazyArray(value, shape=(self.size,), dtype=float),
                                     self.size)
            parent.initialize(**{variable: whole})

    def _set_initial_value_array(self, variable, initial_values):
        raise NotImplementedError  # views initialise through their parent

    def _get_view(self, selector, label=None):
        return PopulationView(self, selector, label)


class Population(_Placement, common.Population):
    __doc__ = common.Population.__doc__
    _simulator = simulator
    _recorder_class = Recorder
    _assembly_class = Assembly

    def __init__(self, size, cellclass, cellparams=None, structure=None, initial_values={},
                 label=None, additional_parameters=None):
        state.check_unchanged("creating a Population")
        if not hasattr(cellclass, "neurochip_model") and not (
                isinstance(cellclass, type) and hasattr(cellclass, "neurochip_model")):
            name = getattr(cellclass, "__name__", type(cellclass).__name__)
            raise Unsupported(f"cell type {name} is not supported by neurochip; use one of "
                              f"IF_curr_exp, IF_curr_delta, SpikeSourcePoisson, "
                              f"SpikeSourceArray")
        self._max_atoms_per_core = None
        self._pin = None
        super().__init__(size, cellclass, cellparams, structure, initial_values, label)
        for key, value in (additional_parameters or {}).items():
            if key not in MAPPING_KEYS:
                raise Unsupported(f"Population {self.label!r}: additional parameter {key!r} "
                                  f"is not supported; the ones neurochip uses are "
                                  f"{', '.join(MAPPING_KEYS)}")
            self.set_max_atoms_per_core(value)
        self._index = len(state.populations)
        state.populations.append(self)

    def _create_cells(self):
        first = state.id_counter
        self.all_cells = np.array([simulator.ID(i) for i in range(first, first + self.size)],
                                  dtype=simulator.ID)
        self._mask_local = np.ones(self.size, dtype=bool)
        for cell in self.all_cells:
            cell.parent = self
        parameters = self.celltype.native_parameters
        parameters.shape = (self.size,)
        self._parameters = dict(parameters.items())
        if "spike_times" in self._parameters:
            _check_spike_times(self._parameters["spike_times"], self.size)
        state.id_counter += self.size

    def _set_initial_value_array(self, variable, initial_values):
        state.check_unchanged(f"Population {self.label!r}.initialize")
        if variable not in self.celltype.variable_map:
            raise errors.NonExistentParameterError(variable, self.celltype,
                                                   list(self.celltype.variable_map))

    def _get_view(self, selector, label=None):
        return PopulationView(self, selector, label)

    def _get_parameters(self, *names):
        return _standard(self, names)

    def _get_native_parameters(self, *names):
        return ParameterSpace({name: self._parameters[name] for name in names},
                              shape=(self.size,))

    def _set_parameters(self, parameter_space):
        state.check_unchanged(f"Population {self.label!r}.set()")
        parameter_space.shape = (self.size,)
        for name, value in parameter_space.items():
            self._parameters[name] = value

    def inject(self, current_source):
        raise Unsupported(f"Population {self.label!r}: current sources are not supported; "
                          f"for a constant current set the cell's i_offset")

    def neurochip_model(self):
        """The neurochip model of this population."""
        return self.celltype.neurochip_model(self._parameters, self.size,
                                             f"Population {self.label!r}")


def _check_spike_times(value, size: int) -> None:
    """PyNN's rule: each neuron's spike times in increasing order."""
    times = np.asarray(value.evaluate(simplify=False), dtype=object).ravel()
    for i, row in enumerate(times[:size]):
        row = np.asarray(getattr(row, "value", row), dtype=np.float64)
        if np.any(np.diff(row) < 0):
            raise errors.InvalidParameterValueError(
                f"SpikeSourceArray spike_times[{i}] must be in increasing order (got "
                f"{row.tolist()[:6]})")


def _standard(cells, names):
    """Parameters in PyNN's names and units."""
    celltype = cells.celltype
    if any(name in celltype.computed_parameters() for name in names):
        native_names = celltype.get_native_names()
    else:
        native_names = celltype.get_native_names(*names)
    return celltype.reverse_translate(cells._get_native_parameters(*native_names))


def _full(value, size: int) -> np.ndarray:
    """A lazy value as an array of `size` numbers (refusing random draws, which could not
    be neurochip's own for a subset of neurons)."""
    from .values import random_base
    if random_base(value) is not None:
        raise Unsupported("a RandomDistribution for part of a population (a view) is not "
                          "supported; set it on the whole population")
    array = value if isinstance(value, LazyArray) else LazyArray(value, shape=(size,))
    array.shape = (size,)
    evaluated = np.asarray(array.evaluate(simplify=False))
    return evaluated.astype(float) if evaluated.dtype != object else evaluated.copy()
