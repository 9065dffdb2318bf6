"""Ending every rank when one fails, so that a cluster job never hangs.

A user error that every rank meets (the same config everywhere) ends each rank with exit
status 2 and one sentence from rank 0, as on one rank. A user error that only some ranks meet
(nodes that see different files, a directory missing on one node) would leave the others
waiting for them in a collective forever: the failing rank waits `AGREE_S` for the others to
report the same, and otherwise prints its sentence, naming itself, and aborts every rank
(MPI_Abort) with status 2. Any other exception aborts at once, with status 1 and its
traceback.
"""

import hashlib
import sys
import time
import traceback
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from ..errors import ConfigError, MappingError
from ..tables import USER_ERRORS

AGREE_S = 3.0   # how long a failing rank waits to learn that every rank failed
EXIT_USER_ERROR = 2


@contextmanager
def all_ranks_end_on_failure(comm, agree_s: float = AGREE_S):
    """Let user errors through when every rank meets one (each reports it itself); abort
    every rank, after this rank's message, on any other failure. Every rank enters this
    together: on several ranks it makes the communicator failures are agreed on."""
    errors = _error_channel(comm)
    try:
        yield
    except (KeyboardInterrupt, SystemExit):
        raise
    except (*USER_ERRORS, MappingError) as err:
        if errors is None or _every_rank_failed(errors, agree_s):
            raise
        _say(f"neurochip: error: rank {comm.rank} of {comm.size}: {err}\n")
        _abort(comm, EXIT_USER_ERROR)
    except Exception as err:
        if errors is None:
            raise
        _say(f"neurochip: rank {comm.rank} of {comm.size} failed: {type(err).__name__}: "
             f"{err}\n{traceback.format_exc()}")
        _abort(comm, 1)
    finally:
        if errors is not None:
            errors.Free()


def _error_channel(comm):
    """A duplicate of MPI's world on which failing ranks find each other, or None alone."""
    if comm.size == 1:
        return None
    from mpi4py import MPI
    return MPI.COMM_WORLD.Dup()


def _every_rank_failed(errors, agree_s: float) -> bool:
    """Whether every rank reaches this within `agree_s` (a rank that did not fail never
    does): a non-blocking barrier on the error channel, polled until the deadline."""
    request = errors.Ibarrier()
    deadline = time.monotonic() + agree_s
    while time.monotonic() < deadline:
        if request.Test():
            return True
        time.sleep(0.01)
    return bool(request.Test())


FORWARD_S = 0.5  # time for mpiexec to forward the sentence before the abort ends its proxies


def _abort(comm, status: int) -> None:
    """Abort every rank, once mpiexec has had time to pass this rank's stderr on."""
    time.sleep(FORWARD_S)
    comm.abort(status)


def _say(text: str) -> None:
    sys.stderr.write(text)
    sys.stderr.flush()


def same_input_on_every_rank(comm, text: str, paths=()) -> None:
    """Refuse, on every rank, a run whose ranks read different configs or input files
    (nodes that see different copies): they would map different networks and wait for each
    other forever."""
    if comm.size == 1:
        return
    digest = hashlib.sha256(text.encode())
    for path in paths:
        digest.update(Path(path).read_bytes())
    digests = comm.allgather(np.frombuffer(digest.digest(), dtype=np.uint8))
    differ = [rank for rank, d in enumerate(digests) if not np.array_equal(d, digests[0])]
    if differ:
        raise ConfigError(f"rank{'s' if len(differ) > 1 else ''} "
                          f"{', '.join(map(str, differ))} of {comm.size} read a config or "
                          f"input file different from rank 0's; give every rank the same "
                          f"files")
