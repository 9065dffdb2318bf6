"""How it runs: mapping, the SimPy kernel, MPI distribution, results and the command line.

The names below load on first use, so that `neurochip` starts its command line (and its
Ctrl-C handling) before NumPy, Numba, h5py and MPI are imported.
"""

import importlib

EXPORTS = {"Config": "config", "load_config": "config", "parse_config": "config",
           "ConfigError": "errors", "MappingError": "errors", "Mapping": "mapping",
           "map_network": "mapping", "MappingOptions": "options", "RunOptions": "options",
           "Result": "results", "load_result": "results", "simulate": "run",
           "__version__": "version"}

__all__ = sorted(EXPORTS)


def __getattr__(name: str):
    if name not in EXPORTS:
        raise AttributeError(f"module 'simulator' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{EXPORTS[name]}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(EXPORTS))
