"""What the network runs on: descriptions of cores, routers, links, chips and machines."""

from .chip import Chip
from .core import DVFS_POLICIES, Core
from .costs import NeuronCycles
from .energy import Energy
from .errors import MachineError
from .faults import DeadChip, DeadCore, DeadLink, Faults
from .link import Link
from .machine import Machine
from .presets import PRESETS, preset, spinnaker1, spinnaker2
from .router import Router
from .topology import DIRECTION_NAMES, DIRECTIONS, Topology, opposite

__all__ = ["Chip", "Core", "DVFS_POLICIES", "DeadChip", "DeadCore", "DeadLink", "Energy",
           "Faults", "Link", "Machine", "MachineError", "NeuronCycles", "PRESETS", "Router",
           "Topology", "DIRECTIONS", "DIRECTION_NAMES", "opposite", "preset", "spinnaker1",
           "spinnaker2"]
