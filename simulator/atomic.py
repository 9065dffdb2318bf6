"""Write a file atomically: to a temporary name beside it, then renamed, so that a reader
never sees half a file and a failure leaves what was there before.

`check_target` refuses, before any work, a path that cannot be written this way; a write
that fails all the same (a full disk, a signal) removes its temporary file and raises a
`WriteError` sentence.
"""

import os
import shutil
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

from .errors import ConfigError

NAME_MAX = 255           # bytes in a file name on Linux, macOS and Windows file systems
TEMPORARY_EXTRA = 14     # ".NAME." + 8 random characters + ".tmp"


class WriteError(ConfigError):
    """A file that cannot be written where it was asked for; the message says why and what
    to do instead."""


def check_target(path: str | Path, option: str, inputs: Iterable[str | Path] = ()) -> Path:
    """Refuse `path` (given as `option`) unless a file can be written there atomically: a
    sensible name, in an existing directory this process can write to, not a directory,
    not one of the `inputs` of the run (which writing would overwrite)."""
    text = os.fspath(path)
    path = Path(text)
    name = path.name
    if not text.strip() or name in ("", ".", "..") or text.endswith(os.sep):
        raise WriteError(f"{option} {text!r} names no file; give a file name such as "
                         f"result.h5")
    if len(os.fsencode(name)) + TEMPORARY_EXTRA > NAME_MAX:
        raise WriteError(f"{option} file name is {len(os.fsencode(name))} bytes long; give a "
                         f"name of at most {NAME_MAX - TEMPORARY_EXTRA} bytes")
    if path.is_dir():
        raise WriteError(f"{option} {path} is a directory; give the path of a file in it, "
                         f"such as {path / 'result.h5'}")
    directory = path.parent
    if not directory.is_dir():
        raise WriteError(f"{option} {path}: directory {directory} does not exist; create it "
                         f"or choose another path")
    for source in inputs:
        if _same_file(path, Path(source)):
            raise WriteError(f"{option} {path} is an input of this run ({source}); writing "
                             f"the result there would overwrite it, so choose another path")
    try:
        handle, probe = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=directory)
    except OSError as err:
        raise WriteError(f"{option} {path}: directory {directory} cannot be written to "
                         f"({err.strerror}); choose a directory you can write to") from None
    os.close(handle)
    os.unlink(probe)
    return path


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return a.resolve() == b.resolve()


def write_atomically(path: str | Path, write: Callable[[str], None],
                     size_bytes: int | None = None) -> Path:
    """Call `write(temporary_path)`, then rename the temporary file to `path` with the
    permissions the process's umask gives (mkstemp's 0600 would hide it from others); on any
    failure, signals included, the temporary file is removed and `path` is left as it was.
    With `size_bytes`, a disk without that much room is refused before anything is
    written."""
    path = Path(path)
    directory = path.parent if str(path.parent) else Path(".")
    if size_bytes is not None:
        free = _free_bytes(directory)
        if free is not None and size_bytes > free:
            raise WriteError(f"cannot write {path}: it needs {_size(size_bytes)} but the disk "
                             f"of {directory} has {_size(free)} free; free some space there "
                             f"or choose another path")
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp",
                                             dir=directory)
    except OSError as err:
        raise WriteError(f"cannot write {path} ({err.strerror}); choose a path in a "
                         f"directory you can write to") from None
    os.close(handle)
    try:
        write(temporary)
        mask = os.umask(0)
        os.umask(mask)
        os.chmod(temporary, 0o666 & ~mask)
        os.replace(temporary, path)
    except OSError as err:
        Path(temporary).unlink(missing_ok=True)
        raise WriteError(f"cannot write {path} ({err.strerror or err}); nothing was written: "
                         f"free some space there or choose another path") from None
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def write_bytes(path: str, data) -> None:
    """Write `data` (bytes or a buffer) to `path`, every byte reaching the disk."""
    with open(path, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())


def _free_bytes(directory: Path) -> int | None:
    try:
        return shutil.disk_usage(directory).free
    except OSError:
        return None


def _size(n: int) -> str:
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if n >= scale:
            return f"{n / scale:.1f} {unit}"
    return f"{n} bytes"
