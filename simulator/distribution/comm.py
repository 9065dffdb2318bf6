"""Communication between MPI ranks, on NumPy arrays with mpi4py's buffer methods.

`SerialComm` is the one-rank case with the same methods, so the kernel has one code path.
`world()` gives an `MPIComm` only when launched by `mpiexec` with more than one rank.
"""

import os
import sys
import time

import numpy as np

EXCHANGE_TAG = 21  # the spike messages of a functional exchange (MPI keeps their order)
# Set by mpiexec/srun of MPICH, Open MPI and PMIx-based launchers for every rank they start.
_LAUNCHER_VARIABLES = ("PMI_RANK", "PMI_SIZE", "OMPI_COMM_WORLD_SIZE", "PMIX_RANK")


class CommStats:
    """What a rank spent on exchanges: seconds waiting for the others (in the first,
    synchronising step of each exchange), seconds moving data, rounds, bytes sent."""

    def __init__(self) -> None:
        self.waiting_s = 0.0
        self.transfer_s = 0.0
        self.rounds = 0
        self.bytes_sent = 0

    def snapshot(self) -> tuple:
        return self.waiting_s, self.transfer_s, self.rounds, self.bytes_sent


class SerialComm:
    """A world of one rank."""

    rank = 0
    size = 1

    def __init__(self) -> None:
        self.stats = CommStats()

    def allgather(self, array: np.ndarray) -> list[np.ndarray]:
        """Every rank's array, in rank order."""
        return [array]

    def alltoallv(self, outgoing: list[np.ndarray]) -> list[np.ndarray]:
        """Send `outgoing[r]` to rank r; return what each rank sent here, in rank order."""
        return [outgoing[0]]

    def alltoallv_min(self, outgoing: list[np.ndarray], value: int) -> tuple[list, int]:
        """`alltoallv` of int64 arrays, and the smallest of every rank's `value`, in one go."""
        return [outgoing[0]], value

    def split(self, color: int):
        """The ranks of the same `color` as a world of their own, in rank order."""
        return self

    def native_exchange(self):
        """A `NativeExchange` for exchanges that compiled code makes itself
        (distribution/native.py), or None where it cannot."""
        return None

    def send_start(self, outgoing: dict[int, np.ndarray]) -> list:
        """Start sending `outgoing[r]` (int64) to each rank r; `send_finish` completes it."""
        return []

    def receive(self, ranks: list[int]) -> list[np.ndarray]:
        """The next array each of `ranks` sent here with `send_start`, in their order."""
        return []

    def send_finish(self, sends: list) -> None:
        """Wait until the sends `send_start` began are done."""

    def sum(self, array: np.ndarray) -> np.ndarray:
        """Element-wise sum of every rank's array, on every rank."""
        return array

    def gather(self, array: np.ndarray) -> list[np.ndarray] | None:
        """Every rank's array on rank 0 (None elsewhere)."""
        return [array]

    def broadcast(self, value):
        """Rank 0's value on every rank."""
        return value

    def max(self, value: float) -> float:
        """The largest of every rank's value, on every rank."""
        return value

    def min(self, value: float) -> float:
        """The smallest of every rank's value, on every rank."""
        return value

    def any(self, flag: bool) -> bool:
        """Whether any rank's flag is set, on every rank."""
        return flag

    def barrier(self) -> None:
        """Wait until every rank is here."""

    def ranks_on_this_node(self) -> int:
        """How many ranks share this node's memory."""
        return 1

    def warn_if_oversubscribed(self) -> None:
        """One line on rank 0's stderr when this node has more ranks than cores."""

    def abort(self, code: int) -> None:
        raise SystemExit(code)


def _poll(test):
    """Call `test` until it returns something true, and return that, giving the core away
    between calls: where ranks outnumber cores, a rank spinning inside MPI (MPICH's way of
    waiting) holds the core that the rank it waits for needs."""
    while not (outcome := test()):
        os.sched_yield()
    return outcome


def _wait(request) -> None:
    """Wait for a non-blocking MPI call (see `_poll`)."""
    _poll(request.Test)


