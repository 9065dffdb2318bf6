"""MPI called from compiled code, so that a functional exchange runs inside the tick loop
instead of costing a return to Python every batch.

Each function is a Numba intrinsic that declares the C function by name; the JIT resolves
the name in the MPI library that mpi4py loaded, which `native_handles` makes visible to it.
Declared by name, not by address, the loops that call them stay in Numba's cache. Only the
MPICH ABI is supported (communicators, datatypes and requests are C ints; the `mpich`
wheel is the project's MPI): elsewhere `native_handles` says no and the exchange stays in
Python.
"""

import numpy as np
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
sched_yield = _external("sched_yield", "")


@njit(cache=True)
def probe(source, tag, comm, status):
    """Wait until a message from `source` is there, giving the core away between looks
    (where ranks outnumber cores, the rank it waits for needs it); `status` then
    describes it."""
    flag = np.zeros(1, np.int32)
    while True:
        mpi_iprobe(source, tag, comm, flag.ctypes.data, status.ctypes.data)
        if flag[0]:
            return
        sched_yield()


@njit(cache=True)
def wait_all(requests, statuses):
    """Wait until every request is done, yielding the core between tests."""
    flag = np.zeros(1, np.int32)
    while True:
        mpi_testall(requests.size, requests.ctypes.data, flag.ctypes.data,
                    statuses.ctypes.data)
        if flag[0]:
            return
        sched_yield()


def native_handles(comm):
    """(communicator, int64 datatype) handles for compiled exchanges on a private copy of
    mpi4py communicator `comm`, or None where the MPI library is not MPICH's ABI."""
    from mpi4py import MPI
    if any(MPI._sizeof(kind) != 4 for kind in (MPI.Comm, MPI.Datatype, MPI.Request)) or \
            MPI._sizeof(MPI.Status) > 4 * STATUS_INTS or not _load_library():
        return None
    private = comm.Dup()
    private.Set_errhandler(MPI.ERRORS_ARE_FATAL)  # an MPI failure ends every rank
    return private, MPI._handleof(private), MPI._handleof(MPI.INT64_T)


_LOADED: list[str] = []


def _load_library() -> bool:
    """Make the MPI library that this process loaded visible to the JIT's linker."""
    if not _LOADED:
        import llvmlite.binding as llvm
        try:
            with open("/proc/self/maps") as maps:
                paths = sorted({line.split()[-1] for line in maps
                                if "/libmpi" in line and ".so" in line})
        except OSError:
            return False
        for path in paths:
            llvm.load_library_permanently(path)
        _LOADED.extend(paths)
    import llvmlite.binding as llvm
    return all(llvm.address_of_symbol(name) for name in ("MPI_Isend", "MPI_Iprobe",
                                                          "MPI_Get_count", "MPI_Recv",
                                                          "MPI_Testall"))
