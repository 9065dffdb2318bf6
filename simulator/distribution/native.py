"""MPI called from compiled code, so that a functional exchange runs inside the tick loop
instead of costing a return to Python every batch.

Each function is a Numba intrinsic that declares the C function by name; the JIT resolves
the name in the MPI library that mpi4py loaded, which `native_handles` makes visible to it.
Declared by name, not by address, the loops that call them stay in Numba's cache. Only the
MPICH ABI is supported (communicators, datatypes and requests are C ints; the `mpich`
wheel is the project's MPI): elsewhere `native_handles` says no and the exchange stays in
Python.
"""

import platform
from typing import NamedTuple

import llvmlite.binding as llvm
from llvmlite import ir
from numba import njit, types
from numba.core import cgutils
from numba.extending import intrinsic

_POINTER = ir.IntType(8).as_pointer()
_INT = ir.IntType(32)
STATUS_INTS = 16  # room for an MPI_Status (5 ints in MPICH)


def _external(name: str, kinds: str):
    """An intrinsic that calls the C function `name` returning int, with arguments of the
    given kinds ('p': a pointer, passed as an integer address; 'i': a C int)."""
    def codegen(context, builder, signature, args):
        function = cgutils.get_or_insert_function(
            builder.module, ir.FunctionType(_INT, [_POINTER if k == "p" else _INT
                                                   for k in kinds]), name)
        values = [builder.inttoptr(context.cast(builder, v, t, types.intp), _POINTER)
                  if k == "p" else context.cast(builder, v, t, types.int32)
                  for k, v, t in zip(kinds, args, signature.args)]
        return builder.call(function, values)

    parameters = ", ".join(f"a{i}" for i in range(len(kinds)))
    scope = {"types": types, "codegen": codegen}
    exec(f"def {name}(typingctx, {parameters}):\n"
         f"    return types.int32({parameters}), codegen", scope)
    return intrinsic(scope[name])


mpi_isend = _external("MPI_Isend", "piiiiip")    # buf, count, type, dest, tag, comm, request
mpi_iprobe = _external("MPI_Iprobe", "iiipp")    # source, tag, comm, flag, status
mpi_get_count = _external("MPI_Get_count", "pip")  # status, type, count
mpi_recv = _external("MPI_Recv", "piiiiip")      # buf, count, type, source, tag, comm, status
mpi_testall = _external("MPI_Testall", "ippp")   # count, requests, flag, statuses
# send buf, count, type, receive buf, count, type, comm, request
mpi_iallgather = _external("MPI_Iallgather", "piipiiip")
# send buf, count, type, receive buf, counts, displacements, type, comm, request
mpi_iallgatherv = _external("MPI_Iallgatherv", "piipppiip")
sched_yield = _external("sched_yield", "")


_PAUSE = platform.machine().lower() in ("x86_64", "amd64")


@intrinsic
def spin_pause(typingctx):
    """The processor's spin-wait hint (x86 `pause`; nothing elsewhere): a rank polling a
    flag leaves the core's resources to a sibling thread and to the memory system."""
    def codegen(context, builder, signature, args):
        if _PAUSE:
            function = cgutils.get_or_insert_function(
                builder.module, ir.FunctionType(ir.VoidType(), []), "llvm.x86.sse2.pause")
            builder.call(function, [])
        return context.get_dummy_value()
    return types.void(), codegen


@njit(cache=True, inline="always")
def give_way(yield_while_waiting):
    """Between a waiting rank's looks at a flag: give the core away where ranks outnumber
    cores (the rank waited for needs it), else the spin-wait hint."""
    if yield_while_waiting:
        sched_yield()
    else:
        spin_pause()


