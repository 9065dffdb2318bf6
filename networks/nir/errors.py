"""The error of a NIR graph or file that cannot be simulated."""

from ..errors import NetworkError


class NIRError(NetworkError):
    """A NIR graph or file that cannot be simulated; the message names the node and why."""
