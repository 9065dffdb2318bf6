"""Named networks that a config can ask for with `[network] library = "NAME"`."""

from typing import Callable, NamedTuple

from ..network import Network
from .bottleneck import BottleneckParams, build_bottleneck
from .cuba import CubaParams, build_cuba
from .egru import EgruParams, build_egru


class LibraryNetwork(NamedTuple):
    """A named network: its parameter dataclass and the function that builds it."""

    params: type
    build: Callable[..., Network]
    summary: str


LIBRARY: dict[str, LibraryNetwork] = {
    "cuba": LibraryNetwork(CubaParams, build_cuba,
                           "Vogels-Abbott current-based network, 4000 LIF neurons"),
    "bottleneck": LibraryNetwork(BottleneckParams, build_bottleneck,
                                 "feed-forward layers over several chips, narrow at each exit"),
    "egru": LibraryNetwork(EgruParams, build_egru,
                           "EGRU language model driven by a token stream, one token a tick"),
}

__all__ = ["LIBRARY", "LibraryNetwork", "BottleneckParams", "CubaParams", "EgruParams",
           "build_bottleneck", "build_cuba", "build_egru"]
