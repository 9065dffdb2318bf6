"""Write report files atomically: each goes to a temporary name beside it, then is renamed."""

import csv
import io
from pathlib import Path

from ..atomic import write_atomically


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
