"""The `neurochip` command line."""

import argparse
import sys
import warnings
from pathlib import Path

import numpy as np

from .config import load_config
from .distribution import all_ranks_end_on_failure, world
from .interrupt import StopRequest
from .progress import wanted
from .reporting.command import add_arguments as report_arguments, report_command
from .errors import ConfigError, MappingError
from .run import simulate
from .tables import USER_ERRORS
from .validate import map_command
from .version import __version__

EXIT_USER_ERROR = 2


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="neurochip", description="Simulate SpiNNaker-2-like neuromorphic machines.")
    parser.add_argument("--version", action="version", version=f"neurochip {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="map and simulate a network from a TOML config")
    run.add_argument("config", help="TOML config file, e.g. examples/cuba.toml")
    run.add_argument("--out", required=True, help="HDF5 result file to write")
    run.add_argument("--quiet", action="store_true", help="print nothing on success")
    check = commands.add_parser("map", help="map a network from a TOML config and check that "
                                "it fits, without simulating (exit 1 if it does not)")
    check.add_argument("config", help="TOML config file, e.g. examples/cuba.toml")
    for command in (run, check):
        command.add_argument("--set", action="append", default=[], metavar="SECTION.KEY=VALUE",
                             dest="overrides", help="override a config value, written as in "
                             "TOML (e.g. --set run.duration_ms=200); may be repeated")
    check.add_argument("--json", action="store_true", help="print the report as JSON")
    report_arguments(commands.add_parser(
        "report", help="summarise a result file: tables, JSON, CSV and PNG plots"))
    args = parser.parse_args(argv)
    comm = world()
    try:
        with all_ranks_end_on_failure(comm), warnings.catch_warnings():
            warnings.showwarning = _warning_line(comm.rank)
            return COMMANDS[args.command](args, comm)
    except BrokenPipeError:  # the reader went away (`neurochip map ... | head`): not an error
        sys.stdout = None
        return 0
    except (*USER_ERRORS, MappingError) as err:
        if comm.rank == 0:
            print(f"neurochip: error: {err}", file=sys.stderr)
        return EXIT_USER_ERROR


def _warning_line(rank: int):
    """Show a warning as one line on rank 0 (every rank meets the same ones)."""
    def show(message, category, filename, lineno, file=None, line=None):
        if rank == 0:
            print(f"neurochip: warning: {message}", file=file or sys.stderr)
    return show


def run_command(args, comm) -> int:
    out = Path(args.out)
    if not out.parent.is_dir() and str(out.parent):
        raise ConfigError(f"--out {out}: directory {out.parent} does not exist; create it or "
                          f"choose another path")
    config = load_config(args.config, args.overrides)
    network = config.build_network()
    with StopRequest().listening() as stop:
        result = simulate(network, config.machine, config.run, config.mapping, config.text,
                          comm, progress=wanted(comm.rank, args.quiet), stop=stop)
    status = 128 + stop.signal if stop.requested else 0
    if result is None:
        return status
    if result.attributes["interrupted"]:
        if result.attributes["duration_ticks"] == 0:
            print("neurochip: interrupted before the first traffic window ended; nothing "
                  "written", file=sys.stderr)
            return status
        result.save(out)
        print(f"neurochip: interrupted; wrote {out} with the first "
              f"{result.attributes['duration_ticks']} ticks (the traffic windows finished)",
              file=sys.stderr)
        return status
    result.save(out)
    if not args.quiet:
        print(summary(result, out))
    return 0


def summary(result, out: Path) -> str:
    """A few lines on what the run did: rates per population and inter-chip traffic."""
    a = result.attributes
    seconds = a["duration_ticks"] * a["timestep_ns"] * 1e-9
    lines = [f"wrote {out}: {a['network']} on {a['machine']}, {seconds:g} s of model time "
             f"in {a['run_wall_s']:.2f} s (build {a['build_wall_s']:.2f} s)"]
    for pop in result.populations:
        times, _ = result.spikes(pop)
        size = result.group_attributes[f"spikes/{pop}"]["size"]
        lines.append(f"  {pop}: {len(times)} spikes, {len(times) / size / seconds:.2f} Hz "
                     f"per neuron")
    d = result.datasets
    packets = d["traffic/link_packets"].sum()
    lines.append(f"  inter-chip links: {packets} packets on "
                 f"{int((d['traffic/link_packets'].sum(axis=0) > 0).sum())} of "
                 f"{d['traffic/links'].shape[0]} links")
    if "traffic/link_busy_fraction" in d:
        busiest = d["traffic/link_busy_fraction"].max(initial=0.0)  # a lone chip has no links
        lines.append(f"  busiest link {busiest:.2%} busy, "
                     f"longest queue {d['traffic/link_max_queue'].max(initial=0)} packets; "
                     f"{d['traffic/router_emergency_routed'].sum()} emergency-routed, "
                     f"{d['traffic/router_dropped'].sum()} dropped")
        budget = result.group_attributes["cores"]["budget_cycles_per_tick"]
        ticks = a["duration_ticks"]
        load = d["cores/cycles"].sum(axis=0) / (budget * ticks)
        lines.append(f"  cores: mean load {load.mean():.1%} of budget, busiest {load.max():.1%};"
                     f" {d['cores/overruns'].sum()} overruns, "
                     f"{d['cores/late_packets'].sum()} late packets")
    if "energy_j" in a:
        line = f"  energy: {a['energy_j']:.4g} J, mean power {a['mean_power_w']:.4g} W"
        if "energy_per_inference_j" in a:
            line += f", {a['energy_per_inference_j']:.4g} J per inference"
        lines.append(line)
    return "\n".join(lines)


COMMANDS = {"run": run_command, "map": map_command, "report": report_command}


if __name__ == "__main__":
    sys.exit(main())
