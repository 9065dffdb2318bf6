"""Progress of long runs: a tqdm bar on rank 0's terminal, nothing anywhere else."""

import io
import os
import sys
from typing import TextIO

from tqdm import tqdm


def wanted(rank: int, quiet: bool = False) -> bool:
    """Show progress on rank 0, when stderr is a terminal, not under CI, not when quiet."""
    return rank == 0 and not quiet and sys.stderr.isatty() and not os.environ.get("CI")


class Progress:
    """Ticks done out of `total`, with rate and time left, redrawn at most five times a
    second; the bar is cleared when the run ends so the summary follows on a clean line."""

    def __init__(self, total: int, label: str = "simulating",
                 stream: TextIO | None = None) -> None:
        stream = stream or sys.stderr
        sized = _columns(stream) > 0   # a terminal that reports no size gets 80 x 24
        self.bar = tqdm(total=total, desc=label, unit="tick", unit_scale=True, file=stream,
                        mininterval=0.2, leave=False, dynamic_ncols=sized,
                        ncols=None if sized else 80, nrows=None if sized else 24,
                        smoothing=0.1)

    def update(self, done: int) -> None:
        """Ticks done so far (not an increment)."""
        self.bar.update(done - self.bar.n)

    def close(self) -> None:
        self.bar.close()


def _columns(stream: TextIO) -> int:
    """Width of the terminal behind `stream`; 0 when it has none or does not say."""
    try:
        return os.get_terminal_size(stream.fileno()).columns
    except (AttributeError, OSError, ValueError, io.UnsupportedOperation):
        return 0
