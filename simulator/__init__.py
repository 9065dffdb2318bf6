"""How it runs: mapping, the SimPy kernel, MPI distribution, results and the command line."""

from .config import Config, load_config, parse_config
from .errors import ConfigError, MappingError
from .mapping import Mapping, map_network
from .options import MappingOptions, RunOptions
from .results import Result, load_result
from .run import simulate
from .version import __version__

__all__ = ["Config", "ConfigError", "Mapping", "MappingError", "MappingOptions", "Result",
           "RunOptions", "__version__", "load_config", "load_result", "map_network",
           "parse_config", "simulate"]
