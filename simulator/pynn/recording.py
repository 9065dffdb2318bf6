"""Recording: neo data from the spikes and state variables of neurochip's last run.

Times follow NEST: a spike of tick k (which covers k x dt .. (k + 1) x dt) is stamped
(k + 1) x dt, and a state sample at t is the value at the end of the tick ending at t, after
the initial value at t = 0.
"""

import numpy as np
from pyNN import recording

from . import simulator
from .errors import Unsupported


def stamps_ms(ticks: np.ndarray, dt_ms: float) -> np.ndarray:
    """The end of each tick in ms, counted in nanoseconds so that tick 67 at 0.1 ms is 6.8
    (as NEST writes it), not 6.800000000000001."""
    step_ns = round(dt_ms * 1e6)
    return (np.asarray(ticks, dtype=np.int64) + 1) * step_ns / 1e6


class Recorder(recording.Recorder):
    _simulator = simulator

    def record(self, variables, ids, sampling_interval=None, locations=None):
        self._simulator.state.check_unchanged(f"Population {self.population.label!r}.record")
        super().record(variables, ids, sampling_interval, locations)

    def _record(self, variable, new_ids, sampling_interval=None):
        state = self._simulator.state
        if sampling_interval is not None:
            steps = sampling_interval / state.dt
            if sampling_interval <= 0 or abs(steps - round(steps)) > 1e-9 * max(steps, 1):
                raise Unsupported(f"Population {self.population.label!r}: sampling_interval "
                                  f"must be a whole number of timesteps ({state.dt:g} ms; got "
                                  f"{sampling_interval:g})")
            self.sampling_interval = sampling_interval

    def _data(self):
        data = self._simulator.state.run_data
        return data.get(self.population._index) if data is not None else None

    def _start_tick(self) -> int:
        return int(round(float(self._recording_start_time.rescale("ms").magnitude)
                         / self._simulator.state.dt))

    def _get_spiketimes(self, ids, clear=False):
        ids = np.asarray([int(i) for i in ids], dtype=np.int64)
        data = self._data()
        if data is None or ids.size == 0:
            return np.empty(0, dtype=np.int64), np.empty(0)
        first = int(self.population.first_id)
        ticks, index = data.spikes
        keep = np.isin(index + first, ids) & (ticks + 1 > self._start_tick())
        return (index[keep] + first).astype(np.int64), stamps_ms(ticks[keep],
                                                                 self._simulator.state.dt)

    def _get_all_signals(self, variable, ids, clear=False):
        data = self._data()
        index = np.asarray([int(i) for i in ids], dtype=np.int64) - int(self.population.first_id)
        every = int(round(self.sampling_interval / self._simulator.state.dt))
        if data is None:
            return np.empty((0, len(index))), None
        table = data.states[variable.name]
        return table[self._start_tick()::every][:, index], None

    def _local_count(self, variable, filter_ids=None):
        ids = sorted(int(i) for i in self.filter_recorded(variable, filter_ids))
        if variable.name != "spikes":
            raise Unsupported("only spikes can be counted")
        index, _ = self._get_spiketimes(ids)
        counts = dict.fromkeys(ids, 0)
        found, n = np.unique(index, return_counts=True)
        counts.update(zip(found.tolist(), n.tolist()))
        return counts

    def _clear_simulator(self):
        pass

    def _reset(self):
        pass
