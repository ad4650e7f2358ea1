"""The numba code behind :class:`skdigit._kernels._compiled.CompiledKernel`.

Importing this module imports numba; :mod:`skdigit._kernels._compiled` imports it
only when a compiled kernel is made.

:func:`sweep_chunks` reads every row of ``X`` once, in its own dtype: for each tile
of :data:`TILE_ROWS` rows it computes the decision values of every output, the loss
and the residual of each row, and adds ``residual * row`` to the gradient while the
rows are still in the CPU cache. The rows are split into chunks whose bounds depend
on the number of rows only; each chunk sums into its own slots, which the caller
adds up in chunk order, so that the results do not depend on the number of threads
nor on which thread ran which chunk. The functions release the GIL, so that Python
threads run chunks side by side.

Every sum is written out in a fixed order, and no fast-math flag lets the compiler
reorder one: the results are the same on every run, and the same for integer,
float32 and float64 X holding the same values (the rows are converted to float64
exactly as they are read). numba leaves LLVM's SLP vectorizer off, and its loop
vectorizer only vectorizes a floating-point sum when allowed to reorder it, so the
loops over features are written as LLVM vector code, in intrinsics:

- :func:`fma`, ``a * b + c`` rounded once (IEEE 754 fused multiply-add, as BLAS
  uses it);
- :func:`nonzero_groups` lists the groups of :data:`GROUP` features where a tile
  is not all 0 (raw pixels are 0 in 81% of MNIST): only those are read again;
- :func:`dot_rows4` / :func:`dot_row`: the dot products of rows with one output's
  weights, each row summing into :data:`LANES` partial sums;
- :func:`add_rows4` / :func:`add_row`: the gradient updates;
- :func:`convert_rows4` / :func:`convert_row`: rows converted to float64.
"""

import math
from contextlib import contextmanager

import numpy as np
from llvmlite import ir
from numba import njit, types
from numba.core import cgutils
from numba.extending import intrinsic

# Rows whose products share one pass over the weights of an output.
TILE_ROWS = 4
# Doubles in one 256-bit vector register, and partial sums per row (two vectors,
# so that successive fused multiply-adds of a row do not wait for each other).
VECTOR = 4
LANES = 2 * VECTOR
# Features skipped together where a tile of rows is 0 in all of them (raw pixels
# are 0 in 81% of MNIST): one group is the LANES features of one loop step.
GROUP = LANES
# How far ahead of the tile being computed the rows are fetched from memory.
PREFETCH_ROWS = 2 * TILE_ROWS

# error_model="numpy": a division by zero gives inf or nan, as in NumPy, instead of
# raising; fastmath stays off so that every sum keeps the order it is written in.
JIT_OPTIONS = {"cache": True, "nogil": True, "fastmath": False, "error_model": "numpy"}


def _jit(function):
    """``numba.njit`` with :data:`JIT_OPTIONS`, caching the machine code on disk.

    numba caches next to this file when that folder is writable, else in the
    user's cache folder (or ``$NUMBA_CACHE_DIR``); where no folder is writable it
    refuses ``cache=True``, and the function is compiled in memory instead.
    """
    try:
        return njit(**JIT_OPTIONS)(function)
    except RuntimeError:  # "cannot cache function ...: no locator available ..."
        return njit(**{**JIT_OPTIONS, "cache": False})(function)


@intrinsic
def fma(typingctx, a, b, c):
    """``a * b + c`` with one rounding (LLVM's ``llvm.fma.f64``)."""
    signature = types.float64(types.float64, types.float64, types.float64)

    def codegen(context, builder, signature, args):
        double = ir.DoubleType()
        function = builder.module.declare_intrinsic(
            "llvm.fma", [double], ir.FunctionType(double, [double] * 3)
        )
        return builder.call(function, args)

    return signature, codegen


def _is_matrix(X, dtype=None):
    """Whether the numba type ``X`` is a C-ordered 2-D array of numbers (of
    ``dtype`` when given)."""
    return (
        isinstance(X, types.Array)
        and X.ndim == 2
        and X.layout == "C"
        and isinstance(X.dtype, types.Float | types.Integer)
        and (dtype is None or X.dtype == dtype)
    )


def _is_index_vector(groups):
    return (
        isinstance(groups, types.Array)
        and groups.ndim == 1
        and groups.dtype == types.intp
        and groups.layout == "C"
    )


