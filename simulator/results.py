"""A run's result: attributes and datasets at HDF5 paths, written and read generically.

The layout (`docs/results.md`) is whatever paths the run put in; one writer stores them all,
one reader loads them all, so a new dataset needs no new I/O code. The HDF5 file is built in
memory and then written to a temporary name beside the target and renamed into place, so a
reader never sees half a file, and a full disk is one clean error of the final write (HDF5
itself, failing to write, crashed the process).
"""

import io
from dataclasses import dataclass, field
from pathlib import Path

import h5py
import numpy as np

from .atomic import write_atomically, write_bytes


@dataclass(eq=False)
class Result:
    """Root attributes, datasets by path ("spikes/exc/times") and attributes of groups."""

    attributes: dict
    datasets: dict = field(default_factory=dict)
    group_attributes: dict = field(default_factory=dict)

    @property
    def populations(self) -> list[str]:
        return sorted({path.split("/")[1] for path in self.datasets
                       if path.startswith("spikes/")})

    def spikes(self, population: str) -> tuple[np.ndarray, np.ndarray]:
        """(times in ticks, neuron indices) of a population, sorted by time then index."""
        return (self.datasets[f"spikes/{population}/times"],
                self.datasets[f"spikes/{population}/ids"])

    def save(self, path: str | Path) -> Path:
        """Write the result to `path` atomically (a `WriteError` if the disk cannot hold it)."""
        image = io.BytesIO()
        self._write(image)
        data = image.getbuffer()
        return write_atomically(path, lambda temporary: write_bytes(temporary, data),
                                size_bytes=data.nbytes)

    def _write(self, target) -> None:
        with h5py.File(target, "w") as f:
            for key, value in self.attributes.items():
                f.attrs[key] = value
            for name, array in self.datasets.items():
                f.create_dataset(name, data=array)
            for name, attributes in self.group_attributes.items():
                group = f.require_group(name)
                for key, value in attributes.items():
                    group.attrs[key] = value


def load_result(path: str | Path) -> Result:
    """Read every attribute and dataset of a result file."""
    datasets, group_attributes = {}, {}
    with h5py.File(path, "r") as f:
        attributes = {key: _plain(value) for key, value in f.attrs.items()}

        def visit(name, item):
            if isinstance(item, h5py.Dataset):
                datasets[name] = _decoded(item[()])
            elif item.attrs:
                group_attributes[name] = {k: _plain(v) for k, v in item.attrs.items()}

        f.visititems(visit)
    return Result(attributes, datasets, group_attributes)


def _decoded(array) -> np.ndarray:
    """Variable-length strings inside compound datasets come back as bytes: make them str.
    (A scalar dataset reads as a plain value: made an array, so every dataset is one.)"""
    array = np.asarray(array)
    if array.dtype.names is None:
        return array
    for name in array.dtype.names:
        if array.dtype[name] == object:
            array[name] = [v.decode() if isinstance(v, bytes) else v for v in array[name]]
    return array


def _plain(value):
    if isinstance(value, bytes):
        return value.decode()
    if isinstance(value, np.generic):
        return value.item()
    return value
