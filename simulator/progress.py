"""A one-line progress display for long runs, on a terminal only."""

import os
import sys
import time


def wanted(rank: int, quiet: bool = False) -> bool:
    """Show progress on rank 0, when stderr is a terminal, not under CI, not when quiet."""
    return rank == 0 and not quiet and sys.stderr.isatty() and not os.environ.get("CI")


class Progress:
    """Ticks done out of `total`, redrawn at most five times a second."""

    def __init__(self, total: int, label: str = "simulating") -> None:
        self.total = total
        self.label = label
        self.started = time.perf_counter()
        self.shown = 0.0

    def update(self, done: int) -> None:
        now = time.perf_counter()
        if now - self.shown < 0.2 and done < self.total:
            return
        self.shown = now
        elapsed = now - self.started
        left = elapsed / done * (self.total - done) if done else 0.0
        sys.stderr.write(f"\r{self.label} {done / self.total:6.1%}  {done}/{self.total} ticks"
                         f"  {elapsed:5.1f} s, about {left:5.1f} s left ")
        sys.stderr.flush()

    def close(self) -> None:
        sys.stderr.write("\r" + " " * 72 + "\r")
        sys.stderr.flush()
