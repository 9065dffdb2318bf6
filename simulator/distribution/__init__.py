"""Running over MPI ranks: who does which work, and how ranks talk and keep in step."""

from .comm import MPIComm, SerialComm, world
from .guard import all_ranks_end_on_failure
from .partition import Partition, cut_links, lookahead_ps, partition_work, slice_costs
from .sync import WindowSync

__all__ = ["MPIComm", "Partition", "SerialComm", "WindowSync", "all_ranks_end_on_failure",
           "cut_links", "lookahead_ps", "partition_work", "slice_costs", "world"]
