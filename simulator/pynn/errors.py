"""The refusal of a PyNN construct that neurochip cannot honour exactly."""

from ..errors import ConfigError


class Unsupported(ConfigError):
    """A PyNN construct neurochip refuses rather than approximates; the message names the
    construct and what to use instead."""


class UnsupportedName(Unsupported, AttributeError):
    """A PyNN name (cell type, synapse type, electrode) this backend does not provide."""
