"""Running over MPI ranks: who owns which chips, and how ranks talk."""

from .comm import MPIComm, SerialComm, world
from .guard import all_ranks_end_on_failure
from .partition import chip_ranks, cut_links

__all__ = ["MPIComm", "SerialComm", "all_ranks_end_on_failure", "chip_ranks", "cut_links",
           "world"]
