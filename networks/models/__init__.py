"""Neuron models and spike sources, each a frozen dataclass with a Numba kernel beside it."""

from .base import Members, ModelGroup, NeuronModel
from .if_curr_exp import IFCurrExp
from .lif import LIF
from .nir_models import NIRIntegrator, NIRNeuron, nir_model
from .sources import SpikeSourceArray, SpikeSourcePoisson
from .spike_events import SpikeSourceEvents

MODELS: dict[str, type[NeuronModel]] = {
    model.name: model for model in (LIF, IFCurrExp, SpikeSourcePoisson, SpikeSourceArray,
                                    NIRNeuron, NIRIntegrator, SpikeSourceEvents)}

__all__ = ["IFCurrExp", "LIF", "MODELS", "Members", "ModelGroup", "NIRIntegrator", "NIRNeuron",
           "NeuronModel", "SpikeSourceArray", "SpikeSourceEvents", "SpikeSourcePoisson",
           "nir_model"]
