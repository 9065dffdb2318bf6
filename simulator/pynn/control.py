"""setup, run, reset, end, and sPyNNaker's extensions: what a script calls on `sim`."""

import chips
from pyNN import common
from pyNN.recording import get_io

from ..distribution import world
from ..options import FIDELITIES, MappingOptions
from . import simulator
from .errors import Unsupported
from .simulator import state

DEFAULT_MACHINE = (2, 2)  # a 2 x 2 torus of SpiNNaker2 chips, as the README's example
IGNORED = ("threads", "filename", "label", "t_flush", "verbosity", "spike_precision",
           "recording_precision", "time_scale_factor", "database_socket", "n_chips_required",
           "n_boards_required")
OPTIONS = ("machine", "fidelity", "rng_seed", "seed", "mapping", "neurons_per_core",
           "traffic_window_ms", "max_delay")


def setup(timestep=0.1, min_delay="auto", **extra_params):
    """Start again with an empty network on the modelled machine.

    `machine`: a `chips.Machine`, or "spinnaker2" / "spinnaker1" (default: a 2 x 2
    SpiNNaker2 torus); `fidelity`: "functional", "timed" (default) or "packet";
    `rng_seed` (or `seed`): the seed of every random draw; `mapping`: a
    `simulator.MappingOptions`; `neurons_per_core`: its largest slice;
    `traffic_window_ms`: the traffic window of the result. Returns the MPI rank.
    """
    unknown = set(extra_params) - set(OPTIONS) - set(IGNORED)
    if unknown:
        raise Unsupported(f"setup: {', '.join(sorted(unknown))} is not an option of the "
                          f"neurochip backend; its options are {', '.join(OPTIONS)}")
    if extra_params.get("spike_precision", "on_grid") != "on_grid":
        raise Unsupported("setup: spike_precision must be 'on_grid': neurochip's neurons fire "
                          "on the timestep grid, as SpiNNaker's do")
    if extra_params.get("time_scale_factor") not in (None, 1):
        raise Unsupported("setup: time_scale_factor slows a real SpiNNaker machine down; "
                          "neurochip models the machine in real time, so leave it out")
    common.setup(timestep, min_delay, **extra_params)
    if state.populations or state.projections:
        end()
    state.clear()
    state.dt = float(timestep)
    state.min_delay = state.dt if min_delay == "auto" else float(min_delay)
    max_delay = extra_params.get("max_delay", "auto")
    state.max_delay = 65_535 * state.dt if max_delay == "auto" else float(max_delay)
    state.machine = _machine(extra_params.get("machine"))
    state.fidelity = extra_params.get("fidelity", "timed")
    if state.fidelity not in FIDELITIES:
        raise Unsupported(f"setup: fidelity must be one of {', '.join(FIDELITIES)} "
                          f"(got {state.fidelity!r})")
    state.seed = int(extra_params.get("rng_seed", extra_params.get("seed", 0)))
    mapping = extra_params.get("mapping", MappingOptions())
    if not isinstance(mapping, MappingOptions):
        raise Unsupported("setup: mapping must be a simulator.MappingOptions, such as "
                          "MappingOptions(neurons_per_core=64, placer='spread')")
    if "neurons_per_core" in extra_params:
        import dataclasses
        mapping = dataclasses.replace(mapping,
                                      neurons_per_core=int(extra_params["neurons_per_core"]))
    state.mapping = mapping
    state.traffic_window_ms = float(extra_params.get("traffic_window_ms", 10.0))
    state.label = str(extra_params.get("label", "pynn"))
    comm = world()
    state.mpi_rank, state.mpi_size = comm.rank, comm.size
    return state.mpi_rank


def _machine(machine):
    if machine is None:
        return chips.spinnaker2(*DEFAULT_MACHINE)
    if isinstance(machine, chips.Machine):
        return machine
    if machine in ("spinnaker2", "spinnaker1"):
        return chips.preset(machine)
    raise Unsupported(f"setup: machine must be a chips.Machine (such as chips.spinnaker2(2, "
                      f"2)) or 'spinnaker2' / 'spinnaker1' (got {machine!r})")


def end(compatible_output=True):
    """Write the data that record(to_file=...) asked for, and forget the network."""
    for population, variables, filename in state.write_on_end:
        population.write_data(get_io(filename), variables)
    state.write_on_end = []
    state.clear()


run, run_until = common.build_run(simulator)
run_for = run
reset = common.build_reset(simulator)
initialize = common.initialize
get_current_time, get_time_step, get_min_delay, get_max_delay, _, rank = \
    common.build_state_queries(simulator)


def num_processes():
    """The number of MPI processes (every one holds the whole network's data)."""
    return getattr(state, "mpi_size", 1)


def set_number_of_neurons_per_core(neuron_type, max_permitted):
    """sPyNNaker's limit on the neurons of one cell type on one core (None: no limit of
    its own)."""
    if isinstance(neuron_type, str) or not isinstance(neuron_type, type):
        raise Unsupported("set_number_of_neurons_per_core takes a cell type class, such as "
                          "sim.IF_curr_exp")
    state.check_unchanged("set_number_of_neurons_per_core")
    if max_permitted is None:
        state.neurons_per_core_of_type.pop(neuron_type, None)
        return
    if not (isinstance(max_permitted, int) and max_permitted >= 1):
        raise Unsupported(f"set_number_of_neurons_per_core: the limit must be a whole number "
                          f">= 1 (got {max_permitted!r})")
    state.neurons_per_core_of_type[neuron_type] = max_permitted


def result():
    """neurochip's `Result` of the last run (traffic, timing, the fit report), on MPI rank 0;
    None on the other ranks."""
    if state.result is None and state.mpi_rank == 0:
        raise Unsupported("sim.result() needs a run first: call sim.run(...)")
    return state.result
