"""Ending every rank when one fails, so that a cluster job never hangs."""

import sys
import traceback
from contextlib import contextmanager

from ..errors import MappingError
from ..tables import USER_ERRORS


@contextmanager
def all_ranks_end_on_failure(comm):
    """Let user errors through (every rank meets the same one, and reports it itself); on
    any other exception print this rank's message and abort every rank (MPI_Abort), since
    the others may be waiting for it in a collective."""
    try:
        yield
    except (*USER_ERRORS, MappingError, KeyboardInterrupt, SystemExit):
        raise
    except Exception as err:
        if comm.size == 1:
            raise
        sys.stderr.write(f"neurochip: rank {comm.rank} of {comm.size} failed: "
                         f"{type(err).__name__}: {err}\n{traceback.format_exc()}")
        sys.stderr.flush()
        comm.abort(1)
