"""An EvNN checkpoint and its input as a config names them: `[network] evnn`, `input`."""

from dataclasses import dataclass

from ..network import Network
from .build import build_evnn
from .checkpoint import read_checkpoint
from .inputs import input_rows, read_input


@dataclass(frozen=True)
class EvnnSource:
    """Paths of the checkpoint (.npz) and of its input file (.npz with tokens or x)."""

    path: str
    input: str

    def build(self, timestep_ms: float) -> Network:
        checkpoint = read_checkpoint(self.path)
        return build_evnn(checkpoint, input_rows(checkpoint, read_input(self.input),
                                                 f"EvNN input file {self.input}"))
