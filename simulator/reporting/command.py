"""`neurochip report RESULT.h5`: the summary as text or JSON, CSV tables and PNG plots."""

import argparse
import importlib.util
import json
import os
import sys
from pathlib import Path

from ..errors import ConfigError
from .files import write_csv_tables
from .load import read_result
from .summary import summarise
from .tables import all_tables
from .text import render

INSTALL_PLOTS = 'pip install -e ".[plots]"'


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("result", help="HDF5 result file written by `neurochip run`")
    parser.add_argument("--json", action="store_true",
                        help="print the figures as JSON (stable keys) instead of text")
    parser.add_argument("--csv", metavar="DIR", help="write one CSV file per table into DIR")
    parser.add_argument("--plots", metavar="DIR", help="write PNG plots into DIR (matplotlib)")
    parser.add_argument("--top", metavar="N", type=int, default=10,
                        help="how many of the busiest links, routers and cores to list "
                             "(default 10)")


def plotting_available() -> bool:
    """Whether matplotlib, the optional `plots` extra, is installed."""
    return importlib.util.find_spec("matplotlib") is not None


def report_command(args, comm) -> int:
    """Check every argument and the file first, so that a mistake writes nothing."""
    if comm.rank != 0:
        return 0
    if args.top < 1:
        raise ConfigError(f"--top must be >= 1 (got {args.top})")
    if args.plots and not plotting_available():
        raise ConfigError(f"--plots needs matplotlib, which is not installed; install it "
                          f"with `{INSTALL_PLOTS}`")
    for option, directory in (("--csv", args.csv), ("--plots", args.plots)):
        if directory and Path(directory).exists() and not Path(directory).is_dir():
            raise ConfigError(f"{option} {directory} is a file, not a directory; give a "
                              f"directory to write into")
    result = read_result(args.result)
    summary = summarise(result, args.top)
    make_directories({"--csv": args.csv, "--plots": args.plots})
    notes = []
    if args.csv:
        for path in write_csv_tables(all_tables(result), Path(args.csv)):
            notes.append(f"wrote {path}")
    if args.plots:
        from .plots import write_plots
        written, skipped = write_plots(result, Path(args.plots), args.top)
        notes += [f"wrote {path}" for path in written] + skipped
    if args.json:
        print(json.dumps(summary, indent=2))
        if notes:
            print("\n".join(notes), file=sys.stderr)
    elif notes or args.csv or args.plots:  # writing files: say what was written, no report
        print("\n".join(notes))
    else:
        print(render(summary, args.result))
    return 0


def make_directories(options: dict[str, str | None]) -> None:
    """Create the output directories, or none of them: on failure those made are removed."""
    made = []
    try:
        for option, directory in options.items():
            if not directory:
                continue
            path = Path(directory)
            top = next((p for p in reversed((path, *path.parents)) if not p.exists()), None)
            try:
                path.mkdir(parents=True, exist_ok=True)
            except OSError as err:
                raise ConfigError(f"{option} {directory} cannot be created ({err.strerror}); "
                                  f"give a directory you can write to") from None
            if top is not None:
                made.append(top)
    except ConfigError:
        for top in reversed(made):
            for folder, _, _ in sorted(os.walk(top), key=lambda w: -len(w[0])):
                os.rmdir(folder)
        raise
