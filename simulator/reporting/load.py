"""Open a result file for a report, refusing anything that is not a whole neurochip result."""

import os
import signal
import time
from pathlib import Path

import h5py
import numpy as np

from ..errors import ConfigError
from ..options import FIDELITIES
from ..results import Result, load_result
from .tables import CORE_COUNTERS, LINK_TIMING, ROUTER_TIMING, timed

READ_SECONDS = 20         # a damaged file's read that takes longer than this (plus the next)
READ_BYTES_PER_S = 20e6   # ... and one second per 20 MB of file never ends
LARGEST = 2.0**53         # counts and times beyond this are no run's: the file is damaged
REQUIRED_ATTRIBUTES = ("neurochip_version", "timestep_ns", "duration_ticks", "fidelity")
FIELDS = {"traffic/links": ("source_x", "source_y", "direction", "target_x", "target_y"),
          "traffic/chips": ("x", "y"),
          "mapping/placements": ("population", "slice_start", "slice_stop", "chip_x", "chip_y",
                                 "core")}
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
    _check_kind(path)
    _read_in_a_child(path)
    try:
        result = load_result(path)
    except (OSError, KeyError, ValueError, RuntimeError, TypeError, AttributeError,
            IndexError) as err:
        reason = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise ConfigError(f"result file {path} is damaged or truncated ({reason}); run "
                          f"`neurochip run` again to write it anew") from None
    _check_layout(result, path)
    return result


def _read_in_a_child(path: Path) -> None:
    """Read the whole file once in a forked child first: on some damaged files libhdf5
    itself loops or crashes, which no code around it can catch (a changed byte in the heap
    of a string attribute made it loop). A child that does not finish within a time the
    file's size allows, or that dies, means the file is damaged."""
    if not hasattr(os, "fork"):
        return
    seconds = READ_SECONDS + path.stat().st_size / READ_BYTES_PER_S
    pid = os.fork()
    if pid == 0:  # the child: read, and leave without running any exit handler
        status = 0
        try:
            load_result(path)
        except BaseException:
            status = 1    # an error the reader reports itself, once the parent reads
        os._exit(status)
    deadline = time.monotonic() + seconds
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            raise ConfigError(f"result file {path} is damaged: reading it did not finish in "
                              f"{seconds:.0f} s (libhdf5 loops on it); run `neurochip run` "
                              f"again to write it anew")
        time.sleep(0.02)
    if os.WIFSIGNALED(status):
        raise ConfigError(f"result file {path} is damaged: reading it crashed libhdf5 "
                          f"({signal.Signals(os.WTERMSIG(status)).name}); run `neurochip run` "
                          f"again to write it anew")


def _check_kind(path: Path) -> None:
    """Refuse, before reading any dataset, an HDF5 file that is no neurochip result (a NIR
    graph, another program's data), naming what it lacks."""
    try:
        with h5py.File(path, "r") as f:
            if "neurochip_version" in f.attrs:
                return
            nir = isinstance(f.get("node"), h5py.Group) and "version" in f
    except (OSError, KeyError, ValueError, RuntimeError, TypeError) as err:
        reason = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise ConfigError(f"result file {path} is damaged or truncated ({reason}); run "
                          f"`neurochip run` again to write it anew") from None
    if nir:
        raise ConfigError(f"{path} is a NIR graph, not a neurochip result; name it in a "
                          f"config (`[network] nir = \"{path.name}\"`), run that and report "
                          f"the file `neurochip run` writes")
    raise ConfigError(f"{path} is not a neurochip result file (no attribute "
                      f"neurochip_version); give the file that `neurochip run CONFIG --out "
                      f"{path.name}` wrote")


def _check_layout(result: Result, path: Path) -> None:
    """Refuse HDF5 files that neurochip did not write, or whose tables disagree or hold
    values no run can produce (a damaged file can read back without an HDF5 error)."""
    if not all(isinstance(name, str) for name in (*result.datasets, *result.attributes)):
        raise ConfigError(f"result file {path} is damaged: a dataset or attribute name is not "
                          f"text; run `neurochip run` again to write it anew")
    missing = [f"attribute {a}" for a in REQUIRED_ATTRIBUTES if a not in result.attributes]
    missing += [f"dataset /{d}" for d in REQUIRED_DATASETS if d not in result.datasets]
    if missing:
        raise ConfigError(f"{path} is not a neurochip result file (no {missing[0]}); give "
                          f"the file that `neurochip run CONFIG --out {path.name}` wrote")
    problem = _inconsistency(result)
    if problem:
        raise ConfigError(f"result file {path} is damaged: {problem}; run `neurochip run` "
                          f"again to write it anew")


