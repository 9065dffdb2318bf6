"""The neuron primitives of NIR (LIF, CubaLIF, IF, LI, CubaLI, I, Threshold), per-neuron
parameters, one Numba kernel for all.

NIR writes continuous equations with time constants in seconds:

    tau_syn dI/dt = -I + w_in S                (CubaLIF, CubaLI; otherwise I = S)
    tau_mem dv/dt = (v_leak - v) + r I          (LIF, CubaLIF, LI, CubaLI; tau_mem is `tau`)
          dv/dt = r I                           (IF, I)
    z = v > v_threshold, then v = v_reset       (the spiking ones)

Discretisation (h = timestep in s, S = the weights that arrived for the tick plus the bias;
a spike is a pulse of height 1 lasting one tick, as in the discrete-time frameworks that
export NIR):

    I <- I + h / tau_syn (w_in S - I)
    v <- v + h / tau_mem (v_leak - v + r I)     leaky models (forward Euler)
    v <- v + r S                                 IF and I (a spike is a unit of charge)

Forward Euler is what snnTorch and Norse step, and their exporters write tau = h / (1 - beta),
so a trained model keeps its dynamics exactly; docs/nir.md bounds its error against the exact
solution. A threshold node is v = S, z = v > threshold. `reset = "subtract"` lowers v by
(v_threshold - v_reset) instead of setting it to v_reset, as snnTorch does: a v still above
threshold after the last reset counts that reset again in the spike test (v - (v_threshold
- v_reset) > v_threshold), which only changes anything when one tick's input exceeds twice
the threshold. With `reset_delay` the reset acts
one tick later, as snnTorch's default (reset_delay=True): a neuron that fired at tick t has
v_threshold - v_reset subtracted, undecayed, after its update at tick t + 1 (the value reset
replaces its previous v by v_reset before that update). The bias enters S from
`bias_start_tick` on: the tick at which the layer's first input can arrive, so that a layer
deep in a pipeline does not integrate its bias alone for ticks that a framework stepping all
layers at once never sees.
Non-spiking models (LI, CubaLI, I) send v every tick as a graded event (when v != 0).
"""

from dataclasses import dataclass, field
from typing import ClassVar, Sequence

import numpy as np
from numba import njit

from ..errors import check
from .base import Members, ModelGroup, NeuronModel, compact

#: NIR node type -> (spiking, parameters it takes)
KINDS: dict[str, tuple[bool, tuple[str, ...]]] = {
    "LIF": (True, ("tau_mem", "r", "v_leak", "v_threshold", "v_reset")),
    "CubaLIF": (True, ("tau_syn", "tau_mem", "r", "v_leak", "v_threshold", "v_reset", "w_in")),
    "IF": (True, ("r", "v_threshold", "v_reset")),
    "Threshold": (True, ("v_threshold",)),
    "LI": (False, ("tau_mem", "r", "v_leak")),
    "CubaLI": (False, ("tau_syn", "tau_mem", "r", "v_leak", "w_in")),
    "I": (False, ("r",)),
}
PARAMETERS = ("tau_syn", "tau_mem", "r", "v_leak", "v_threshold", "v_reset", "w_in", "bias")
RESETS = ("value", "subtract")
# Columns of the per-neuron coefficient table the kernel reads.
A_SYN, B_SYN, A_MEM, C_MEM, G_MEM, BIAS, V_TH, V_RESET, SUBTRACT, DELAYED, BIAS_START = \
    range(11)
COLUMNS = 11


