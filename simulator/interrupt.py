"""Stopping a run cleanly on SIGINT or SIGTERM.

The first signal asks the run to stop: it ends at the next check, keeps everything up to the
last traffic window it finished, and writes a complete file marked `interrupted`. A second
signal stops at once, writing nothing (results are only ever written whole).
"""

import signal
import threading
from contextlib import contextmanager

SIGNALS = (signal.SIGINT, signal.SIGTERM)


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