def _inconsistency(result: Result) -> str | None:
    """What in the file contradicts the layout of docs/results.md, or None."""
    d, a = result.datasets, result.attributes
    names = [*d, *a, *result.group_attributes,
             *(k for attrs in result.group_attributes.values() for k in attrs)]
    if not all(isinstance(name, str) and _utf8(name) for name in names):
        return "a dataset or attribute name is not valid UTF-8 text"
    windows, links = len(d["traffic/window_ticks"]), len(d["traffic/links"])
    chips, slices = len(d["traffic/chips"]), len(d["mapping/placements"])
    if not (0 < _number(a["timestep_ns"]) < LARGEST and 0 <= _number(a["duration_ticks"])
            < LARGEST):
        return "timestep_ns or duration_ticks is out of range"
    for key in ("network", "machine", "fidelity"):
        if not isinstance(a.get(key, ""), str):
            return f"attribute {key} is not text"
    texts = [v for v in a.values() if isinstance(v, str)]
    texts += [v for attrs in result.group_attributes.values() for v in attrs.values()
              if isinstance(v, str)]
    if not all(_utf8(t) for t in texts + result.populations):
        return "a name or attribute is not valid UTF-8 text"
    if a["fidelity"] not in FIDELITIES:
        return f"fidelity {a['fidelity']!r} is none of {', '.join(FIDELITIES)}"
    problem = _bad_places(d, chips)
    if problem:
        return problem
    if timed(result):
        wanted = [f"traffic/{n}" for n in (*LINK_TIMING, *ROUTER_TIMING)] + \
            [f"cores/{n}" for n in CORE_COUNTERS]
        missing = [name for name in wanted if name not in d]
        if missing:
            return f"a timed run's /{missing[0]} is missing"
    # one column per slice's core, then per helper core (cores/role)
    cores = len(d["cores/role"]) if "cores/role" in d else slices
    expected = {"traffic/window_ticks": (windows, 2), "mapping/router_entries": (chips,),
                "traffic/population_link_packets": (
                    windows, len(set(d["mapping/placements"]["population"].tolist())), links)}
    for name in d:
        group, _, leaf = name.rpartition("/")
        if group == "traffic" and leaf.startswith("link_") and leaf != "link_latency_histogram":
            expected[name] = (windows, links)
        elif group == "traffic" and leaf.startswith("router_"):
            expected[name] = (windows, chips)
        elif group == "cores":
            expected[name] = ((np.shape(d[name])[0], windows, cores)
                              if leaf.startswith("level_") else
                              (cores,) if leaf in ("role", "slice") else (windows, cores))
        elif group == "energy":
            expected[name] = (windows, cores) if leaf.startswith("core_") else (windows, chips)
    if "traffic/latency_histogram" in d:
        bins = len(d["traffic/latency_histogram"])
        expected["traffic/latency_bin_edges_ns"] = (bins + 1,)
        if "traffic/link_latency_histogram" in d:
            expected["traffic/link_latency_histogram"] = (links, bins)
    for name, shape in expected.items():
        if name in d and np.shape(d[name]) != shape:
            return f"/{name} has shape {np.shape(d[name])}, not {shape}"
    for name, array in d.items():
        group = name.split("/")[0]
        if group in ("traffic", "cores", "profile", "mapping", "spikes", "energy") and \
                isinstance(array, np.ndarray) and array.dtype.names is None and \
                array.dtype.kind in "iuf":
            # Wall-clock differences of the profile may come out slightly negative.
            low = -LARGEST if group == "profile" else 0
            if not np.all(np.isfinite(array)) or np.any(array < low) or \
                    np.any(array >= LARGEST):
                return f"/{name} holds negative, non-finite or impossibly large values"
            if array.dtype.kind in "iu" and array.size and \
                    np.sum(array, dtype=np.float64) >= LARGEST:
                return f"/{name} holds counts too large to add up"
    if "cores/cycles" in d and not _number(result.group_attributes.get("cores", {}).get(
            "budget_cycles_per_tick", 0)) > 0:
        return "/cores has no positive budget_cycles_per_tick"
    for pop in result.populations:
        if f"spikes/{pop}/times" not in d or f"spikes/{pop}/ids" not in d:
            return f"/spikes/{pop} lacks its times or ids"
        times, ids = result.spikes(pop)
        size = _number(result.group_attributes.get(f"spikes/{pop}", {}).get("size", 0))
        if not 0 <= size < 2**31:
            return f"/spikes/{pop} has no valid size"
        if len(times) != len(ids) or np.any(times >= a["duration_ticks"]) or \
                np.any(ids >= size):
            return f"/spikes/{pop} holds spikes outside the run or the population"
    return None


def _bad_places(d: dict, n_chips: int) -> str | None:
    """Links, chips and placements must name chips of the grid and directions 0-5."""
    for name, fields in FIELDS.items():
        if not set(fields) <= set(getattr(d[name].dtype, "names", None) or ()):
            return f"/{name} lacks a field of {', '.join(fields)}"
    chips = d["traffic/chips"]
    try:
        xy = {(int(x), int(y)) for x, y in zip(chips["x"], chips["y"])}
        links, placed = d["traffic/links"], d["mapping/placements"]
        ends = [(links["source_x"], links["source_y"]), (links["target_x"], links["target_y"]),
                (placed["chip_x"], placed["chip_y"])]
        direction, core = links["direction"], placed["core"]
    except (KeyError, ValueError, TypeError):
        return "/traffic/links, /traffic/chips or /mapping/placements lacks a field"
    if len(xy) != n_chips or any(not (0 <= x < 2**16 and 0 <= y < 2**16) for x, y in xy):
        return "/traffic/chips holds repeated or impossible coordinates"
    for xs, ys in ends:
        if any((int(x), int(y)) not in xy for x, y in zip(xs, ys)):
            return "a link or a slice names a chip that is not in /traffic/chips"
    if np.any((direction < 0) | (direction > 5)) or np.any((core < 0) | (core >= 2**16)):
        return "a link direction is not 0-5, or a core number is impossible"
    return None


def _utf8(text: str) -> bool:
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return True


def _number(value) -> float:
    """`value` as a number, or -1 when it is not one (so range checks fail)."""
    try:
        return float(value)
    except (TypeError, ValueError):
        return -1.0
