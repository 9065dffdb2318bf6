"""The `neurochip` executable: the command line, with Ctrl-C handled from its first import.

NumPy, Numba, h5py and MPI take seconds to import; a Ctrl-C meanwhile ends with one line
and status 130 instead of a traceback through the import machinery.
"""

import signal
import sys


def main(argv: list[str] | None = None) -> int:
    try:
        from .cli import main as command_line
    except KeyboardInterrupt:
        print("neurochip: interrupted", file=sys.stderr)
        return 128 + signal.SIGINT
    return command_line(argv)


if __name__ == "__main__":
    sys.exit(main())
