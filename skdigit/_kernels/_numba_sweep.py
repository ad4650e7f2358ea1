"""The numba code behind :class:`skdigit._kernels._compiled.CompiledKernel`.

Importing this module imports numba; :mod:`skdigit._kernels._compiled` imports it
only when a compiled kernel is made.

:func:`sweep_chunks` reads every row of ``X`` once, in its own dtype: for each tile
of :data:`TILE_ROWS` rows it computes the decision values of every output, the loss
and the residual of each row, and adds ``residual * row`` to the gradient while the
rows are still in the CPU cache. The products and the gradient update read the four
rows of a tile side by side (:func:`_tile_dots`, :func:`_tile_update`), except the
products of a binary fit on float X, taken a row at a time (:func:`_row_dot`, in
:func:`_binary_sums`): that sweep reads X straight from memory with little work per
byte, and one row after the other is one stream, which the processor's prefetcher
follows better than four (binary float32 MNIST: 8 to 15% faster). Integer pixels are
converted to floats a tile at a time, into a buffer of four rows that the products
and the gradient update then read from the cache (converting as they read would
convert every pixel twice: 20% slower on MNIST); no float copy of X is made. The
buffer is float32 for integers of 16 bits or fewer, whose values it holds exactly,
and the loops widen each value to float64 as they read it: the same products as from
a float64 buffer, with half the bytes written and read again (uint8 MNIST on two
threads: binary and 10-class 12 to 15% faster). Their rows are prefetched two tiles
ahead (:mod:`skdigit._kernels._prefetch`): the conversion waited on memory, which
the hardware prefetcher did not bring in early enough.

The loops over the tiles: :func:`_chunk_sums` for any number of outputs, and, for a
binary fit (one sigmoid), :func:`_binary_sums` over whole tiles, compiled apart for
integer and for float X, the last tile of X, when shorter than four rows, left to
:func:`_chunk_sums`. The same arithmetic: the compiler makes faster code of the
smaller functions without the checks for a short tile (binary MNIST: 9 to 18% faster
on one thread, 5 to 17% on two).

Each tile's columns that are zero in all its rows (a picture's blank margins, 22% of
MNIST's pixels; :func:`tile_spans`) are skipped: neither converted, multiplied nor
added (MNIST: 3 to 10% faster for uint8, 13 to 20% for 10-class float), except for
binary float X, where skipping parts of each row breaks the stream (10% slower).

The arithmetic is that of :mod:`skdigit._loss` (:data:`LOSS_COPY` names the
functions copied here), in the *compute type*: float32 for float32 ``X``, float64
for everything else. The products and their sums along a row are done in the compute
type; the loss, the residuals and every sum over rows in float64, except the gradient
of a run of at most :data:`RUN_ROWS` rows, summed in the compute type and then added
to float64 (a float32 sum over a few hundred rows loses less than 1e-6 of its value).

Sums in a fixed order: the rows are split into chunks whose bounds depend on the
number of rows only, each chunk sums into its own slots, and the caller adds the
slots up in chunk order, so the results do not depend on the number of threads. The
loops over the features (:func:`_row_dot`, :func:`_tile_dots` and
:func:`_tile_update`, and the ``_pair`` versions of the last two, which take two
outputs in one pass over the tile) let the compiler reorder their sums (numba's
``fastmath`` with ``reassoc`` and ``contract`` only: no assumption about NaN,
infinity or signed zeros), which is what lets it use vector instructions; the order
it picks is fixed when the loop is compiled, so a run gives the same bits every time
on the same machine, and, with several outputs, integer X, converted into a float64
tile, the bits of float64 X holding the same values (the same loops read both, over
the same spans of columns). With one output they agree to rounding only: float64 X
is read whole and a row at a time (the last tile of X, when shorter than four rows,
four rows side by side), integer X without its margins and four rows side by side,
each the faster way for its input. What it does not give: the same bits on
a processor with other vector instructions.

The functions release the GIL, so that Python threads run chunks side by side.
"""

import math

import numpy as np
from numba import njit

from ._prefetch import prefetch

