"""`neurochip map CONFIG [--json]`: map a network and say whether it fits, without
simulating. Exit 0 when everything fits, 1 when something does not (each reason listed);
bad input is the CLI's exit 2."""

import json

from .config import load_config
from .errors import MappingError
from .mapping import map_network
from .mapping.report import mapping_report, report_dict, report_text, slice_lines

EXIT_DOES_NOT_FIT = 1


def map_command(args, comm) -> int:
    config = load_config(args.config, args.overrides)
    network = config.build_network()
    try:
        mapping = map_network(network, config.machine, config.mapping, config.run.seed, comm)
    except MappingError as err:
        if comm.rank == 0:
            try:
                sizes = slice_lines(network, config.machine, config.mapping)
            except MappingError:  # the slices themselves do not fit
                sizes = []
            print(json.dumps({"fits": False, "reasons": [str(err)],
                              "slices": [line.strip() for line in sizes]}, indent=1)
                  if args.json else "\n".join([f"does not fit:\n  - {err}"]
                                              + (["slices:"] + sizes if sizes else [])))
        return EXIT_DOES_NOT_FIT
    report = mapping_report(network, mapping, config.run.timestep_ms)
    if comm.rank == 0:
        print(json.dumps(report_dict(report, mapping, network)) if args.json
              else report_text(report, mapping, network))
    return 0 if report.fits else EXIT_DOES_NOT_FIT
