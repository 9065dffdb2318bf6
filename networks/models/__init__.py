"""Neuron models and spike sources, each a frozen dataclass with a Numba kernel beside it."""

from .base import Members, ModelGroup, NeuronModel
from .egru import EGRU
from .graded import GradedSequenceSource, PoissonCountSource
from .if_curr_exp import IFCurrExp
from .lif import LIF
from .poisson_driven import IFCurrExpPoisson, LIFPoisson
from .sources import SpikeSourceArray, SpikeSourcePoisson

MODELS: dict[str, type[NeuronModel]] = {
    model.name: model for model in (LIF, IFCurrExp, LIFPoisson, IFCurrExpPoisson, EGRU,
                                    SpikeSourcePoisson, SpikeSourceArray,
                                    GradedSequenceSource, PoissonCountSource)}

__all__ = ["EGRU", "GradedSequenceSource", "IFCurrExp", "IFCurrExpPoisson", "LIF",
           "LIFPoisson", "MODELS", "Members", "ModelGroup", "NeuronModel", "PoissonCountSource",
           "SpikeSourceArray", "SpikeSourcePoisson"]
