"""PyNN backend: `import simulator.pynn as sim` runs a PyNN (or sPyNNaker) script on the
modelled machine, with neurochip's traffic, timing and fit report in `sim.result()`.

Built on PyNN's common base classes, as pyNN.nest and pyNN.brian2 are. What neurochip cannot
honour exactly is refused in one sentence (docs/pynn.md has the table).
"""

from pyNN import errors, random, space  # noqa: F401
from pyNN.connectors import (AllToAllConnector, ArrayConnector,  # noqa: F401
                             CloneConnector, FixedNumberPostConnector,
                             FixedNumberPreConnector, FixedProbabilityConnector,
                             FromFileConnector, FromListConnector, OneToOneConnector)
from pyNN.random import NumpyRNG, RandomDistribution  # noqa: F401
from pyNN.space import Space  # noqa: F401
from pyNN.standardmodels import StandardCellType

from .cells import IF_curr_delta, IF_curr_exp, SpikeSourceArray, SpikeSourcePoisson  # noqa
from .control import (end, get_current_time, get_max_delay, get_min_delay,  # noqa: F401
                      get_time_step, initialize, num_processes, rank, reset, result, run,
                      run_for, run_until, set_number_of_neurons_per_core, setup)
from ..options import MappingOptions  # noqa: F401
from .errors import Unsupported, UnsupportedName
from .populations import Assembly, Population, PopulationView  # noqa: F401
from .procedural_api import connect, create, record, record_v, set  # noqa: F401
from .projections import Projection  # noqa: F401
from .synapses import REFUSED, StaticSynapse  # noqa: F401

globals().update(REFUSED)

_NO_MODEL = {
    "IF_cond_exp": "no conductance-based model yet; use IF_curr_exp",
    "IF_cond_alpha": "no conductance-based model yet; use IF_curr_exp",
    "IF_curr_alpha": "no alpha-shaped synaptic current; use IF_curr_exp",
    "EIF_cond_exp_isfa_ista": "no adaptive exponential model; use IF_curr_exp",
    "EIF_cond_alpha_isfa_ista": "no adaptive exponential model; use IF_curr_exp",
    "HH_cond_exp": "no Hodgkin-Huxley model; use IF_curr_exp",
    "Izhikevich": "no Izhikevich model; use IF_curr_exp",
    "IF_cond_exp_gsfa_grr": "no adapting conductance-based model; use IF_curr_exp",
    "SpikeSourceGamma": "no gamma spike source; use SpikeSourcePoisson or SpikeSourceArray",
    "SpikeSourcePoissonRefractory": "no refractory Poisson source; use SpikeSourcePoisson",
    "SpikeSourceInhGamma": "no gamma spike source; use SpikeSourcePoisson",
    "GIF_cond_exp": "no generalised integrate-and-fire model; use IF_curr_exp",
    "IF_facets_hardware1": "no such model; use IF_curr_exp",
    "PointNeuron": "composed neuron models are not supported; use a standard cell type",
    "DCSource": "no current sources; for a constant current set the cell's i_offset",
    "StepCurrentSource": "no current sources; for a constant current set the cell's "
                         "i_offset",
    "ACSource": "no current sources; for a constant current set the cell's i_offset",
    "NoisyCurrentSource": "no current sources; for a constant current set the cell's "
                          "i_offset",
    "DistanceDependentProbabilityConnector": "connect with a list (FromListConnector)",
    "IndexBasedProbabilityConnector": "connect with a list (FromListConnector)",
    "DisplacementDependentProbabilityConnector": "connect with a list (FromListConnector)",
    "SmallWorldConnector": "connect with a list (FromListConnector)",
    "CSAConnector": "connect with a list (FromListConnector)",
    "FixedTotalNumberConnector": "connect with a list (FromListConnector)",
}


def __getattr__(name):
    if name in _NO_MODEL:
        raise UnsupportedName(f"sim.{name} is not supported by neurochip: {_NO_MODEL[name]}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def list_standard_models():
    """The standard cell types this backend provides."""
    return [obj.__name__ for obj in globals().values()
            if isinstance(obj, type) and issubclass(obj, StandardCellType)
            and obj is not StandardCellType]


__all__ = ["AllToAllConnector", "ArrayConnector", "Assembly", "CloneConnector",
           "FixedNumberPostConnector", "FixedNumberPreConnector", "FixedProbabilityConnector",
           "FromFileConnector", "FromListConnector", "IF_curr_delta", "IF_curr_exp",
           "NumpyRNG", "OneToOneConnector", "Population", "PopulationView", "Projection",
           "RandomDistribution", "Space", "SpikeSourceArray", "SpikeSourcePoisson",
           "StaticSynapse", "Unsupported", "connect", "create", "end", "get_current_time",
           "get_max_delay", "get_min_delay", "get_time_step", "initialize",
           "list_standard_models", "num_processes", "rank", "record", "record_v", "reset",
           "result", "run", "run_for", "run_until", "set", "set_number_of_neurons_per_core",
           "setup"]
