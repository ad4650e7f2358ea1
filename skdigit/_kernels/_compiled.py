"""The compiled kernel: one fused sweep over X per iteration, with numba.

:class:`CompiledKernel` computes the same sums as the NumPy kernel, but reads each
row of X once and only once per iteration: the decision values, the loss, the
residual and the row's share of ``X.T @ residual`` are computed while the row is in
the CPU cache (see :mod:`skdigit._kernels._numba_sweep`). Integer X (uint8 pixels)
is read as it is, four rows at a time converted into a small float buffer (float32
for integers of 16 bits or fewer, exact; never the whole of X), and so is any X
whose rows are contiguous: a C-ordered array, a memory-mapped file, and views such
as ``X[:, 1:]`` or ``X[::2]`` (:func:`row_layout`).

numba is optional (``pip install "skdigit[fast]"``): this module imports it only when
a kernel is made or :func:`available` is asked, so that ``import skdigit`` stays
light.

Precision: float32 X is computed in float32, everything else in float64 (see
:mod:`skdigit._kernels._numba_sweep` for what is summed in which type); the
gradients are returned in the dtype of Y. For float64 data this is the NumPy
kernel's arithmetic, summed in another order (the results agree to about 1e-15
relative per iteration); integer X gives what its float64 copy gives, bit for bit
with several outputs, to rounding with one (only integer X skips each tile's zero
margins then: see :mod:`skdigit._kernels._numba_sweep`).

Compilation: the first kernel made for a dtype of X compiles the sweep for that
dtype (seconds: :func:`needs_compiling` tells) and stores the machine code in numba's
on-disk cache, where later processes load it in a fraction of a second. The cache
is the ``__pycache__`` folder next to this module when it is writable, else numba's
folder in the user's cache directory (``~/.cache/numba`` on Linux), or
``$NUMBA_CACHE_DIR`` when set; when no folder is writable the sweep is compiled in
memory by every process.
"""

import functools
import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from .._loss import LINKS

# Chunks of rows, each summed on its own and added up in order: their number depends
# on the data only, so that the sums do not depend on the number of threads. Enough
# chunks to share between many cores; few enough that their gradients, added up once
# per iteration, stay small next to X.
MAX_CHUNKS = 64
MIN_CHUNK_ROWS = 256
# The sweep's spans of columns before they are found, or where none are used: every
# column of every tile is read.
_NO_SPANS = np.zeros((0, 2), np.int32)
# About how long compiling the sweep for one dtype of X takes, once per machine
# (benchmarks/run.py, section "fresh", on this project's 2-core machine, shared with
# other jobs: 4.4 to 8.5 s; uint8 7.6 to 8.3 s since binary fits have loops of their
# own, 5.9 to 6.8 before).
COMPILE_SECONDS = 8


@functools.cache
def available():
    """Whether numba imports and the compiled kernel can be used.

    Returns
    -------
    bool

    Examples
    --------
    >>> from skdigit._kernels._compiled import available
    >>> isinstance(available(), bool)
    True
    """
    try:
        from . import _numba_sweep  # noqa: F401
    except Exception:  # numba missing, or failing to load (llvmlite, NumPy version)
        return False
    return True


