"""The backend's state: the time, the settings of `setup`, the objects a script created,
and the data of the last run."""

from pyNN import common

from ..options import MappingOptions
from .errors import Unsupported

name = "neurochip"


class ID(int, common.IDMixin):
    """A cell's PyNN identifier: populations take consecutive ranges."""

    def __init__(self, n):
        int.__init__(n)
        common.IDMixin.__init__(self)


class State(common.control.BaseState):
    """What `setup` chose and what the script built; `run_until` simulates the network from
    t = 0 to the time asked (neurochip runs whole simulations, and the same seed gives the
    same spikes, so `run(a); run(b)` equals `run(a + b)`)."""

    def __init__(self):
        super().__init__()
        self.mpi_rank = 0
        self.num_processes = 1
        self.dt = 0.1
        self.clear()

    def clear(self):
        """Forget every object (`setup` and `end`)."""
        self.recorders = set()
        self.populations = []
        self.projections = []
        self.id_counter = 0
        self.segment_counter = -1
        self.neurons_per_core_of_type = {}
        self.write_on_end = []
        self.min_delay = self.dt
        self.max_delay = 65_535 * self.dt
        self.machine = None
        self.fidelity = "timed"
        self.seed = 0
        self.mapping = MappingOptions()
        self.traffic_window_ms = 10.0
        self.label = "pynn"
        self.reset()

    def reset(self):
        """Back to t = 0 (a new segment), keeping the network."""
        self.running = False
        self.t = 0.0
        self.t_start = 0.0
        self.segment_counter += 1
        self.run_data = None
        self.result = None

    def check_unchanged(self, what: str) -> None:
        """Refuse a change to the network between two runs without `reset` in between."""
        if self.running:
            raise Unsupported(f"{what} after run() would change the network in the middle of "
                              f"a simulation, which neurochip cannot do; call sim.reset() "
                              f"first (the change then applies from t = 0)")

    def run_until(self, tstop):
        from .build import simulate_until
        self.run_data = simulate_until(self, tstop)
        self.t = tstop
        self.running = True


state = State()
