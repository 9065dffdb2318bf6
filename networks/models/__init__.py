"""Neuron models and spike sources, each a frozen dataclass with a Numba kernel beside it."""

from .base import Members, ModelGroup, NeuronModel
from .egru import EGRU
from .graded import GradedSequenceSource, PoissonCountSource
from .if_curr_exp import IFCurrExp
from .lif import LIF
from .nir_models import NIRIntegrator, NIRNeuron, nir_model
from .poisson_driven import IFCurrExpPoisson, LIFPoisson
from .sources import SpikeSourceArray, SpikeSourcePoisson
from .spike_events import SpikeSourceEvents

MODELS: dict[str, type[NeuronModel]] = {
    model.name: model for model in (LIF, IFCurrExp, LIFPoisson, IFCurrExpPoisson, EGRU,
                                    NIRNeuron, NIRIntegrator, SpikeSourcePoisson,
                                    SpikeSourceArray, SpikeSourceEvents, GradedSequenceSource,
                                    PoissonCountSource)}

__all__ = ["EGRU", "GradedSequenceSource", "IFCurrExp", "IFCurrExpPoisson", "LIF",
           "LIFPoisson", "MODELS", "Members", "ModelGroup", "NIRIntegrator", "NIRNeuron",
           "NeuronModel", "PoissonCountSource", "SpikeSourceArray", "SpikeSourceEvents",
           "SpikeSourcePoisson", "nir_model"]
