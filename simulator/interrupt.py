"""Stopping a run cleanly on SIGINT or SIGTERM.

The first signal asks the run to stop: it ends at the next check, keeps everything up to the
last traffic window it finished, and writes a complete file marked `interrupted`. A second
signal stops at once, writing nothing (results are only ever written whole). A signal while
the file is being written (`stopping_at_once`: Slurm's time limit or `scancel` send SIGTERM)
ends the write and removes the temporary file.
"""

import signal
import threading
from contextlib import contextmanager

SIGNALS = (signal.SIGINT, signal.SIGTERM)


class Interrupted(KeyboardInterrupt):
    """A SIGINT or SIGTERM that ended the work at once; `signal` is its number."""

    def __init__(self, number: int, doing: str = "") -> None:
        super().__init__(f"interrupted by {signal.Signals(number).name}"
                         f"{' while ' + doing if doing else ''}")
        self.signal = number


@contextmanager
def stopping_at_once(doing: str):
    """SIGINT and SIGTERM raise `Interrupted` while `doing` runs (in the main thread)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {s: signal.getsignal(s) for s in SIGNALS}

    def handle(number, frame):
        raise Interrupted(number, doing)

    for s in SIGNALS:
        signal.signal(s, handle)
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)


class StopRequest:
    """Set by the first SIGINT or SIGTERM while `listening()`."""

    def __init__(self) -> None:
        self.requested = False
        self.signal = 0

    @contextmanager
    def listening(self):
        if threading.current_thread() is not threading.main_thread():
            yield self
            return
        previous = {s: signal.getsignal(s) for s in SIGNALS}

        def handle(number, frame):
            if self.requested:
                for s, handler in previous.items():
                    signal.signal(s, handler)
                raise KeyboardInterrupt
            self.requested = True
            self.signal = number

        for s in SIGNALS:
            signal.signal(s, handle)
        try:
            yield self
        finally:
            for s, handler in previous.items():
                signal.signal(s, handler)
