"""The error an EvNN checkpoint or its input raises: a file no network can be read from."""

from ..errors import NetworkError


class EvnnError(NetworkError):
    """An EvNN checkpoint or input file that cannot be used; the message names the array."""