@dataclass(frozen=True, eq=False)
class _NIRBase(NeuronModel):
    """A NIR neuron node: `kind` (a key of KINDS) and one value per neuron of every
    parameter (time constants in seconds). Parameters the kind does not take are unused."""

    kind: str = "LIF"
    size: int = 1
    tau_syn: np.ndarray = field(default=None)
    tau_mem: np.ndarray = field(default=None)
    r: np.ndarray = field(default=None)
    v_leak: np.ndarray = field(default=None)
    v_threshold: np.ndarray = field(default=None)
    v_reset: np.ndarray = field(default=None)
    w_in: np.ndarray = field(default=None)
    bias: np.ndarray = field(default=None)
    reset: str = "value"
    reset_delay: bool = False
    bias_start_tick: int = 0

    receptors: ClassVar[tuple[str, ...]] = ("input",)
    state_variables: ClassVar[tuple[str, ...]] = ("v", "i")
    defaults: ClassVar[dict] = {"tau_syn": 1.0, "tau_mem": 1.0, "r": 1.0, "v_leak": 0.0,
                                "v_threshold": 1.0, "v_reset": 0.0, "w_in": 1.0, "bias": 0.0}

    def __post_init__(self) -> None:
        check(self.kind in KINDS and KINDS[self.kind][0] == self.spiking, f"{self.name}.kind",
              f"be one of {[k for k, (s, _) in KINDS.items() if s == self.spiking]}", self.kind)
        check(isinstance(self.size, (int, np.integer)) and self.size >= 1, f"{self.name}.size",
              "be a whole number >= 1", self.size)
        check(self.reset in RESETS, f"{self.name}.reset", f"be one of {RESETS}", self.reset)
        check(isinstance(self.reset_delay, (bool, np.bool_)), f"{self.name}.reset_delay",
              "be true or false", self.reset_delay)
        check(isinstance(self.bias_start_tick, (int, np.integer)) and self.bias_start_tick >= 0,
              f"{self.name}.bias_start_tick", "be a whole number of ticks >= 0",
              self.bias_start_tick)
        for name in PARAMETERS:
            value = getattr(self, name)
            array = np.full(self.size, self.defaults[name]) if value is None else \
                np.asarray(value, dtype=np.float64)
            if array.ndim == 0 or array.size == 1:
                array = np.full(self.size, float(array.ravel()[0]))
            array = array.ravel()
            check(array.size == self.size, f"{self.kind}.{name}",
                  f"have one value per neuron ({self.size})", array.size)
            check(bool(np.all(np.isfinite(array))), f"{self.kind}.{name}", "be finite",
                  array[~np.isfinite(array)][:3].tolist())
            if name in ("tau_syn", "tau_mem"):
                check(bool(np.all(array > 0)), f"{self.kind}.{name}", "be > 0 seconds",
                      array[array <= 0][:3].tolist())
            array = array.copy()
            array.setflags(write=False)
            object.__setattr__(self, name, array)

    @property
    def spiking(self) -> bool:
        return not self.graded

    def check_size(self, size: int) -> None:
        check(size == self.size, f"{self.name}.size", f"match the population ({size})",
              self.size)

    def coefficients(self, timestep_ms: float) -> np.ndarray:
        """[size, COLUMNS] constants of the one-tick update (see the module docstring)."""
        h = timestep_ms * 1e-3
        n = self.size
        table = np.zeros((n, COLUMNS))
        uses = KINDS[self.kind][1]
        for name in ("tau_syn", "tau_mem"):
            if name in uses:
                check(bool(np.all(getattr(self, name) >= h * (1 - 1e-9))), f"{self.kind}.{name}",
                      f"be at least the timestep ({h:g} s) for forward Euler to be stable",
                      float(getattr(self, name).min()))
        if "tau_syn" in uses:
            table[:, A_SYN] = 1.0 - h / self.tau_syn
            table[:, B_SYN] = h / self.tau_syn * self.w_in
        else:
            table[:, B_SYN] = 1.0
        if "tau_mem" in uses:
            table[:, A_MEM] = 1.0 - h / self.tau_mem
            table[:, C_MEM] = h / self.tau_mem * self.v_leak
            table[:, G_MEM] = h / self.tau_mem * self.r
        elif self.kind == "Threshold":
            table[:, G_MEM] = 1.0
        else:
            table[:, A_MEM] = 1.0
            table[:, G_MEM] = self.r
        table[:, BIAS] = self.bias
        table[:, V_TH] = self.v_threshold if self.spiking else np.inf
        table[:, V_RESET] = self.v_reset
        table[:, SUBTRACT] = 1.0 if self.reset == "subtract" else 0.0
        table[:, DELAYED] = 1.0 if self.reset_delay and self.spiking else 0.0
        table[:, BIAS_START] = self.bias_start_tick
        return table

    @classmethod
    def group(cls, members: Sequence[Members], timestep_ms: float, seed: int) -> ModelGroup:
        return NIRGroup(members, timestep_ms, cls.graded)


