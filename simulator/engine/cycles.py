"""The processor's cycle counter, read from compiled code: a compiled loop splits its time
between phases (neurons, routing, delivery) without leaving Numba, and the caller turns the
cycles into seconds with the wall time it measured around the loop. Where the processor has
no counter LLVM reads 0, and every phase's share is then 0."""

from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic


@intrinsic
def cycle_count(typingctx):
    """The cycle counter now (int64), as `llvm.readcyclecounter` reads it."""
    def codegen(context, builder, signature, args):
        i64 = ir.IntType(64)
        function = cgutils.get_or_insert_function(builder.module, ir.FunctionType(i64, []),
                                                  "llvm.readcyclecounter")
        return builder.call(function, [])
    return types.int64(), codegen