class MPIComm:
    """A world of several ranks over mpi4py."""

    def __init__(self, comm) -> None:
        from mpi4py import MPI
        self._mpi = MPI
        self._comm = comm
        self.rank = comm.Get_rank()
        self.size = comm.Get_size()
        self.stats = CommStats()

    def _counts(self, n: int) -> np.ndarray:
        counts = np.empty(self.size, dtype=np.int64)
        _wait(self._comm.Iallgather(np.array([n], dtype=np.int64), counts))
        return counts

    def allgather(self, array: np.ndarray) -> list[np.ndarray]:
        array = np.ascontiguousarray(array)
        started = time.perf_counter()
        counts = self._counts(array.size)
        synchronised = time.perf_counter()
        out = np.empty(int(counts.sum()), dtype=array.dtype)
        self._comm.Allgatherv(array, [out, counts])
        stats = self.stats
        stats.waiting_s += synchronised - started
        stats.transfer_s += time.perf_counter() - synchronised
        stats.rounds += 1
        stats.bytes_sent += array.nbytes
        return np.split(out, np.cumsum(counts)[:-1])

    def alltoallv(self, outgoing: list[np.ndarray]) -> list[np.ndarray]:
        dtype = outgoing[0].dtype
        send_counts = np.array([a.size for a in outgoing], dtype=np.int64)
        recv_counts = np.empty(self.size, dtype=np.int64)
        started = time.perf_counter()
        self._comm.Alltoall(send_counts, recv_counts)
        synchronised = time.perf_counter()
        send = np.concatenate(outgoing).astype(dtype, copy=False)
        recv = np.empty(int(recv_counts.sum()), dtype=dtype)
        self._comm.Alltoallv([send, send_counts], [recv, recv_counts])
        stats = self.stats
        stats.waiting_s += synchronised - started
        stats.transfer_s += time.perf_counter() - synchronised
        stats.rounds += 1
        stats.bytes_sent += send.nbytes + send_counts.nbytes
        return np.split(recv, np.cumsum(recv_counts)[:-1])

    def alltoallv_min(self, outgoing: list[np.ndarray], value: int) -> tuple[list, int]:
        started = time.perf_counter()
        header = np.empty((self.size, 3), dtype=np.int64)
        header[:, 0] = [a.size for a in outgoing]
        header[:, 1] = value
        header[:, 2] = header[:, 0].sum()
        received = np.empty_like(header)
        _wait(self._comm.Ialltoall(header, received))
        synchronised = time.perf_counter()
        stats = self.stats
        stats.waiting_s += synchronised - started
        stats.rounds += 1
        stats.bytes_sent += header.nbytes
        earliest = int(received[:, 1].min())
        if not received[:, 2].any():
            return [], earliest
        send = np.concatenate(outgoing).astype(np.int64, copy=False)
        recv = np.empty(int(received[:, 0].sum()), dtype=np.int64)
        self._comm.Alltoallv([send, header[:, 0]], [recv, received[:, 0]])
        stats.transfer_s += time.perf_counter() - synchronised
        stats.bytes_sent += send.nbytes
        return np.split(recv, np.cumsum(received[:, 0])[:-1]), earliest

    def send_start(self, outgoing: dict[int, np.ndarray]) -> list:
        started = time.perf_counter()
        sends = []
        for rank, array in outgoing.items():
            array = np.ascontiguousarray(array, dtype=np.int64)
            sends.append((self._comm.Isend(array, dest=rank, tag=EXCHANGE_TAG), array))
            self.stats.bytes_sent += array.nbytes
        self.stats.rounds += 1
        self.stats.transfer_s += time.perf_counter() - started
        return sends

    def receive(self, ranks: list[int]) -> list[np.ndarray]:
        stats, status = self.stats, self._mpi.Status()
        arrays = []
        for rank in ranks:
            started = time.perf_counter()
            message = _poll(lambda: self._comm.Improbe(source=rank, tag=EXCHANGE_TAG,
                                                       status=status))
            arrived = time.perf_counter()
            array = np.empty(status.Get_count(self._mpi.INT64_T), dtype=np.int64)
            message.Recv(array)
            arrays.append(array)
            stats.waiting_s += arrived - started
            stats.transfer_s += time.perf_counter() - arrived
        return arrays

    def send_finish(self, sends: list) -> None:
        started = time.perf_counter()
        requests = [request for request, _ in sends]
        _poll(lambda: self._mpi.Request.Testall(requests))
        self.stats.waiting_s += time.perf_counter() - started

    def native_exchange(self):
        if os.environ.get("NEUROCHIP_COMPILED_MPI", "1") == "0":
            return None
        from .native import native_handles
        return native_handles(self._comm, yield_while_waiting=self._node_load()[2])

    def split(self, color: int):
        sub = MPIComm(self._comm.Split(color, self.rank))
        sub.stats = self.stats
        sub._load = self._node_load()  # the node is as full as it is for the whole world
        return sub

    def sum(self, array: np.ndarray) -> np.ndarray:
        array = np.ascontiguousarray(array)
        out = np.empty_like(array)
        self._comm.Allreduce(array, out, op=self._mpi.SUM)
        return out

    def gather(self, array: np.ndarray) -> list[np.ndarray] | None:
        array = np.ascontiguousarray(array)
        counts = self._comm.gather(array.size, root=0)
        if self.rank != 0:
            self._comm.Gatherv(array, None, root=0)
            return None
        counts = np.array(counts, dtype=np.int64)
        out = np.empty(int(counts.sum()), dtype=array.dtype)
        self._comm.Gatherv(array, [out, counts], root=0)
        return np.split(out, np.cumsum(counts)[:-1])

    def broadcast(self, value):
        return self._comm.bcast(value, root=0)

    def max(self, value: float) -> float:
        return self._comm.allreduce(value, op=self._mpi.MAX)

    def min(self, value: float) -> float:
        return self._comm.allreduce(value, op=self._mpi.MIN)

    def ranks_on_this_node(self) -> int:
        return self._comm.Split_type(self._mpi.COMM_TYPE_SHARED).Get_size()

    def _node_load(self) -> tuple[int, int, bool]:
        """(ranks, usable cores) of this rank's node, and whether any node has more ranks
        than cores; asked once (every rank must ask together)."""
        if not hasattr(self, "_load"):
            node = self._comm.Split_type(self._mpi.COMM_TYPE_SHARED)
            ranks = node.Get_size()
            cores = len(set().union(*node.allgather(usable_cores())))
            self._load = ranks, cores, self.any(ranks > cores)
        return self._load

    def warn_if_oversubscribed(self) -> None:
        ranks, cores, oversubscribed = self._node_load()
        if oversubscribed and self.rank == 0:
            plural = "s" if cores != 1 else ""
            sys.stderr.write(f"neurochip: warning: {ranks} MPI ranks share {cores} core{plural} "
                             f"on a node; every exchange then waits for a rank to be "
                             f"scheduled, so expect a slower run than with one rank per core\n")
            sys.stderr.flush()

    def any(self, flag: bool) -> bool:
        started = time.perf_counter()
        mine = np.array([1 if flag else 0], dtype=np.int32)
        result = np.empty(1, dtype=np.int32)
        self._comm.Allreduce(mine, result, op=self._mpi.MAX)
        self.stats.waiting_s += time.perf_counter() - started
        return bool(result[0])

    def barrier(self) -> None:
        self._comm.Barrier()

    def abort(self, code: int) -> None:
        self._comm.Abort(code)


def usable_cores() -> set[int]:
    """The cores this process may run on (a rank bound to cores sees only those)."""
    try:
        return os.sched_getaffinity(0)
    except AttributeError:  # not on Linux
        return set(range(os.cpu_count() or 1))


def launched_by_mpiexec() -> bool:
    """Whether an MPI launcher started this process."""
    return any(name in os.environ for name in _LAUNCHER_VARIABLES)


def world():
    """The communicator of this process: MPI's world under mpiexec, else one serial rank."""
    if not launched_by_mpiexec():
        return SerialComm()
    from mpi4py import MPI
    if MPI.COMM_WORLD.Get_size() == 1:
        return SerialComm()
    return MPIComm(MPI.COMM_WORLD)
