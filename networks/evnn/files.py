"""The .npz files an EvNN run reads (checkpoint and input), each mistake one sentence."""

import zipfile
from pathlib import Path

import numpy as np

from .errors import EvnnError


def load_arrays(path, what: str, give: str, archive: str = "an .npz archive") -> dict:
    """The named arrays of the .npz file at `path`; `what` names the file in messages,
    `give` says what to give instead of a missing file, `archive` what it must be."""
    path = Path(path)
    if not path.is_file():
        raise EvnnError(f"{what} {path} does not exist; give {give}")
    try:
        with np.load(path, allow_pickle=False) as data:
            return {key: np.asarray(data[key]) for key in data.files}
    except (OSError, ValueError, EOFError, zipfile.BadZipFile, KeyError, AttributeError) as err:
        raise EvnnError(f"{what} {path} cannot be read as {archive} "
                        f"({type(err).__name__}); save it with numpy.savez") from None