# Rows whose products and gradient updates share one pass over the weights.
TILE_ROWS = 4
# Spans of columns start and stop at multiples of this many (aligned vector loads).
SPAN_ALIGN = 8
# Integer rows are prefetched this many rows before they are converted: two tiles
# (uint8 MNIST: one thread's iteration 9.3 -> 6.1 ms; 16 or 32 rows ahead gained less).
PREFETCH_ROWS = 8
# Rows whose gradient is summed in the compute type before it is added to float64.
RUN_ROWS = 256
# The functions of skdigit._loss that the element-wise code below repeats.
LOSS_COPY = {
    "_sigmoid_output": "sigmoid_loss_and_residual",
    "_softmax_terms": "softmax_loss_and_residual",
}

# error_model="numpy": a division by zero gives inf or nan, as in NumPy, instead of
# raising. cache: the machine code is kept on disk (see _compiled.py).
_OPTIONS = {"cache": True, "nogil": True, "error_model": "numpy"}
# The loops over features: sums reordered into vector lanes, multiply-adds fused.
_VECTOR_OPTIONS = {**_OPTIONS, "fastmath": {"reassoc", "contract"}}


def _jit(**options):
    """``numba.njit(**options)``; where no cache folder is writable numba refuses
    ``cache=True``, and the function is compiled in memory instead."""

    def decorate(function):
        try:
            return njit(**options)(function)
        except RuntimeError:  # "cannot cache function ...: no locator available ..."
            return njit(**{**options, "cache": False})(function)

    return decorate


# The loops over the features read the rows at offsets into the flat X (or tile)
# and the weights of output o at W[o, lo + j], taking no slices: a slice is an array
# whose references numba counts. The offsets are unsigned: numba turns a negative
# index into one from the end, a test that keeps the loop from being vectorised.


@_jit(**_OPTIONS)
def _unsigned(a):
    """The four offsets ``a`` as unsigned integers."""
    return np.uint64(a[0]), np.uint64(a[1]), np.uint64(a[2]), np.uint64(a[3])


@_jit(**_VECTOR_OPTIONS)
def _row_dot(X, a, W, o, lo, n, zero):
    """The dot product of the row ``X[a:a + n]`` with the weights ``W[o, lo:lo +
    n]``, summed in the type of ``zero``."""
    a, lo = np.uint64(a), np.uint64(lo)
    s = zero
    for j in range(np.uint64(n)):
        s += X[a + j] * W[o, lo + j]
    return s


@_jit(**_VECTOR_OPTIONS)
def _tile_dots(X, a, W, o, lo, n, zero):
    """The dot products of the four rows ``X[a[r]:a[r] + n]`` with the weights
    ``W[o, lo:lo + n]``, summed in the type of ``zero``."""
    a0, a1, a2, a3 = _unsigned(a)
    lo = np.uint64(lo)
    s0 = s1 = s2 = s3 = zero
    for j in range(np.uint64(n)):
        w = W[o, lo + j]
        s0 += X[a0 + j] * w
        s1 += X[a1 + j] * w
        s2 += X[a2 + j] * w
        s3 += X[a3 + j] * w
    return s0, s1, s2, s3


@_jit(**_VECTOR_OPTIONS)
def _tile_dots_pair(X, a, W, o, lo, n, zero):
    """:func:`_tile_dots` of outputs ``o`` and ``o + 1`` in one pass over the rows:
    each value read serves two products."""
    a0, a1, a2, a3 = _unsigned(a)
    lo = np.uint64(lo)
    s0 = s1 = s2 = s3 = zero
    t0 = t1 = t2 = t3 = zero
    for j in range(np.uint64(n)):
        w = W[o, lo + j]
        v = W[o + 1, lo + j]
        x0 = X[a0 + j]
        x1 = X[a1 + j]
        x2 = X[a2 + j]
        x3 = X[a3 + j]
        s0 += x0 * w
        s1 += x1 * w
        s2 += x2 * w
        s3 += x3 * w
        t0 += x0 * v
        t1 += x1 * v
        t2 += x2 * v
        t3 += x3 * v
    return s0, s1, s2, s3, t0, t1, t2, t3


@_jit(**_VECTOR_OPTIONS)
def _tile_update(G, o, X, a, lo, n, residual):
    """``G[o, lo:lo + n] += sum over r of residual[r, o] * X[a[r]:a[r] + n]``, in
    the type of ``G``."""
    a0, a1, a2, a3 = _unsigned(a)
    lo = np.uint64(lo)
    r0, r1, r2, r3 = residual[0, o], residual[1, o], residual[2, o], residual[3, o]
    for j in range(np.uint64(n)):
        G[o, lo + j] += (r0 * X[a0 + j] + r1 * X[a1 + j]) + (
            r2 * X[a2 + j] + r3 * X[a3 + j]
        )


