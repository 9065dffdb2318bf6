"""Open a result file for a report, refusing anything that is not a whole neurochip result."""

from pathlib import Path

import h5py
import numpy as np

from ..errors import ConfigError
from ..results import Result, load_result

REQUIRED_ATTRIBUTES = ("neurochip_version", "timestep_ns", "duration_ticks", "fidelity")
REQUIRED_DATASETS = ("traffic/links", "traffic/chips", "traffic/window_ticks",
                     "traffic/link_packets", "traffic/link_bits", "traffic/router_packets",
                     "mapping/placements", "mapping/router_entries")


def read_result(path: str | Path) -> Result:
    """The result at `path`, or a `ConfigError` saying in one sentence what is wrong with it."""
    path = Path(path)
    if not path.exists():
        raise ConfigError(f"result file {path} does not exist; give the file that "
                          f"`neurochip run CONFIG --out {path.name}` wrote")
    if not path.is_file():
        raise ConfigError(f"result file {path} is not a file; give an HDF5 result file")
    try:
        hdf5 = h5py.is_hdf5(path)
    except OSError as err:
        raise ConfigError(f"result file {path} cannot be read ({err}); check its "
                          f"permissions") from None
    if not hdf5:
        raise ConfigError(f"result file {path} is not an HDF5 file; give the file that "
                          f"`neurochip run` wrote")
    try:
        result = load_result(path)
    except (OSError, KeyError, ValueError, RuntimeError, TypeError) as err:
        reason = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise ConfigError(f"result file {path} is damaged or truncated ({reason}); run "
                          f"`neurochip run` again to write it anew") from None
    _check_layout(result, path)
    return result


def _check_layout(result: Result, path: Path) -> None:
    """Refuse HDF5 files that neurochip did not write, or whose tables disagree."""
    missing = [f"attribute {a}" for a in REQUIRED_ATTRIBUTES if a not in result.attributes]
    missing += [f"dataset /{d}" for d in REQUIRED_DATASETS if d not in result.datasets]
    if missing:
        raise ConfigError(f"{path} is not a neurochip result file (no {missing[0]}); give "
                          f"the file that `neurochip run CONFIG --out {path.name}` wrote")
    d = result.datasets
    windows, links = len(d["traffic/window_ticks"]), len(d["traffic/links"])
    chips = len(d["traffic/chips"])
    shapes = {"traffic/link_packets": (windows, links), "traffic/link_bits": (windows, links),
              "traffic/router_packets": (windows, chips), "mapping/router_entries": (chips,)}
    for name, shape in shapes.items():
        if np.shape(d[name]) != shape:
            raise ConfigError(f"result file {path} is inconsistent: /{name} has shape "
                              f"{np.shape(d[name])}, not {shape}; run `neurochip run` again")
