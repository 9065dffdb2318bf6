"""Map and simulate a network: the Python entry point behind `neurochip run`."""

import resource
import time

import numpy as np

from chips import Machine
from networks import Network

from .collect import collect
from .distribution import world
from .engine.kernel import RankSimulation
from .mapping import map_network
from .memory import check_fits
from .options import MappingOptions, RunOptions, check_arguments, check_run
from .progress import Progress
from .results import Result
from .version import __version__


def simulate(network: Network, machine: Machine, run: RunOptions = RunOptions(),
             mapping: MappingOptions = MappingOptions(), config_text: str = "",
             comm=None, progress: bool = False, stop=None) -> Result | None:
    """Map `network` onto `machine` and simulate it. Under MPI every rank calls this; rank 0
    gets the `Result`, the others None. `progress` shows a progress line on rank 0's
    terminal; `stop` (a `StopRequest`) ends the run early, keeping the windows finished."""
    check_arguments(network, machine, run, mapping)
    check_run(machine, run)
    comm = comm or world()
    comm.warn_if_oversubscribed()
    check_fits(network, machine, run, mapping, comm.size, comm.ranks_on_this_node())
    started = time.perf_counter()
    placed = map_network(network, machine, mapping, run.seed, comm)
    placed.check_tables()
    sim = RankSimulation(network, placed, run, comm)
    comm.barrier()  # the run's clock starts together: building may take longer on some ranks
    built = time.perf_counter()
    sim.run(Progress(run.duration_ticks) if progress and comm.rank == 0 else None, stop)
    finished = time.perf_counter()
    attributes = {
        "neurochip_version": __version__,
        "config": config_text,
        "network": network.name,
        "machine": f"{machine.chip.name} {machine.width}x{machine.height}"
                   f"{' torus' if machine.wrap else ''} ({machine.layout})",
        "seed": run.seed,
        "timestep_ns": run.timestep_ns,
        "duration_ticks": run.duration_ticks,
        "fidelity": run.fidelity,
        "n_ranks": comm.size,
        "build_wall_s": comm.max(built - started),
        "run_wall_s": comm.max(finished - built),
        "peak_rss_bytes": comm.max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024),
        "synaptic_events": int(comm.sum(np.array([sim.delivered_synaptic_events()]))[0]),
    }
    return collect(network, placed, sim, attributes)