@_jit(**_VECTOR_OPTIONS)
def _tile_update_pair(G, o, X, a, lo, n, residual):
    """:func:`_tile_update` of outputs ``o`` and ``o + 1`` in one pass over the
    rows."""
    a0, a1, a2, a3 = _unsigned(a)
    lo = np.uint64(lo)
    r0, r1, r2, r3 = residual[0, o], residual[1, o], residual[2, o], residual[3, o]
    q0, q1 = residual[0, o + 1], residual[1, o + 1]
    q2, q3 = residual[2, o + 1], residual[3, o + 1]
    for j in range(np.uint64(n)):
        x0 = X[a0 + j]
        x1 = X[a1 + j]
        x2 = X[a2 + j]
        x3 = X[a3 + j]
        G[o, lo + j] += (r0 * x0 + r1 * x1) + (r2 * x2 + r3 * x3)
        G[o + 1, lo + j] += (q0 * x0 + q1 * x1) + (q2 * x2 + q3 * x3)


@_jit(**_OPTIONS)
def _prefetch_tile(X, start, n_features, row_stride):
    """Prefetch the four rows of X from offset ``start`` on, a cache line at a time
    (a prefetch past the end of X is skipped)."""
    step = max(1, 64 // X.itemsize)  # elements in a 64-byte cache line
    for r in range(TILE_ROWS):
        row = start + r * row_stride
        if row + n_features > X.size:
            return
        for j in range(0, n_features, step):
            prefetch(X, row + j)


@_jit(**_OPTIONS)
def _convert(X, start, tile, tile_start, n):
    """``tile[tile_start:][:n] = X[start:][:n]``, converted."""
    start, tile_start = np.uint64(start), np.uint64(tile_start)
    for j in range(np.uint64(n)):
        tile[tile_start + j] = X[start + j]


@_jit(**_OPTIONS)
def _sigmoid_output(score, y):
    """The loss ``softplus(-score if y else score)`` and the probability
    ``sigmoid(score)`` of one output with target ``y`` (``log1p(exp(-|score|))``
    never overflows). Scalars in and out: the compiler makes better code of the
    loop calling it than of one calling a function that takes the tile's arrays."""
    exp_neg_abs = math.exp(-abs(score))
    inverse = 1.0 / (1.0 + exp_neg_abs)
    probability = inverse if score >= 0 else exp_neg_abs * inverse
    signed = -score if y > 0 else score
    return max(signed, 0.0) + math.log1p(exp_neg_abs), probability


@_jit(**_OPTIONS)
def _softmax_terms(z, r, Y, i, weight, shift, residual):
    """Row ``r`` of a tile, row ``i`` of Y, for the softmax cross-entropy: sets
    ``residual[r] = weight * (softmax(z[r]) - Y[i])`` and returns ``weight *
    (row_loss - shift)``; the scores are shifted by their maximum so that every
    exponential is in (0, 1]. Overwrites ``z[r]`` with the exponentials."""
    n_outputs = z.shape[1]
    largest = z[r, 0]
    for o in range(1, n_outputs):
        largest = max(largest, z[r, o])
    exp_sum = 0.0
    target_score = 0.0
    for o in range(n_outputs):
        shifted = z[r, o] - largest
        target_score += shifted * Y[i, o]
        z[r, o] = math.exp(shifted)
        exp_sum += z[r, o]
    for o in range(n_outputs):
        residual[r, o] = (z[r, o] / exp_sum - Y[i, o]) * weight
    return weight * (math.log(exp_sum) - target_score - shift)


@_jit(**_OPTIONS)
def _row_starts(row, n_rows, row_stride):
    """Offsets of the rows of the tile starting at ``row``: a short tile of
    ``n_rows`` repeats its last row (with a residual of 0)."""
    last = n_rows - 1
    return (
        row * row_stride,
        (row + min(1, last)) * row_stride,
        (row + min(2, last)) * row_stride,
        (row + min(3, last)) * row_stride,
    )


@_jit(**_OPTIONS)
def _tile_span(spans, row, n_features):
    """The columns ``lo, hi`` of the tile starting at ``row`` that are not all
    zeros: all of them when ``spans`` is empty."""
    if spans.shape[0] == 0:
        return 0, n_features
    return spans[row // TILE_ROWS, 0], spans[row // TILE_ROWS, 1]


@_jit(**_OPTIONS)
def _mark_inked(X, a, n, inked):
    """``inked[j]``: whether column ``j`` is non-zero in any of the four rows
    ``X[a[r]:a[r] + n]`` (one pass over the rows, vectorised)."""
    a0, a1, a2, a3 = _unsigned(a)
    for j in range(np.uint64(n)):
        inked[j] = (
            (X[a0 + j] != 0) | (X[a1 + j] != 0) | (X[a2 + j] != 0) | (X[a3 + j] != 0)
        )


@_jit(**_OPTIONS)
def tile_spans(X, row_stride, n_samples, n_features):
    """``spans[t] = lo, hi``: the columns of tile ``t`` (rows ``TILE_ROWS * t`` on)
    outside ``lo:hi`` are zero in every row, ``lo`` and ``hi`` multiples of
    :data:`SPAN_ALIGN` (``hi`` at most ``n_features``); ``0, 0`` for a tile of
    zeros. A picture's blank margins, 22% of MNIST's pixels in tiles of four rows,
    are then neither converted, multiplied nor added."""
    n_tiles = -(-n_samples // TILE_ROWS)
    spans = np.zeros((n_tiles, 2), np.int32)
    inked = np.empty(n_features, np.bool_)
    for t in range(n_tiles):
        row = t * TILE_ROWS
        starts = _row_starts(row, min(TILE_ROWS, n_samples - row), row_stride)
        _mark_inked(X, starts, n_features, inked)
        lo = 0
        while lo < n_features and not inked[lo]:
            lo += 1
        hi = n_features
        while hi > lo and not inked[hi - 1]:
            hi -= 1
        if hi > lo:
            spans[t, 0] = lo // SPAN_ALIGN * SPAN_ALIGN
            spans[t, 1] = min(n_features, -(-hi // SPAN_ALIGN) * SPAN_ALIGN)
    return spans


@_jit(**_OPTIONS)
def _chunk_sums(X, row_stride, spans, convert, model, first, stop, sums, scratch):
    """The loss sum of rows ``first:stop`` (whole tiles but the last), adding their
    gradient to ``sums`` (``grad``, ``grad_intercept``): every fit but the whole
    tiles of a binary one.

    ``model`` is ``Y, weights, coef_t, intercept, softmax, shift`` and ``scratch``
    ``source, tile, run_grad, z, residual, zero`` (see :func:`sweep_chunks`). The
    loop over the tiles calls only functions that call none: numba counts the
    references to each array passed to a function that calls others, with atomic
    operations, which cost a fifth of the uint8 sweep's time when the tile's work
    was a function of its own.
    """
    Y, weights, coef_t, intercept, softmax, shift = model
    source, tile, run_grad, z, residual, zero = scratch
    grad, grad_intercept = sums
    n_outputs, n_features = coef_t.shape
    tile_starts = _row_starts(0, TILE_ROWS, n_features)  # the tile buffer's rows
    loss = 0.0
    for run in range(first, stop, RUN_ROWS):
        run_stop = min(run + RUN_ROWS, stop)
        run_grad[:] = 0
        for row in range(run, run_stop, TILE_ROWS):
            n_rows = min(TILE_ROWS, run_stop - row)
            starts = _row_starts(row, n_rows, row_stride)
            lo, hi = _tile_span(spans, row, n_features)
            if convert:  # the tile is read twice or more: converted once
                # Converting waits on memory; the hardware prefetcher, which a tile's
                # spans and the work between them interrupt, does not run far enough.
                ahead = (row + PREFETCH_ROWS) * row_stride
                _prefetch_tile(X, ahead, n_features, row_stride)
                for r in range(TILE_ROWS):
                    _convert(X, starts[r] + lo, tile, r * n_features + lo, hi - lo)
                starts = tile_starts
            a = (starts[0] + lo, starts[1] + lo, starts[2] + lo, starts[3] + lo)
            n = hi - lo
            # The decision values.
            for o in range(0, n_outputs - 1, 2):
                dots = _tile_dots_pair(source, a, coef_t, o, lo, n, zero)
                for r in range(TILE_ROWS):
                    z[r, o] = dots[r] + intercept[o]
                    z[r, o + 1] = dots[TILE_ROWS + r] + intercept[o + 1]
            if n_outputs % 2:
                o = n_outputs - 1
                dots = _tile_dots(source, a, coef_t, o, lo, n, zero)
                for r in range(TILE_ROWS):
                    z[r, o] = dots[r] + intercept[o]
            # The loss and residuals, then the gradient.
            for r in range(TILE_ROWS):
                if r >= n_rows:
                    residual[r, :] = 0
                    continue
                i = row + r
                if softmax:
                    loss += _softmax_terms(z, r, Y, i, weights[i], shift, residual)
                else:
                    total = 0.0  # the row's loss: the mean over outputs
                    for o in range(n_outputs):
                        output_loss, probability = _sigmoid_output(z[r, o], Y[i, o])
                        total += output_loss
                        residual[r, o] = (probability - Y[i, o]) * weights[i]
                    loss += weights[i] * (total / n_outputs - shift)
                for o in range(n_outputs):
                    grad_intercept[o] += residual[r, o]
            for o in range(0, n_outputs - 1, 2):
                _tile_update_pair(run_grad, o, source, a, lo, n, residual)
            if n_outputs % 2:
                _tile_update(run_grad, n_outputs - 1, source, a, lo, n, residual)
        for o in range(n_outputs):
            for j in range(n_features):
                grad[o, j] += run_grad[o, j]
    return loss


@_jit(**_OPTIONS)
def _binary_sums(X, row_stride, spans, convert, model, first, stop, sums, scratch):
    """:func:`_chunk_sums` of a binary fit (one sigmoid), whole tiles only (``stop -
    first`` a multiple of :data:`TILE_ROWS`).

    ``convert`` is a constant (``True`` for integer X, ``False`` for float X), so
    that numba compiles one function for each, without the other's branch. Integer
    tiles are converted and their four rows read side by side, as in
    :func:`_chunk_sums`; float X is read in place, a row at a time (one stream from
    memory, every column: see the module docstring).

    Functions of their own, for whole tiles, with the loss of a row in
    :func:`_sigmoid_output` and the intercept in local variables (the compiler must
    assume that a store to an array changes any other): 14 to 18% faster on one
    thread than the same loops as part of :func:`_chunk_sums`, with its checks for a
    short tile (binary MNIST: uint8 6.1 -> 5.25 ms, float32 9.6 -> 8.2, float64 17.9
    -> 14.7), 5 to 17% on two; the same sums, bit for bit.
    """
    Y, weights, coef_t, intercept, _, shift = model
    source, tile, run_grad, _, residual, zero = scratch
    grad, grad_intercept = sums
    n_features = coef_t.shape[1]
    tile_starts = _row_starts(0, TILE_ROWS, n_features)  # the tile buffer's rows
    bias = intercept[0]
    intercept_grad = 0.0
    loss = 0.0
    for run in range(first, stop, RUN_ROWS):
        run_stop = min(run + RUN_ROWS, stop)
        run_grad[:] = 0
        for row in range(run, run_stop, TILE_ROWS):
            starts = _row_starts(row, TILE_ROWS, row_stride)
            lo, hi = _tile_span(spans, row, n_features)
            n = hi - lo
            if convert:  # as in _chunk_sums
                ahead = (row + PREFETCH_ROWS) * row_stride
                _prefetch_tile(X, ahead, n_features, row_stride)
                for r in range(TILE_ROWS):
                    _convert(X, starts[r] + lo, tile, r * n_features + lo, n)
                a = (
                    tile_starts[0] + lo,
                    tile_starts[1] + lo,
                    tile_starts[2] + lo,
                    tile_starts[3] + lo,
                )
                dots = _tile_dots(source, a, coef_t, 0, lo, n, zero)
            else:  # float X has no spans: lo is 0, n every column
                a = starts
                dots = (
                    _row_dot(source, a[0], coef_t, 0, 0, n, zero),
                    _row_dot(source, a[1], coef_t, 0, 0, n, zero),
                    _row_dot(source, a[2], coef_t, 0, 0, n, zero),
                    _row_dot(source, a[3], coef_t, 0, 0, n, zero),
                )
            for r in range(TILE_ROWS):
                i = row + r
                row_loss, probability = _sigmoid_output(dots[r] + bias, Y[i, 0])
                residual[r, 0] = (probability - Y[i, 0]) * weights[i]
                loss += weights[i] * (row_loss - shift)
                intercept_grad += residual[r, 0]
            _tile_update(run_grad, 0, source, a, lo, n, residual)
        for j in range(n_features):
            grad[0, j] += run_grad[0, j]
    grad_intercept[0] += intercept_grad
    return loss


@_jit(**_OPTIONS)
def sweep_chunks(
    X,
    source,
    tile,
    row_stride,
    Y,
    weights,
    coef_t,
    intercept,
    softmax,
    shift,
    bounds,
    spans,
    convert,
    chunks,
    chunk_grads,
    chunk_grad_intercepts,
    chunk_losses,
):
    """The sums over each chunk in ``chunks``, into that chunk's slots.

    Parameters
    ----------
    X : 1-D array, integer or float
        The rows of the data, row ``i`` at ``X[i * row_stride:][:n_features]``.
    source : 1-D float array
        What the products and gradient updates read: ``X`` itself for float X, a
        read-only view of ``tile`` for integer X.
    tile : 1-D array of ``TILE_ROWS * n_features`` floats
        Receives each tile of integer X converted (empty for float X), in float32
        where that holds X's values exactly (see ``_compiled.tile_dtype``), else
        float64. One per thread.
    row_stride : int
        Elements from the start of one row to the next.
    Y : float64 array of shape (n_samples, n_outputs)
    weights : float64 array of shape (n_samples,)
    coef_t : C-ordered array of shape (n_outputs, n_features)
        The weights of each output, in the compute type (float32 or float64).
    intercept : float64 array of shape (n_outputs,)
    softmax : bool
        Softmax cross-entropy if True, else independent sigmoids.
    shift : float
        Subtracted from every row loss.
    bounds : int64 array of shape (n_chunks + 1,)
        Chunk ``c`` is rows ``bounds[c]:bounds[c + 1]``, ``bounds[c]`` a multiple
        of :data:`TILE_ROWS`.
    spans : int32 array of shape (n_tiles, 2) or (0, 2)
        The columns of each tile that are not all zeros (:func:`tile_spans`), the
        others skipped; empty to read every column of every tile.
    convert : bool
        Whether to convert each tile of rows into ``tile`` before reading it (for
        integer X, whose tiles are read at least twice: by the products and by the
        gradient update); float X is read in place.
    chunks : int64 array
        The chunks to sum.
    chunk_grads : float64 array of shape (n_chunks, n_outputs, n_features)
    chunk_grad_intercepts : float64 array of shape (n_chunks, n_outputs)
    chunk_losses : float64 array of shape (n_chunks,)
        Receive each chunk's gradient, intercept gradient and loss sums.
    """
    n_outputs = coef_t.shape[0]
    residual = np.zeros((TILE_ROWS, n_outputs), coef_t.dtype)
    zero = residual[0, 0]
    scratch = (
        source,
        tile,
        np.empty_like(coef_t),  # the gradient of a run of rows
        np.empty((TILE_ROWS, n_outputs)),  # the decision values of a tile
        residual,
        zero,
    )
    model = (Y, weights, coef_t, intercept, softmax, shift)
    binary = n_outputs == 1 and not softmax
    for c in chunks:
        chunk_grads[c] = 0.0
        chunk_grad_intercepts[c] = 0.0
        sums = (chunk_grads[c], chunk_grad_intercepts[c])
        first, stop = bounds[c], bounds[c + 1]
        loss = 0.0
        if binary:  # whole tiles; the last tile of X, when short, in _chunk_sums
            whole_tiles_stop = first + (stop - first) // TILE_ROWS * TILE_ROWS
            part = (first, whole_tiles_stop, sums, scratch)
            if convert:  # a constant each: see _binary_sums
                loss = _binary_sums(X, row_stride, spans, True, model, *part)
            else:
                loss = _binary_sums(X, row_stride, spans, False, model, *part)
            first = whole_tiles_stop
        loss += _chunk_sums(
            X, row_stride, spans, convert, model, first, stop, sums, scratch
        )
        chunk_losses[c] = loss
