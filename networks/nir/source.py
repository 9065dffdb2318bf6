"""A NIR model and its input spikes as a config names them: `[network] nir`, `input`, `reset`."""

from dataclasses import dataclass

from ..network import Network
from .reader import read_nir
from .spikes import read_spikes


@dataclass(frozen=True)
class NIRSource:
    """Paths of the .nir file and of the input spike file ("" for none), and the reset."""

    path: str
    input: str = ""
    reset: str = ""

    def build(self, timestep_ms: float) -> Network:
        """The network of the graph, its Input nodes firing the spikes of the input file."""
        spikes = read_spikes(self.input) if self.input else None
        return read_nir(self.path, timestep_ms, spikes, self.reset or None)
