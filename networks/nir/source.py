"""A NIR model and its input spikes as a config names them: `[network] nir`, `input`, `reset`,
`reset_delay`, `dt_ms`, `bias_start`."""

from dataclasses import dataclass

from ..network import Network
from .reader import read_nir
from .spikes import read_spikes


@dataclass(frozen=True)
class NIRSource:
    """Paths of the .nir file and of the input spike file ("" for none), the reset and its
    delay (None: each node's metadata), the training timestep (0: undeclared) and when
    biases start."""

    path: str
    input: str = ""
    reset: str = ""
    reset_delay: bool | None = None
    dt_ms: float = 0.0
    bias_start: str = "first_input"

    def build(self, timestep_ms: float) -> Network:
        """The network of the graph, its Input nodes firing the spikes of the input file."""
        spikes = read_spikes(self.input) if self.input else None
        return read_nir(self.path, timestep_ms, spikes, self.reset or None,
                        reset_delay=self.reset_delay, dt_ms=self.dt_ms or None,
                        bias_start=self.bias_start)
