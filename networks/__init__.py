"""What runs: networks of populations and projections, neuron models, connectors, NIR."""

from .connectors import (CONNECTORS, AllToAll, Connector, FixedInDegree, FixedProbability,
                         Convolution, FromList, OneToOne)
from .distributions import Normal, Uniform
from .errors import NetworkError
from .models import (EGRU, LIF, MODELS, IFCurrExp, NeuronModel, SpikeSourceArray,
                     SpikeSourcePoisson)
from .network import Network, Population, Projection, Synapses, synapses

__all__ = ["AllToAll", "EGRU", "CONNECTORS", "Connector", "Convolution", "FixedInDegree",
           "FixedProbability", "FromList", "IFCurrExp", "LIF", "MODELS", "Network", "NetworkError", "NeuronModel",
           "Normal", "OneToOne", "Population", "Projection", "SpikeSourceArray",
           "SpikeSourcePoisson", "Synapses", "Uniform", "synapses"]
