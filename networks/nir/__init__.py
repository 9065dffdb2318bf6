"""NIR (Neuromorphic Intermediate Representation) in and out: `read_nir` turns a graph into a
`Network`, `write_nir` a network of NIR models back into a graph; `read_spikes` reads the
input spike file of a NIR run."""

from .reader import NIRError, load_graph, population_names, read_nir
from .source import NIRSource
from .spikes import read_spikes
from .writer import write_nir

__all__ = ["NIRError", "NIRSource", "load_graph", "population_names", "read_nir",
           "read_spikes", "write_nir"]
