"""Neuron models and spike sources, each a frozen dataclass with a Numba kernel beside it."""

from .base import Members, ModelGroup, NeuronModel
from .egru import EGRU
from .graded import GradedSequenceSource
from .if_curr_exp import IFCurrExp
from .lif import LIF
from .sources import SpikeSourceArray, SpikeSourcePoisson

MODELS: dict[str, type[NeuronModel]] = {
    model.name: model for model in (LIF, IFCurrExp, EGRU, SpikeSourcePoisson, SpikeSourceArray,
                                    GradedSequenceSource)}

__all__ = ["EGRU", "GradedSequenceSource", "IFCurrExp", "LIF", "MODELS", "Members",
           "ModelGroup", "NeuronModel", "SpikeSourceArray", "SpikeSourcePoisson"]
