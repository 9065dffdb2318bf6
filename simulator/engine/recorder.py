"""Spike recording: (tick, global neuron id) pairs in arrays that grow as needed."""

import numpy as np


class SpikeRecorder:
    def __init__(self, capacity: int = 1 << 14) -> None:
        self.ticks = np.empty(capacity, dtype=np.int64)
        self.ids = np.empty(capacity, dtype=np.int64)
        self.count = 0

    def reserve(self, n: int) -> None:
        """Make room for `n` more spikes."""
        if self.count + n > len(self.ids):
            capacity = max(2 * len(self.ids), self.count + n)
            self.ticks = np.resize(self.ticks, capacity)
            self.ids = np.resize(self.ids, capacity)

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        return self.ticks[:self.count], self.ids[:self.count]
