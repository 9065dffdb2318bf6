"""Write report files atomically: each goes to a temporary name beside it, then is renamed."""

import csv
import io
import os
import tempfile
from collections.abc import Callable
from pathlib import Path


def write_atomically(path: Path, write: Callable[[str], None]) -> Path:
    """Call `write(temporary_path)`, then rename the temporary file to `path`; on any
    failure the temporary file is removed and `path` is left as it was."""
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp",
                                         dir=path.parent)
    os.close(handle)
    try:
        write(temporary)
        mask = os.umask(0)
        os.umask(mask)
        os.chmod(temporary, 0o666 & ~mask)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def csv_text(rows: list[dict]) -> str:
    """Rows as CSV with a header of the union of their keys, in first-seen order."""
    columns = list(dict.fromkeys(key for row in rows for key in row))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: ("" if v is None else repr(v) if isinstance(v, float) else v)
                         for k, v in row.items()})
    return out.getvalue()


def write_csv_tables(tables: dict[str, list[dict]], directory: Path) -> list[Path]:
    """One `<name>.csv` per non-empty table in `directory` (created if missing)."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, rows in tables.items():
        if not rows:
            continue
        text = csv_text(rows)
        written.append(write_atomically(directory / f"{name}.csv",
                                        lambda tmp, text=text: Path(tmp).write_text(text)))
    return written
