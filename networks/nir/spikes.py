"""The input spike file of a NIR run: NPZ or HDF5 with two 1-D datasets of equal length,
`times_ms` (float, >= 0, finite) and `indices` (integer, the flat index of the input neuron).
A file for a graph with several Input nodes holds them in groups (HDF5) or as
`<node>/times_ms`, `<node>/indices` keys (NPZ) named after the Input nodes."""

from pathlib import Path

import numpy as np

from .reader import NIRError, reason

HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"


def read_spikes(path) -> dict | tuple:
    """(times_ms, indices) from `path`, or {input node: (times_ms, indices)} when the file
    groups them by node; every mistake is a one-sentence `NIRError`."""
    path = Path(path)
    if not path.is_file():
        raise NIRError(f"input spike file {path} does not exist; give an .npz or HDF5 file "
                       f"with times_ms and indices")
    try:
        with open(path, "rb") as f:
            head = f.read(8)
        if head == HDF5_SIGNATURE:
            arrays = _read_hdf5(path)
        elif head.startswith(b"PK"):
            arrays = _read_npz(path)
        else:
            raise ValueError("neither an .npz archive nor an HDF5 file")
    except Exception as err:  # zipfile, zlib, NumPy and h5py raise many kinds for bad bytes
        raise NIRError(f"input spike file {path} cannot be read ({reason(err)}); give an "
                       f".npz or HDF5 file with times_ms and indices") from None
    groups: dict[str, dict] = {}
    for key, value in arrays.items():
        node, _, name = key.rpartition("/")
        groups.setdefault(node, {})[name] = value
    if not groups:
        raise NIRError(f"input spike file {path} holds no datasets; it needs times_ms and "
                       f"indices")
    checked = {node: _check(path, node, group) for node, group in groups.items()}
    if set(checked) == {""}:
        return checked[""]
    if "" in checked:
        raise NIRError(f"input spike file {path} mixes top-level and per-node datasets; use "
                       f"one or the other")
    return checked


def _read_npz(path):
    data = np.load(path, allow_pickle=False)
    if not isinstance(data, np.lib.npyio.NpzFile):
        raise ValueError("a single array, not an .npz archive of named arrays")
    with data:
        return {key: np.asarray(data[key]) for key in data.files}


def _read_hdf5(path):
    import h5py

    arrays = {}
    with h5py.File(path, "r") as f:
        def visit(name, item):
            if isinstance(item, h5py.Dataset):  # a damaged name may come back as bytes
                key = name if isinstance(name, str) else name.decode("utf-8", "replace")
                arrays[key] = np.asarray(item[()])
        f.visititems(visit)
    return arrays


def _check(path, node, group):
    where = f"input spike file {path}" + (f" group {node!r}" if node else "")
    for name in ("times_ms", "indices"):
        if name not in group:
            raise NIRError(f"{where} has no {name!r} dataset; it needs times_ms and indices "
                           f"(found {', '.join(sorted(group)) or 'nothing'})")
    times, indices = group["times_ms"], group["indices"]
    if times.ndim != 1 or indices.ndim != 1 or times.size != indices.size:
        raise NIRError(f"{where} must hold 1-D times_ms and indices of equal length (got "
                       f"shapes {times.shape} and {indices.shape})")
    if not np.issubdtype(times.dtype, np.number) or np.issubdtype(times.dtype, np.complexfloating):
        raise NIRError(f"{where} times_ms must be real numbers (got dtype {times.dtype})")
    if not np.issubdtype(indices.dtype, np.integer):
        raise NIRError(f"{where} indices must be integers (got dtype {indices.dtype})")
    times = times.astype(np.float64)
    if not np.all(np.isfinite(times)) or np.any(times < 0):
        raise NIRError(f"{where} times_ms must be finite and >= 0 (got "
                       f"{times[~(np.isfinite(times) & (times >= 0))][0]!r})")
    return times, indices.astype(np.int64)