@intrinsic
def load_acquire(typingctx, array, index):
    """`array[index]` (int64) read with acquire ordering: what its writer stored before it
    released the value is visible after (a flag another rank sets in shared memory)."""
    def codegen(context, builder, signature, args):
        data = context.make_array(signature.args[0])(context, builder, args[0])
        pointer = cgutils.get_item_pointer(context, builder, signature.args[0], data,
                                           [args[1]], wraparound=False)
        return builder.load_atomic(pointer, "acquire", 8)
    return types.int64(array, types.intp), codegen


@intrinsic
def store_release(typingctx, array, index, value):
    """`array[index] = value` (int64) with release ordering: every store before it is
    visible to a rank that reads the value with `load_acquire`."""
    def codegen(context, builder, signature, args):
        data = context.make_array(signature.args[0])(context, builder, args[0])
        pointer = cgutils.get_item_pointer(context, builder, signature.args[0], data,
                                           [args[1]], wraparound=False)
        builder.store_atomic(context.cast(builder, args[2], signature.args[2], types.int64),
                             pointer, "release", 8)
        return context.get_dummy_value()
    return types.void(array, types.intp, types.int64), codegen


class NativeExchange(NamedTuple):
    """What compiled code needs to exchange on its own: a private communicator (kept here
    so that it lives as long as the run), its handle and the int32 and int64 types', and
    whether to give the core away while waiting."""

    comm: object
    handle: int
    int32: int
    int64: int
    yield_while_waiting: bool


@njit(cache=True)
def probe(source, tag, comm, status, flag, yield_while_waiting):
    """Wait until a message from `source` is there; `status` then describes it. Where
    ranks outnumber cores the core is given away between looks (the rank waited for
    needs it); elsewhere that would cost about 1 us a wait."""
    flag[0] = 0
    while True:
        mpi_iprobe(source, tag, comm, flag.ctypes.data, status.ctypes.data)
        if flag[0]:
            return
        if yield_while_waiting:
            sched_yield()


@njit(cache=True)
def wait_all(requests, statuses, flag, yield_while_waiting):
    """Wait until every request is done (see `probe`)."""
    flag[0] = 0
    while True:
        mpi_testall(requests.size, requests.ctypes.data, flag.ctypes.data,
                    statuses.ctypes.data)
        if flag[0]:
            return
        if yield_while_waiting:
            sched_yield()


_PRIVATE: dict[int, NativeExchange] = {}  # by the handle of the communicator copied


def native_handles(comm, yield_while_waiting: bool) -> NativeExchange | None:
    """A `NativeExchange` on a private copy of mpi4py communicator `comm` (one a process,
    however many runs it makes), or None where the MPI library is not MPICH's ABI."""
    from mpi4py import MPI
    if any(MPI._sizeof(kind) != 4 for kind in (MPI.Comm, MPI.Datatype, MPI.Request)) or \
            MPI._sizeof(MPI.Status) > 4 * STATUS_INTS or not _load_library():
        return None
    key = MPI._handleof(comm)
    if key not in _PRIVATE:
        private = comm.Dup()
        private.Set_errhandler(MPI.ERRORS_ARE_FATAL)  # an MPI failure ends every rank
        _PRIVATE[key] = NativeExchange(private, MPI._handleof(private),
                                       MPI._handleof(MPI.INT32_T), MPI._handleof(MPI.INT64_T),
                                       yield_while_waiting)
    return _PRIVATE[key]._replace(yield_while_waiting=yield_while_waiting)


_LOADED: list[str] = []


def _load_library() -> bool:
    """Make the MPI library that this process loaded visible to the JIT's linker."""
    if not _LOADED:
        try:
            with open("/proc/self/maps") as maps:
                paths = sorted({line.split()[-1] for line in maps
                                if "/libmpi" in line and ".so" in line})
        except OSError:
            return False
        for path in paths:
            llvm.load_library_permanently(path)
        _LOADED.extend(paths)
    return all(llvm.address_of_symbol(name) for name in (
        "MPI_Isend", "MPI_Iprobe", "MPI_Get_count", "MPI_Recv", "MPI_Testall",
        "MPI_Iallgather", "MPI_Iallgatherv"))
