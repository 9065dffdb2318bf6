"""Mapping: partition a network into slices, place them, give them keys, route their packets."""

from .connectivity import Edges, find_edges, slice_synapses
from .keys import Keys, allocate_keys
from .mapping import Mapping, map_network
from .placement import PLACERS, Placement
from .routing import Routes, route
from .slices import Slices, partition
from .tables import RoutingTables, build_tables

__all__ = ["Edges", "Keys", "Mapping", "PLACERS", "Placement", "Routes", "RoutingTables",
           "Slices", "allocate_keys", "build_tables", "find_edges", "map_network", "partition",
           "route", "slice_synapses"]
