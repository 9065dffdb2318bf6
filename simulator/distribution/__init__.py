"""Running over MPI ranks: who owns which chips, and how ranks talk."""

from .comm import MPIComm, SerialComm, world
from .partition import chip_ranks

__all__ = ["MPIComm", "SerialComm", "chip_ranks", "world"]