def chunk_bounds(n_samples, tile_rows=4):
    """Row bounds of the chunks: ``bounds[c]:bounds[c + 1]`` is chunk ``c``.

    Chunks hold a multiple of ``tile_rows`` rows, except the last one.

    Examples
    --------
    >>> from skdigit._kernels._compiled import chunk_bounds
    >>> chunk_bounds(10).tolist()
    [0, 10]
    >>> chunk_bounds(1000).tolist()
    [0, 252, 504, 756, 1000]
    """
    n_chunks = min(MAX_CHUNKS, max(1, -(-n_samples // MIN_CHUNK_ROWS)))
    rows = -(-n_samples // n_chunks)
    rows = max(tile_rows, -(-rows // tile_rows) * tile_rows)
    return np.r_[np.arange(0, n_samples, rows), n_samples].astype(np.int64)


def row_layout(X):
    """``(flat, row_stride)``: the rows of a 2-D array as one read-only 1-D view
    of its memory, row ``i`` starting at ``flat[i * row_stride]``; or None when the
    rows are not contiguous (a column stride other than one element, as in
    Fortran-ordered X) or the row stride is negative or not a whole number of
    elements. Nothing is copied.

    Examples
    --------
    >>> import numpy as np
    >>> from skdigit._kernels._compiled import row_layout
    >>> X = np.arange(12, dtype=np.uint8).reshape(3, 4)
    >>> flat, stride = row_layout(X[:, 1:])
    >>> flat.tolist(), stride
    ([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], 4)
    >>> row_layout(np.asfortranarray(X)) is None
    True
    """
    n_rows, n_features = X.shape
    itemsize = X.dtype.itemsize
    row_bytes, column_bytes = X.strides
    if n_features > 1 and column_bytes != itemsize:
        return None
    if n_rows == 1:
        row_bytes = n_features * itemsize
    if row_bytes < 0 or row_bytes % itemsize:
        return None
    stride = row_bytes // itemsize
    size = (n_rows - 1) * stride + n_features if n_rows and n_features else 0
    flat = np.lib.stride_tricks.as_strided(
        X, shape=(size,), strides=(itemsize,), writeable=False
    )
    # A read-only base-class array: one compiled sweep for every kind of input
    # (writeable or not, memory-mapped or not) of the same dtype.
    return np.asarray(flat), stride


class CompiledKernel:
    """Weighted sums of the loss and its gradient in one compiled sweep over X.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        Any integer dtype (read as it is), float32 or float64, with contiguous rows
        (see :func:`row_layout`).
    Y : ndarray of shape (n_samples, n_outputs)
        0/1 targets (one column for a binary problem), in the float dtype the
        gradients are returned in.
    sample_weight : ndarray of shape (n_samples,)
    link : {"sigmoid", "softmax"}
        Independent sigmoids, each row's loss being the mean of its outputs'
        log-losses, or the softmax cross-entropy.
    n_threads : int or None, default=None
        Threads sharing the rows (the calling thread and a pool of
        ``n_threads - 1``, started here and stopped by :meth:`close`); None uses
        one per CPU. The results do not depend on it.

    Examples
    --------
    >>> import numpy as np
    >>> from skdigit._kernels._compiled import CompiledKernel
    >>> X = np.array([[1, 2], [3, 4]], dtype=np.uint8)
    >>> Y = np.array([[1.0], [0.0]])
    >>> kernel = CompiledKernel(X, Y, np.ones(2), link="sigmoid")
    >>> loss_sum, grad_coef, grad_intercept = kernel.sums(
    ...     np.zeros((2, 1)), np.zeros(1), 0.0
    ... )
    >>> round(loss_sum, 6), grad_coef.ravel().tolist(), grad_intercept.tolist()
    (1.386294, [1.0, 1.0], [0.0])
    >>> kernel.close()
    """

    def __init__(self, X, Y, sample_weight, *, link, n_threads=None):
        from . import _numba_sweep

        self._sweep_chunks = _numba_sweep.sweep_chunks
        flat, row_stride = _checked_rows(X)
        if link not in LINKS:
            raise ValueError(f"link={link!r}: use 'sigmoid' or 'softmax'.")
        self.dtype = np.dtype(Y.dtype)
        self.compute_dtype = compute_dtype(X.dtype)
        n_samples, n_features = X.shape
        n_outputs = Y.shape[1]
        self._tile_rows = _numba_sweep.TILE_ROWS
        bounds = chunk_bounds(n_samples, self._tile_rows)
        n_chunks = len(bounds) - 1
        self._chunk_grads = np.empty((n_chunks, n_outputs, n_features))
        self._chunk_grad_intercepts = np.empty((n_chunks, n_outputs))
        self._chunk_losses = np.empty(n_chunks)
        # Everything the sweep reads but the weights, in its order; targets and
        # sample weights are read in float64, whatever the compute type.
        self._data = (
            flat,
            row_stride,
            np.ascontiguousarray(Y, dtype=np.float64),
            np.ascontiguousarray(sample_weight, dtype=np.float64),
        )
        self._softmax = link == "softmax"
        self._bounds = bounds
        # Each tile's columns that are not all zeros, so that the sweep skips the
        # rest: found at the first sums (one more read of X), not here, since
        # needs_compiling makes a kernel to ask about the sweep without compiling
        # anything. Not for binary float X, whose sweep reads X from memory as one
        # stream: skipping the margins breaks it (MNIST: 10% slower, not faster).
        self._spans = None
        self._convert = X.dtype.kind in "biu"
        self._skip_margins = self._convert or n_outputs > 1
        self._shape = X.shape
        self._tile_spans = _numba_sweep.tile_spans
        self._no_intercept = np.zeros(n_outputs)
        if n_threads is None:
            n_threads = os.cpu_count() or 1
        # Runs of consecutive chunks, one per thread: the first runs in the
        # calling thread, the others in the pool.
        self._parts = np.array_split(
            np.arange(n_chunks), max(1, min(int(n_threads), n_chunks))
        )
        # Each thread's buffers, made once: the sweep converts integer rows into its
        # own tile.
        self._scratches = [self._scratch() for _ in self._parts]
        self._pool = None
        if len(self._parts) > 1:
            self._pool = ThreadPoolExecutor(len(self._parts) - 1, "skdigit-compiled")

    def _arguments(self, coef, intercept, shift):
        """The sweep's arguments but the chunks to sum, as a dict of keywords."""
        # Each output's weights contiguous: the sweep reads them along the rows.
        coef_t = np.ascontiguousarray(np.asarray(coef).T, dtype=self.compute_dtype)
        if intercept is None:
            intercept = self._no_intercept
        X, row_stride, Y, weights = self._data
        return {
            "X": X,
            "row_stride": row_stride,
            "Y": Y,
            "weights": weights,
            "coef_t": coef_t,
            "intercept": np.ascontiguousarray(intercept, dtype=np.float64),
            "softmax": self._softmax,
            "shift": float(shift),
            "bounds": self._bounds,
            "spans": self._spans if self._spans is not None else _NO_SPANS,
            "convert": self._convert,
            "chunk_grads": self._chunk_grads,
            "chunk_grad_intercepts": self._chunk_grad_intercepts,
            "chunk_losses": self._chunk_losses,
        }

    def signature(self):
        """The numba types of the sweep's arguments for this kernel's data."""
        import numba

        arguments = self._arguments(self._chunk_grads[0].T, None, 0.0)
        arguments.update(chunks=self._parts[0], **self._scratches[0])
        order = self._sweep_chunks.py_func.__code__.co_varnames
        count = self._sweep_chunks.py_func.__code__.co_argcount
        return tuple(numba.typeof(arguments[name]) for name in order[:count])

    def sums(self, coef, intercept, shift):
        """``(loss_sum, grad_coef, grad_intercept)`` at the given weights.

        Parameters
        ----------
        coef : ndarray of shape (n_features, n_outputs)
        intercept : ndarray of shape (n_outputs,) or None
            None when no intercept is fitted.
        shift : float
            Subtracted from every row loss before summing.

        Returns
        -------
        loss_sum : float
            ``sum(sample_weight * (row_loss - shift))``.
        grad_coef : ndarray of shape (n_features, n_outputs)
            ``X.T @ (sample_weight * (p - Y))``, in the dtype of Y.
        grad_intercept : ndarray of shape (n_outputs,)
            ``sum(sample_weight * (p - Y))``, in the dtype of Y.
        """
        if self._spans is None and self._skip_margins:
            X, row_stride = self._data[:2]
            self._spans = self._tile_spans(X, row_stride, *self._shape)
        run = functools.partial(self._sweep, **self._arguments(coef, intercept, shift))
        first, *others = zip(self._parts, self._scratches, strict=True)
        # The compiled sweep releases the GIL: the pool's threads run beside this.
        pending = [self._pool.submit(run, *part) for part in others]
        run(*first)
        for future in pending:
            future.result()  # waits, and re-raises an error of that thread
        # Each chunk summed into its own slot, added up in chunk order: the same
        # results whatever the number of threads.
        grad_coef = self._chunk_grads.sum(axis=0).T
        grad_intercept = self._chunk_grad_intercepts.sum(axis=0)
        return (
            float(self._chunk_losses.sum()),
            np.ascontiguousarray(grad_coef, dtype=self.dtype),
            grad_intercept.astype(self.dtype, copy=False),
        )

    def _sweep(self, chunks, scratch, **arguments):
        self._sweep_chunks(chunks=chunks, **scratch, **arguments)

    def _scratch(self):
        """What the sweep reads the rows from, and the tile integer rows are
        converted into: one per thread."""
        if not self._convert:
            return {"source": self._data[0], "tile": np.empty(0, self.compute_dtype)}
        n_features = self._shape[1]
        tile = np.empty(self._tile_rows * n_features, tile_dtype(self._data[0].dtype))
        source = tile.view()
        source.flags.writeable = False  # the type X has: one compiled sweep
        return {"source": source, "tile": tile}

    def close(self):
        """Stop the kernel's threads."""
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None


def needs_compiling(X):
    """Whether a compiled kernel for ``X`` has to compile the sweep (seconds, see
    :data:`COMPILE_SECONDS`): its machine code for X's dtype is neither in this
    process nor in numba's on-disk cache. Imports numba.

    Examples
    --------
    >>> import numpy as np
    >>> from skdigit._kernels._compiled import CompiledKernel, needs_compiling
    >>> X = np.zeros((4, 3))
    >>> CompiledKernel(X, np.ones((4, 1)), np.ones(4), link="sigmoid").sums(
    ...     np.zeros((3, 1)), None, 0.0
    ... )[0]
    2.772588722239781
    >>> needs_compiling(X)
    False
    """
    kernel = CompiledKernel(X[:1], np.zeros((1, 1)), np.ones(1), link="sigmoid")
    kernel.close()
    sweep = kernel._sweep_chunks
    signature = kernel.signature()
    if signature in sweep.overloads:
        return False
    try:
        # Loads the machine code from the cache when it is there (numba has no
        # public way to ask without loading).
        return sweep._cache.load_overload(signature, sweep.targetctx) is None
    except Exception:  # a numba whose cache works otherwise: do not guess
        return False


def compute_dtype(dtype):
    """The float type the sweep computes in for X of ``dtype``: float32 for
    float32, float64 for everything else.

    Examples
    --------
    >>> import numpy as np
    >>> from skdigit._kernels._compiled import compute_dtype
    >>> compute_dtype(np.dtype(np.uint8)), compute_dtype(np.dtype(np.float32))
    (dtype('float64'), dtype('float32'))
    """
    return np.dtype(np.float32 if dtype == np.float32 else np.float64)


def tile_dtype(dtype):
    """The float type integer X of ``dtype`` is converted into, a tile of rows at a
    time: float32 for integers of at most 16 bits (every value exact), which halves
    the bytes written and read again; float64 for wider ones. The products are taken
    in float64 either way.

    Examples
    --------
    >>> import numpy as np
    >>> from skdigit._kernels._compiled import tile_dtype
    >>> tile_dtype(np.dtype(np.uint8)), tile_dtype(np.dtype(np.int32))
    (dtype('float32'), dtype('float64'))
    """
    return np.dtype(np.float32 if dtype.itemsize <= 2 else np.float64)


def accepts(X):
    """Whether the compiled kernel reads ``X`` as it is: a 2-D NumPy array of
    integers, booleans, float32 or float64, with contiguous rows.

    Examples
    --------
    >>> import numpy as np
    >>> from skdigit._kernels._compiled import accepts
    >>> X = np.zeros((3, 4))
    >>> accepts(X[:, 1:]), accepts(X.T), accepts(X.astype(np.float16))
    (True, False, False)
    """
    return (
        isinstance(X, np.ndarray)
        and X.ndim == 2
        and _readable_dtype(X.dtype)
        and row_layout(X) is not None
    )


def _readable_dtype(dtype):
    return dtype.kind in "biu" or dtype in (np.float32, np.float64)


def _checked_rows(X):
    """X's rows as the sweep reads them (:func:`row_layout`), or a ValueError."""
    if not isinstance(X, np.ndarray) or X.ndim != 2:
        raise ValueError(
            f"X: the compiled kernel takes a 2-D NumPy array, got {type(X).__name__}"
            f"{f' with {X.ndim} dimensions' if hasattr(X, 'ndim') else ''}; use the "
            "NumPy kernel for other data."
        )
    if not _readable_dtype(X.dtype):
        raise ValueError(
            f"X: the compiled kernel reads integer, float32 or float64 data, got "
            f"{X.dtype}; convert X to one of them."
        )
    if X.dtype == np.bool_:
        X = X.view(np.uint8)
    layout = row_layout(X)
    if layout is None:
        raise ValueError(
            "X: the compiled kernel reads rows that are contiguous in memory, got "
            f"an array with strides {X.strides} (Fortran-ordered, or a view taking "
            "every other column); pass np.ascontiguousarray(X)."
        )
    return layout