class _Emitter:
    """Helpers writing LLVM vector code over the arrays of one intrinsic call."""

    def __init__(self, context, builder):
        self.context = context
        self.builder = builder
        self.intp = context.get_value_type(types.intp)
        self.double_vector = ir.VectorType(ir.DoubleType(), VECTOR)
        self.fma = cgutils.get_or_insert_function(
            builder.module,
            ir.FunctionType(self.double_vector, [self.double_vector] * 3),
            f"llvm.fma.v{VECTOR}f64",
        )

    def constant(self, value):
        return ir.Constant(self.intp, value)

    def index(self, value, numba_type):
        return self.context.cast(self.builder, value, numba_type, types.intp)

    def array(self, numba_type, value):
        return self.context.make_array(numba_type)(self.context, self.builder, value)

    def row_pointer(self, array, row):
        """Address of ``array[row, 0]`` for a C-ordered 2-D array."""
        n_columns = self.builder.extract_value(array.shape, 1)
        return self.builder.gep(array.data, [self.builder.mul(row, n_columns)])

    def load_doubles(self, pointer, start, dtype, length=VECTOR):
        """``pointer[start:start + length]`` converted to doubles (exactly for
        every integer a double holds, and for float32)."""
        element = self.context.get_data_type(dtype)
        vector_type = ir.VectorType(element, length)
        address = self.builder.bitcast(
            self.builder.gep(pointer, [start]), vector_type.as_pointer()
        )
        vector = self.builder.load(address, align=dtype.bitwidth // 8)
        target = ir.VectorType(ir.DoubleType(), length)
        if isinstance(dtype, types.Float):
            if dtype.bitwidth == 64:
                return vector
            return self.builder.fpext(vector, target)
        if dtype.signed:
            return self.builder.sitofp(vector, target)
        return self.builder.uitofp(vector, target)

    def store_doubles(self, pointer, start, vector):
        address = self.builder.bitcast(
            self.builder.gep(pointer, [start]), self.double_vector.as_pointer()
        )
        self.builder.store(vector, address, align=8)

    @contextmanager
    def group_starts(self, groups, count):
        """A loop over the first ``count`` entries of the index vector ``groups``,
        yielding the first feature of each group."""
        builder = self.builder
        with cgutils.for_range(builder, count) as loop:
            group = builder.load(builder.gep(groups.data, [loop.index]))
            yield builder.mul(group, self.constant(GROUP))

    def prefetch(self, pointer):
        """Hint the CPU to load the cache line at ``pointer`` (never faults)."""
        byte_pointer = ir.IntType(8).as_pointer()
        int32 = ir.IntType(32)
        function = cgutils.get_or_insert_function(
            self.builder.module,
            ir.FunctionType(ir.VoidType(), [byte_pointer, int32, int32, int32]),
            "llvm.prefetch.p0",
        )
        # A read, kept in all cache levels, of data (not instructions).
        flags = [ir.Constant(int32, value) for value in (0, 3, 1)]
        self.builder.call(
            function, [self.builder.bitcast(pointer, byte_pointer), *flags]
        )

    def splat(self, scalar):
        """A vector of doubles all equal to ``scalar``."""
        vector = ir.Constant(self.double_vector, ir.Undefined)
        for k in range(VECTOR):
            vector = self.builder.insert_element(vector, scalar, self.constant(k))
        return vector


def _nonzero_groups():
    """The intrinsic ``nonzero_groups(X, row, groups) -> count``.

    Writes to ``groups[:count]``, in increasing order, the groups of
    :data:`GROUP` features (group ``g`` is features ``GROUP * g`` to
    ``GROUP * g + GROUP - 1``) in which one of the :data:`TILE_ROWS` rows from
    ``row`` holds a value other than 0 (NaN counts as other than 0). The features
    past the last full group are not looked at.
    """

    def typer(typingctx, X, row, groups):
        if not (_is_matrix(X) and _is_index_vector(groups)):
            return None
        return types.intp(X, row, groups), codegen

    def codegen(context, builder, signature, args):
        X_type, row_type, groups_type = signature.args
        emit = _Emitter(context, builder)
        X = emit.array(X_type, args[0])
        groups = emit.array(groups_type, args[2])
        first = emit.index(args[1], row_type)
        rows = [
            emit.row_pointer(X, builder.add(first, emit.constant(r)))
            for r in range(TILE_ROWS)
        ]
        n_groups = builder.udiv(builder.extract_value(X.shape, 1), emit.constant(GROUP))
        # The bits of the group's values, ORed over the rows: a group is all 0
        # when no bit but sign bits is set (-0.0 is 0, NaN is not).
        bits = X_type.dtype.bitwidth
        bits_vector = ir.VectorType(ir.IntType(bits), GROUP)
        magnitude = ir.Constant(
            bits_vector,
            [(1 << (bits - 1)) - 1 if isinstance(X_type.dtype, types.Float) else -1]
            * GROUP,
        )
        whole = ir.IntType(bits * GROUP)
        count = cgutils.alloca_once_value(builder, emit.constant(0))
        # Rows of 4-byte values and wider span a cache line every group or two:
        # ask for the rows PREFETCH_ROWS ahead now, so that they stream in from
        # memory while this tile is computed.
        prefetch = True
        ahead = [
            emit.row_pointer(X, builder.add(first, emit.constant(PREFETCH_ROWS + r)))
            for r in range(TILE_ROWS)
        ]
        with cgutils.for_range(builder, n_groups) as loop:
            start = builder.mul(loop.index, emit.constant(GROUP))
            if prefetch:
                for pointer in ahead:
                    emit.prefetch(builder.gep(pointer, [start]))
            union = None
            for pointer in rows:
                address = builder.bitcast(
                    builder.gep(pointer, [start]), bits_vector.as_pointer()
                )
                values = builder.load(address, align=bits // 8)
                union = values if union is None else builder.or_(union, values)
            union = builder.bitcast(builder.and_(union, magnitude), whole)
            any_nonzero = builder.icmp_unsigned("!=", union, ir.Constant(whole, 0))
            # Write every group and advance past the nonzero ones: no branch.
            position = builder.load(count)
            builder.store(loop.index, builder.gep(groups.data, [position]))
            builder.store(
                builder.add(position, builder.zext(any_nonzero, emit.intp)), count
            )
        return builder.load(count)

    return intrinsic(typer)


def _dot_products(n_rows):
    """The intrinsic ``f(X, row, W, output, groups, count)``: for each of the
    ``n_rows`` rows from ``row``, the dot product of the row of X with
    ``W[output]`` over the feature groups ``groups[:count]`` (see
    :func:`_nonzero_groups`), as a tuple of floats.

    Each row sums into LANES partial sums, feature ``j`` into partial sum
    ``j % LANES``, ``VECTOR`` of them per vector register; the partial sums are
    then added pairwise: ``((s0 + s4) + (s1 + s5)) + ((s2 + s6) + (s3 + s7))``.
    Leaving out groups where the row is 0 changes no bit of the result: a partial
    sum starts at +0 and adding a product ``0 * w`` (for a finite ``w``) leaves it
    as it is. X must have as many columns as W, which is float64.
    """

    def typer(typingctx, X, row, W, output, groups, count):
        if not (
            _is_matrix(X) and _is_matrix(W, types.float64) and _is_index_vector(groups)
        ):
            return None
        signature = types.UniTuple(types.float64, n_rows)(
            X, row, W, output, groups, count
        )
        return signature, codegen

    def codegen(context, builder, signature, args):
        X_type, row_type, W_type, output_type, groups_type, count_type = signature.args
        emit = _Emitter(context, builder)
        X = emit.array(X_type, args[0])
        W = emit.array(W_type, args[2])
        groups = emit.array(groups_type, args[4])
        first = emit.index(args[1], row_type)
        rows = [
            emit.row_pointer(X, builder.add(first, emit.constant(r)))
            for r in range(n_rows)
        ]
        weights = emit.row_pointer(W, emit.index(args[3], output_type))
        zero = ir.Constant(emit.double_vector, [0.0] * VECTOR)
        sums = [
            [cgutils.alloca_once_value(builder, zero) for _ in range(LANES // VECTOR)]
            for _ in range(n_rows)
        ]
        with emit.group_starts(groups, emit.index(args[5], count_type)) as group_start:
            for half in range(LANES // VECTOR):
                start = builder.add(group_start, emit.constant(half * VECTOR))
                w = emit.load_doubles(weights, start, types.float64)
                for pointer, row_sums in zip(rows, sums, strict=True):
                    x = emit.load_doubles(pointer, start, X_type.dtype)
                    total = builder.load(row_sums[half])
                    builder.store(builder.call(emit.fma, [x, w, total]), row_sums[half])
        results = []
        for row_sums in sums:
            vector = builder.fadd(builder.load(row_sums[0]), builder.load(row_sums[1]))
            lanes = [
                builder.extract_element(vector, emit.constant(k)) for k in range(VECTOR)
            ]
            results.append(
                builder.fadd(
                    builder.fadd(lanes[0], lanes[1]), builder.fadd(lanes[2], lanes[3])
                )
            )
        return context.make_tuple(builder, signature.return_type, results)

    return intrinsic(typer)


def _gradient_updates(n_rows):
    """The intrinsic ``f(G, output, X, row, residual, first, groups, count)``:
    ``G[output] += residual[first + r, output] * X[row + r]`` for each of the
    ``n_rows`` rows, row after row, over the feature groups ``groups[:count]``.

    Each element of ``G[output]`` takes the rows' fused multiply-adds in row order,
    the roundings of separate updates. Leaving out the groups where every row is 0
    changes no bit (``g + r * 0`` is ``g``: g starts at +0 and is never -0).
    """

    def typer(typingctx, G, output, X, row, residual, first, groups, count):
        if not (
            _is_matrix(G, types.float64)
            and _is_matrix(X)
            and _is_matrix(residual, types.float64)
            and _is_index_vector(groups)
        ):
            return None
        signature = types.none(G, output, X, row, residual, first, groups, count)
        return signature, codegen

    def codegen(context, builder, signature, args):
        G_type, output_type, X_type, row_type, residual_type, first_type = (
            signature.args[:6]
        )
        groups_type, count_type = signature.args[6:]
        emit = _Emitter(context, builder)
        G = emit.array(G_type, args[0])
        X = emit.array(X_type, args[2])
        residual = emit.array(residual_type, args[4])
        groups = emit.array(groups_type, args[6])
        output = emit.index(args[1], output_type)
        row = emit.index(args[3], row_type)
        first = emit.index(args[5], first_type)
        gradient = emit.row_pointer(G, output)
        rows = []
        for r in range(n_rows):
            offset = emit.constant(r)
            residual_row = emit.row_pointer(residual, builder.add(first, offset))
            scale = emit.splat(builder.load(builder.gep(residual_row, [output])))
            rows.append((emit.row_pointer(X, builder.add(row, offset)), scale))
        with emit.group_starts(groups, emit.index(args[7], count_type)) as group_start:
            for half in range(LANES // VECTOR):
                start = builder.add(group_start, emit.constant(half * VECTOR))
                total = emit.load_doubles(gradient, start, types.float64)
                for pointer, scale in rows:
                    x = emit.load_doubles(pointer, start, X_type.dtype)
                    total = builder.call(emit.fma, [scale, x, total])
                emit.store_doubles(gradient, start, total)
        return context.get_dummy_value()

    return intrinsic(typer)


def _conversions(n_rows):
    """The intrinsic ``f(X, row, tile, first, groups, count)``: ``tile[first + r]
    = X[row + r]`` converted to float64, for each of the ``n_rows`` rows, in the
    feature groups ``groups[:count]`` only."""

    def typer(typingctx, X, row, tile, first, groups, count):
        if not (
            _is_matrix(X)
            and _is_matrix(tile, types.float64)
            and _is_index_vector(groups)
        ):
            return None
        return types.none(X, row, tile, first, groups, count), codegen

    def codegen(context, builder, signature, args):
        X_type, row_type, tile_type, first_type, groups_type, count_type = (
            signature.args
        )
        emit = _Emitter(context, builder)
        X = emit.array(X_type, args[0])
        tile = emit.array(tile_type, args[2])
        groups = emit.array(groups_type, args[4])
        row = emit.index(args[1], row_type)
        first = emit.index(args[3], first_type)
        pairs = [
            (
                emit.row_pointer(X, builder.add(row, emit.constant(r))),
                emit.row_pointer(tile, builder.add(first, emit.constant(r))),
            )
            for r in range(n_rows)
        ]
        with emit.group_starts(groups, emit.index(args[5], count_type)) as group_start:
            for half in range(LANES // VECTOR):
                start = builder.add(group_start, emit.constant(half * VECTOR))
                for source, target in pairs:
                    values = emit.load_doubles(source, start, X_type.dtype)
                    emit.store_doubles(target, start, values)
        return context.get_dummy_value()

    return intrinsic(typer)


nonzero_groups = _nonzero_groups()
dot_rows4 = _dot_products(TILE_ROWS)
dot_row = _dot_products(1)
add_rows4 = _gradient_updates(TILE_ROWS)
add_row = _gradient_updates(1)
convert_rows4 = _conversions(TILE_ROWS)
convert_row = _conversions(1)


@_jit
def _decision_values(X, row, n_rows, coef_t, intercept, groups, count, z):
    """``z[r, o] = X[row + r] @ coef_t[o] + intercept[o]`` for ``r < n_rows``,
    where X is 0 outside the feature groups ``groups[:count]`` and the features
    past the last full group."""
    n_outputs, n_features = coef_t.shape
    for o in range(n_outputs):
        if n_rows == TILE_ROWS:
            z0, z1, z2, z3 = dot_rows4(X, row, coef_t, o, groups, count)
            z[0, o], z[1, o], z[2, o], z[3, o] = z0, z1, z2, z3
        else:
            for r in range(n_rows):
                z[r, o] = dot_row(X, row + r, coef_t, o, groups, count)[0]
        for r in range(n_rows):
            total = z[r, o]
            for j in range(n_features - n_features % GROUP, n_features):
                total = fma(float(X[row + r, j]), coef_t[o, j], total)
            z[r, o] = total + intercept[o]


@_jit
def _sigmoid_terms(z, r, Y, i, weight, shift, residual):
    """Row ``r`` of a tile, row ``i`` of Y, for independent sigmoids: sets
    ``residual[r] = weight * (sigmoid(z[r]) - Y[i])`` and returns ``weight *
    (row_loss - shift)``, the row loss being the mean over outputs of
    ``softplus(-z if y else z)``, as in :mod:`skdigit._loss` (``log1p(exp(-|z|))``
    never overflows)."""
    total = 0.0
    n_outputs = z.shape[1]
    for o in range(n_outputs):
        score = z[r, o]
        exp_neg_abs = math.exp(-abs(score))
        inverse = 1.0 / (1.0 + exp_neg_abs)
        probability = inverse if score >= 0 else exp_neg_abs * inverse
        signed = -score if Y[i, o] > 0 else score
        total += max(signed, 0.0) + math.log1p(exp_neg_abs)
        residual[r, o] = (probability - Y[i, o]) * weight
    return weight * (total / n_outputs - shift)


@_jit
def _softmax_terms(z, r, Y, i, weight, shift, residual):
    """Row ``r`` of a tile, row ``i`` of Y, for the softmax cross-entropy: sets
    ``residual[r] = weight * (softmax(z[r]) - Y[i])`` and returns ``weight *
    (row_loss - shift)``; the scores are shifted by their maximum so that every
    exponential is in (0, 1]."""
    n_outputs = z.shape[1]
    largest = z[r, 0]
    for o in range(1, n_outputs):
        largest = max(largest, z[r, o])
    exp_sum = 0.0
    target_score = 0.0
    for o in range(n_outputs):
        shifted = z[r, o] - largest
        residual[r, o] = math.exp(shifted)
        exp_sum += residual[r, o]
        target_score += shifted * Y[i, o]
    for o in range(n_outputs):
        residual[r, o] = (residual[r, o] / exp_sum - Y[i, o]) * weight
    return weight * (math.log(exp_sum) - target_score - shift)


@_jit
def _add_rows(grad, o, X, row, n_rows, residual, groups, count):
    """``grad[o] += residual[r, o] * X[row + r]`` for ``r < n_rows``, row after
    row, where X is 0 outside the feature groups ``groups[:count]`` and the features
    past the last full group."""
    if n_rows == TILE_ROWS:
        add_rows4(grad, o, X, row, residual, 0, groups, count)
    else:
        for r in range(n_rows):
            add_row(grad, o, X, row + r, residual, r, groups, count)
    n_features = grad.shape[1]
    for j in range(n_features - n_features % GROUP, n_features):
        total = grad[o, j]
        for r in range(n_rows):
            total = fma(residual[r, o], float(X[row + r, j]), total)
        grad[o, j] = total


@_jit
def _tile_sums(
    X,
    row,
    n_rows,
    groups,
    count,
    Y,
    weights,
    first,
    coef_t,
    intercept,
    softmax,
    shift,
    z,
    residual,
    grad,
    grad_intercept,
):
    """Add the gradient of rows ``row:row + n_rows`` of X (at most a tile), which
    are 0 outside ``groups[:count]`` and past the last full group, and whose
    targets and weights are at ``first:first + n_rows``, to ``grad`` and
    ``grad_intercept``; return their loss sum."""
    _decision_values(X, row, n_rows, coef_t, intercept, groups, count, z)
    loss = 0.0
    for r in range(n_rows):
        i = first + r
        if softmax:
            loss += _softmax_terms(z, r, Y, i, weights[i], shift, residual)
        else:
            loss += _sigmoid_terms(z, r, Y, i, weights[i], shift, residual)
        for o in range(grad.shape[0]):
            grad_intercept[o] += residual[r, o]
    for o in range(grad.shape[0]):
        _add_rows(grad, o, X, row, n_rows, residual, groups, count)
    return loss


@_jit
def _copy_groups(X, row, n_rows, groups, count, tile):
    """Convert rows ``row:row + n_rows`` of X into ``tile`` (float64), in the
    feature groups ``groups[:count]`` and past the last full group only."""
    if n_rows == TILE_ROWS:
        convert_rows4(X, row, tile, 0, groups, count)
    else:
        for r in range(n_rows):
            convert_row(X, row + r, tile, r, groups, count)
    n_features = X.shape[1]
    for r in range(n_rows):
        for j in range(n_features - n_features % GROUP, n_features):
            tile[r, j] = X[row + r, j]


@_jit
def sweep_chunks(
    X,
    X_float,
    direct,
    Y,
    weights,
    coef_t,
    intercept,
    softmax,
    shift,
    bounds,
    chunks,
    chunk_grads,
    chunk_grad_intercepts,
    chunk_losses,
):
    """The sums over each chunk in ``chunks``, into that chunk's slots.

    Each tile of rows is read only in the groups of features where one of its
    rows is not 0 (:func:`nonzero_groups`). Unless ``direct``, the tile is first
    converted to float64 into a small buffer, in cache while every output reads
    it twice, so that the work on the tile is compiled once, for float64, and
    shared by every dtype of X.

    Parameters
    ----------
    X : C-ordered array of shape (n_samples, n_features), integer or float
    X_float : float64 C-ordered array
        X itself when ``direct``; not read otherwise.
    direct : bool
        Whether X is float64, to be read without a copy.
    Y : float64 C-ordered array of shape (n_samples, n_outputs)
    weights : float64 array of shape (n_samples,)
    coef_t : float64 C-ordered array of shape (n_outputs, n_features)
    intercept : float64 array of shape (n_outputs,)
    softmax : bool
        Softmax cross-entropy if True, else independent sigmoids.
    shift : float
        Subtracted from every row loss.
    bounds : int64 array of shape (n_chunks + 1,)
        Chunk ``c`` is rows ``bounds[c]:bounds[c + 1]``.
    chunks : int64 array
        The chunks to sum.
    chunk_grads : float64 array of shape (n_chunks, n_outputs, n_features)
    chunk_grad_intercepts : float64 array of shape (n_chunks, n_outputs)
    chunk_losses : float64 array of shape (n_chunks,)
        Receive each chunk's gradient, intercept gradient and loss sums.
    """
    n_outputs, n_features = coef_t.shape
    z = np.empty((TILE_ROWS, n_outputs))
    residual = np.empty((TILE_ROWS, n_outputs))
    tile = np.empty((TILE_ROWS, n_features))
    n_groups = n_features // GROUP
    groups = np.empty(n_groups, np.intp)
    every_group = np.arange(n_groups)
    for c in chunks:
        grad = chunk_grads[c]
        grad_intercept = chunk_grad_intercepts[c]
        grad[:] = 0.0
        grad_intercept[:] = 0.0
        loss = 0.0
        for row in range(bounds[c], bounds[c + 1], TILE_ROWS):
            n_rows = min(TILE_ROWS, bounds[c + 1] - row)
            if n_rows == TILE_ROWS:
                active = groups
                count = nonzero_groups(X, row, groups)
            else:
                active = every_group
                count = n_groups
            if direct:
                source, source_row = X_float, row
            else:
                _copy_groups(X, row, n_rows, active, count, tile)
                source, source_row = tile, 0
            loss += _tile_sums(
                source,
                source_row,
                n_rows,
                active,
                count,
                Y,
                weights,
                row,
                coef_t,
                intercept,
                softmax,
                shift,
                z,
                residual,
                grad,
                grad_intercept,
            )
        chunk_losses[c] = loss
