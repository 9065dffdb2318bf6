"""What a neuron update costs a core, per neuron model: cycles per neuron per tick.

One field per model of `networks.models.MODELS` (a test keeps the two lists equal); a model
not listed here (one a user defines) costs `Core.cycles_per_neuron`. Where each figure
comes from is in `chips/presets.py` and docs/timing.md.
"""

from dataclasses import dataclass, fields

from .errors import check


@dataclass(frozen=True)
class NeuronCycles:
    """Cycles one neuron of each model costs its core in every tick."""

    lif: int
    if_curr_exp: int
    lif_poisson: int
    if_curr_exp_poisson: int
    egru: int
    nir_neuron: int
    nir_integrator: int
    poisson: int
    spike_array: int
    spike_events: int
    graded_sequence: int
    poisson_count: int

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            check(isinstance(value, int) and value >= 0, f.name, "be a whole number >= 0",
                  value)

    @classmethod
    def uniform(cls, cycles: int) -> "NeuronCycles":
        """Every model at the same cost (hand-computed cases, machines of one's own)."""
        return cls(**{name: cycles for name in MODEL_FIELDS})

    def of(self, model_name: str, default: int) -> int:
        """Cycles per neuron of the model called `model_name`, or `default` if unlisted."""
        return getattr(self, model_name, default) if model_name in MODEL_FIELDS else default


MODEL_FIELDS = frozenset(f.name for f in fields(NeuronCycles))