@dataclass(frozen=True, eq=False)
class NIRNeuron(_NIRBase):
    """Spiking NIR nodes: LIF, CubaLIF, IF, Threshold."""

    name: ClassVar[str] = "nir_neuron"
    graded: ClassVar[bool] = False


@dataclass(frozen=True, eq=False)
class NIRIntegrator(_NIRBase):
    """Non-spiking NIR nodes (LI, CubaLI, I): v leaves as a graded event every tick."""

    kind: str = "LI"
    name: ClassVar[str] = "nir_integrator"
    graded: ClassVar[bool] = True


def nir_model(kind: str, size: int, **parameters) -> _NIRBase:
    """The model class for NIR node type `kind`, built with `parameters`."""
    check(kind in KINDS, "NIR neuron kind", f"be one of {list(KINDS)}", kind)
    cls = NIRNeuron if KINDS[kind][0] else NIRIntegrator
    return cls(kind=kind, size=size, **parameters)


class NIRGroup(ModelGroup):
    def __init__(self, members: Sequence[Members], timestep_ms: float, graded: bool) -> None:
        parts = [m.model.coefficients(timestep_ms)[m.start:m.stop] for m in members]
        self.table = np.ascontiguousarray(np.concatenate(parts) if parts else
                                          np.zeros((0, COLUMNS)))
        self.size = self.table.shape[0]
        self.graded = graded
        self.v = np.zeros(self.size)
        self.i = np.zeros(self.size)
        at = 0
        for m in members:
            for name, array in (("v", self.v), ("i", self.i)):
                value = m.initial.get(name, 0.0)
                check(isinstance(value, (int, float, np.ndarray)),
                      f"{m.model.kind}.initial[{name!r}]",
                      "be a number or one value per neuron for NIR models", value)
                array[at:at + m.size] = value[m.start:m.stop] \
                    if isinstance(value, np.ndarray) else value
            at += m.size
        self.fired = np.zeros(self.size, dtype=np.bool_)
        self.pending = np.zeros(self.size, dtype=np.bool_)  # a delayed reset due next tick

    @property
    def kernel(self):
        return nir_kernel

    def kernel_state(self) -> tuple:
        return self.v, self.i, self.table, self.fired, self.pending, self.graded

    def state(self, name: str) -> np.ndarray:
        return {"v": self.v, "i": self.i}[name]

@njit(cache=True, inline="always")
def nir_kernel(state, tick, synaptic_input, spiked, payload):
    """`nir_step` called as the engine calls a model (`ModelGroup.kernel`)."""
    v, i, table, fired, pending, graded = state
    return nir_step(tick, v, i, table, synaptic_input[0], fired, pending, spiked, payload,
                    graded)


@njit(cache=True)
def nir_step(tick, v, i, table, synaptic_input, fired, pending, spiked, payload, graded):
    """One tick of every NIR neuron (module docstring); returns the number of events."""
    for j in range(v.size):
        p = table[j]
        x = synaptic_input[j] + (p[BIAS] if tick >= p[BIAS_START] else 0.0)
        i_j = p[A_SYN] * i[j] + p[B_SYN] * x
        delayed = p[DELAYED] != 0.0
        v_prev = p[V_RESET] if delayed and pending[j] and p[SUBTRACT] == 0.0 else v[j]
        v_j = p[A_MEM] * v_prev + p[C_MEM] + p[G_MEM] * i_j
        if delayed and pending[j] and p[SUBTRACT] != 0.0:
            v_j = v_j - (p[V_TH] - p[V_RESET])
        if delayed:
            up = v_j > p[V_TH]
            pending[j] = up
        elif p[SUBTRACT] != 0.0:
            # snnTorch's immediate form: a v still above threshold after its last reset
            # counts that reset again in the spike test (the total subtracted is one step's)
            carried = p[V_TH] - p[V_RESET] if v[j] > p[V_TH] else 0.0
            up = v_j - carried > p[V_TH]
            if up:
                v_j = v_j - (p[V_TH] - p[V_RESET])
        else:
            up = v_j > p[V_TH]
            if up:
                v_j = p[V_RESET]
        i[j] = i_j
        v[j] = v_j
        fired[j] = (v_j != 0.0) if graded else up
    n = compact(fired, spiked)
    if graded:
        for k in range(n):
            payload[k] = v[spiked[k]]
    return n
