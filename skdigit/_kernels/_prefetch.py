"""A software prefetch for numba code: ``prefetch(array, index)`` asks the processor
to start loading the cache line holding ``array[index]``, and goes on at once.

numba has no such function; this one emits LLVM's ``llvm.prefetch`` intrinsic (a
read, kept in every cache level). Importing this module imports numba.
"""

from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic

_READ = 0
_KEEP_IN_ALL_CACHES = 3
_DATA = 1


@intrinsic
def prefetch(typingctx, array, index):
    """Prefetch ``array[index]`` (a 1-D array, an integer index: not checked, and
    a prefetch never faults)."""
    if not isinstance(array, types.Array) or not isinstance(index, types.Integer):
        return None

    def codegen(context, builder, signature, arguments):
        array_type = signature.args[0]
        data = context.make_array(array_type)(context, builder, arguments[0])
        address = cgutils.get_item_pointer(
            context, builder, array_type, data, [arguments[1]], wraparound=False
        )
        byte_pointer = ir.IntType(8).as_pointer()
        int32 = ir.IntType(32)
        function_type = ir.FunctionType(
            ir.VoidType(), [byte_pointer, int32, int32, int32]
        )
        function = builder.module.declare_intrinsic(
            "llvm.prefetch", [byte_pointer], function_type
        )
        flags = (_READ, _KEEP_IN_ALL_CACHES, _DATA)
        builder.call(
            function,
            [builder.bitcast(address, byte_pointer)]
            + [ir.Constant(int32, flag) for flag in flags],
        )
        return context.get_dummy_value()

    return types.void(array, index), codegen
