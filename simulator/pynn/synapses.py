"""Synapse types: `StaticSynapse` only. Plastic and short-term-plastic synapses are refused."""

from pyNN.standardmodels import build_translations, synapses

from .errors import Unsupported


class StaticSynapse(synapses.StaticSynapse):
    __doc__ = synapses.StaticSynapse.__doc__
    translations = build_translations(("weight", "weight"), ("delay", "delay"))

    def _get_minimum_delay(self):
        from .simulator import state
        return state.min_delay


def _refusing(name: str, reason: str):
    def refuse(*args, **kwargs):
        raise Unsupported(f"{name} is not supported: {reason}")
    refuse.__name__ = name
    return refuse


PLASTIC = "neurochip models static synapses only; use StaticSynapse"
REFUSED = {name: _refusing(name, PLASTIC) for name in (
    "STDPMechanism", "TsodyksMarkramSynapse", "SimpleStochasticSynapse",
    "StochasticTsodyksMarkramSynapse", "MultiQuantalSynapse", "ElectricalSynapse",
    "AdditiveWeightDependence", "MultiplicativeWeightDependence",
    "AdditivePotentiationMultiplicativeDepression", "GutigWeightDependence",
    "SpikePairRule", "Vogels2011Rule")}
