"""PyNN's standard cell types that neurochip has, and the neurochip model each becomes.

Native parameter names are the model's field names, so one translation table per type says
the unit too (`tau_m` -> `tau_m_ms`). Weights keep PyNN's units: nA for `IF_curr_exp`
(current jumps), mV for `IF_curr_delta` (voltage jumps).
"""

import numpy as np
from pyNN.standardmodels import build_translations, cells

import networks

from .errors import Unsupported
from .values import homogeneous


def _lif_translations(*extra):
    return build_translations(
        ("tau_m", "tau_m_ms"), ("cm", "cm_nf"), ("v_rest", "v_rest_mv"),
        ("v_reset", "v_reset_mv"), ("v_thresh", "v_thresh_mv"),
        ("tau_refrac", "tau_refrac_ms"), ("i_offset", "i_offset_na"), *extra)


class _NeurochipCell:
    """What a cell type adds for this backend: its neurochip model and state names."""

    model_class: type
    variable_map: dict = {}   # PyNN state variable -> neurochip state variable

    def neurochip_model(self, native: dict, size: int, where: str):
        """The neurochip model of a population, from its native parameter arrays."""
        pynn_name = {d["translated_name"]: name for name, d in self.translations.items()}
        values = {name: homogeneous(value, f"{where}.{pynn_name[name]}")
                  for name, value in native.items()}
        return self.model_class(**values)


class IF_curr_exp(_NeurochipCell, cells.IF_curr_exp):
    __doc__ = cells.IF_curr_exp.__doc__
    translations = _lif_translations(("tau_syn_E", "tau_syn_e_ms"),
                                     ("tau_syn_I", "tau_syn_i_ms"))
    model_class = networks.IFCurrExp
    variable_map = {"v": "v", "isyn_exc": "i_exc", "isyn_inh": "i_inh"}


class IF_curr_delta(_NeurochipCell, cells.IF_curr_delta):
    __doc__ = cells.IF_curr_delta.__doc__
    translations = _lif_translations()
    model_class = networks.LIF
    variable_map = {"v": "v"}


class SpikeSourcePoisson(_NeurochipCell, cells.SpikeSourcePoisson):
    __doc__ = cells.SpikeSourcePoisson.__doc__
    translations = build_translations(("rate", "rate_hz"), ("start", "start"),
                                      ("duration", "duration"))
    model_class = networks.SpikeSourcePoisson

    def neurochip_model(self, native, size, where):
        start = homogeneous(native["start"], f"{where}.start")
        duration = homogeneous(native["duration"], f"{where}.duration")
        if start != 0.0 or duration < 1e9:
            raise Unsupported(f"{where}: SpikeSourcePoisson start and duration (got {start:g} "
                              f"and {duration:g} ms) are not supported: neurochip's Poisson "
                              f"sources fire from t = 0 to the end of the run; leave them at "
                              f"their defaults or use a SpikeSourceArray")
        return networks.SpikeSourcePoisson(rate_hz=homogeneous(native["rate_hz"],
                                                               f"{where}.rate"))


class SpikeSourceArray(_NeurochipCell, cells.SpikeSourceArray):
    """Given spike times. As in NEST, a spike at t ms leaves in the tick that ends at the
    first grid time >= t, reaches its targets `delay` later and is recorded at that grid
    time."""

    translations = build_translations(("spike_times", "spike_times"))
    model_class = networks.SpikeSourceArray

    def neurochip_model(self, native, size, where):
        from .simulator import state
        times = native["spike_times"].evaluate(simplify=False)
        if size == 1 and not isinstance(times, np.ndarray):
            times = [times]
        rows = []
        for i in range(size):
            row = np.asarray(getattr(times[i], "value", times[i]), dtype=np.float64).ravel()
            tick = np.ceil(row / state.dt - 1e-9).astype(np.int64) - 1
            if np.any(tick < 0):
                raise Unsupported(
                    f"{where}.spike_times[{i}]: a spike at {row.min():g} ms cannot be emitted: "
                    f"a spike at t leaves in the tick that ends at t, as in NEST, so the "
                    f"first possible time is one timestep ({state.dt:g} ms)")
            if len(np.unique(tick)) < len(tick):
                raise Unsupported(
                    f"{where}.spike_times[{i}]: two spikes in one timestep ({state.dt:g} ms) "
                    f"are not supported (a neurochip source fires at most once a tick); "
                    f"merge them into one spike with twice the weight")
            rows.append(tuple(tick * state.dt))
        return networks.SpikeSourceArray(spike_times_ms=tuple(rows))


CELL_TYPES = (IF_curr_exp, IF_curr_delta, SpikeSourcePoisson, SpikeSourceArray)
