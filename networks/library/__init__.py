"""Named networks that a config can ask for with `[network] library = "NAME"`."""

from typing import Callable, NamedTuple

from ..network import Network
from .bottleneck import BottleneckParams, build_bottleneck
from .brunel import BrunelParams, build_brunel
from .cuba import CubaParams, build_cuba
from .egru import EgruParams, build_egru
from .microcircuit import MicrocircuitParams, build_microcircuit
from .synfire import SynfireParams, build_synfire


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
    "brunel": LibraryNetwork(BrunelParams, build_brunel,
                             "Brunel (2000) sparse E/I network of LIF neurons, 12,500 at scale 1"),
    "egru": LibraryNetwork(EgruParams, build_egru,
                           "EGRU language model driven by a token stream, one token a tick"),
    "microcircuit": LibraryNetwork(MicrocircuitParams, build_microcircuit,
                                   "Potjans-Diesmann cortical microcircuit, 77,169 neurons at "
                                   "scale 1"),
    "synfire": LibraryNetwork(SynfireParams, build_synfire,
                              "synfire chain of LIF groups carrying a pulse packet"),
}

__all__ = ["LIBRARY", "LibraryNetwork", "BottleneckParams", "BrunelParams", "CubaParams",
           "EgruParams", "MicrocircuitParams", "SynfireParams", "build_bottleneck",
           "build_brunel", "build_cuba", "build_egru", "build_microcircuit", "build_synfire"]
