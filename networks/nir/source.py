"""A NIR model and its input spikes as a config names them: `[network] nir`, `input`, `reset`,
`reset_delay`, `dt_ms`, `bias_start`, and `encoder` with `frame_ticks` for an input of frames."""

from dataclasses import dataclass

from pathlib import Path

import numpy as np

from ..encoders import ENCODERS, latency_spikes, rate_spikes
from ..network import Network
from .reader import NIRError, read_nir
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
    encoder: str = ""
    frame_ticks: int = 0

    def build(self, timestep_ms: float) -> Network:
        """The network of the graph, its Input nodes firing the spikes of the input file (or
        of its frames, through the encoder)."""
        spikes = self.encoded(timestep_ms) if self.encoder else \
            read_spikes(self.input) if self.input else None
        return read_nir(self.path, timestep_ms, spikes, self.reset or None,
                        reset_delay=self.reset_delay, dt_ms=self.dt_ms or None,
                        bias_start=self.bias_start)

    def encoded(self, timestep_ms: float) -> tuple:
        """The spikes of the input file's `frames`, rate or latency coded."""
        if self.encoder not in ENCODERS:
            raise NIRError(f"encoder must be one of {', '.join(ENCODERS)} (got "
                           f"{self.encoder!r})")
        if self.frame_ticks < 1:
            raise NIRError("frame_ticks must be a whole number >= 1 with an encoder (the ticks "
                           "each frame is shown for)")
        if not self.input or not Path(self.input).is_file():
            raise NIRError(f"an encoder needs input = \"frames.npz\" (an .npz holding frames); "
                           f"{self.input or 'no input'} is not a file")
        try:
            with np.load(self.input, allow_pickle=False) as data:
                frames = np.asarray(data["frames"])
        except Exception as err:  # zipfile, zlib and NumPy raise many kinds for bad bytes
            raise NIRError(f"input file {self.input} cannot be read as an .npz holding frames "
                           f"({type(err).__name__}); save it with numpy.savez(frames=...)") \
                from None
        encode = rate_spikes if self.encoder == "rate" else latency_spikes
        return encode(frames, self.frame_ticks, timestep_ms)
