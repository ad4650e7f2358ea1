"""The compiled kernel: one fused sweep over X per iteration, with numba.

:class:`CompiledKernel` computes the same sums as the NumPy kernel, but reads each
row of X once and only once per iteration: the decision values, the loss, the
residual and the row's share of ``X.T @ residual`` are computed while the row is in
the CPU cache (see :mod:`skdigit._kernels._numba_sweep`). Integer X (uint8 pixels)
is read as it is, never copied into floats.

numba is optional (``pip install "skdigit[fast]"``): this module imports it only when
a kernel is made or :func:`available` is asked, so that ``import skdigit`` stays
light.

Precision: whatever the dtype of X, the decision values, the loss and every sum are
computed and accumulated in float64; the gradients are returned in the dtype of Y.
For float64 data this is the NumPy kernel's arithmetic, summed in another order
(the results agree to about 1e-15 relative per iteration); for float32 data it is
more precise than the NumPy kernel, which computes in float32. Integer, float32 and
float64 X holding the same values give bit-identical results. Products with the
features that are 0 in a whole tile of rows are left out, which changes no bit
while the weights are finite (NumPy would turn an infinite or NaN weight times 0
into NaN; the solver stops on non-finite weights anyway).

Compilation: the first kernel made for a dtype of X compiles the sweep for that
dtype (a few seconds) and stores the machine code in numba's on-disk cache, where
later processes load it in a fraction of a second. The cache is the ``__pycache__``
folder next to this module when it is writable, else numba's folder in the user's
cache directory (``~/.cache/numba`` on Linux), or ``$NUMBA_CACHE_DIR`` when set;
when no folder is writable the sweep is compiled in memory by every process.
"""

import functools
import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np

# Chunks of rows, each summed on its own and added up in order: their number depends
# on the data only, so that the sums do not depend on the number of threads. Enough
# chunks to share between many cores; few enough that their gradients, added up once
# per iteration, stay small next to X.
MAX_CHUNKS = 64
MIN_CHUNK_ROWS = 256


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


class CompiledKernel:
    """Weighted sums of the loss and its gradient in one compiled sweep over X.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        Dense and C-ordered; any integer dtype (read as it is), float32 or float64.
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
        X = _checked_X(X)
        if link not in ("sigmoid", "softmax"):
            raise ValueError(f"link={link!r}: use 'sigmoid' or 'softmax'.")
        self.dtype = np.dtype(Y.dtype)
        n_samples, n_features = X.shape
        n_outputs = Y.shape[1]
        bounds = chunk_bounds(n_samples, _numba_sweep.TILE_ROWS)
        n_chunks = len(bounds) - 1
        self._chunk_grads = np.empty((n_chunks, n_outputs, n_features))
        self._chunk_grad_intercepts = np.empty((n_chunks, n_outputs))
        self._chunk_losses = np.empty(n_chunks)
        direct = X.dtype == np.float64
        # Everything but the weights, in the order the sweep takes them; targets
        # and sample weights are read in float64, whatever the compute dtype.
        self._data = (
            X,
            X if direct else np.empty((0, n_features)),
            direct,
            np.ascontiguousarray(Y, dtype=np.float64),
            np.ascontiguousarray(sample_weight, dtype=np.float64),
        )
        self._softmax = link == "softmax"
        self._bounds = bounds
        self._no_intercept = np.zeros(n_outputs)
        if n_threads is None:
            n_threads = os.cpu_count() or 1
        # Runs of consecutive chunks, one per thread: the first runs in the
        # calling thread, the others in the pool.
        self._parts = np.array_split(
            np.arange(n_chunks), max(1, min(int(n_threads), n_chunks))
        )
        self._pool = None
        if len(self._parts) > 1:
            self._pool = ThreadPoolExecutor(len(self._parts) - 1, "skdigit-compiled")

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
        # Each output's weights contiguous: the sweep reads them along the rows.
        coef_t = np.ascontiguousarray(np.asarray(coef).T, dtype=np.float64)
        if intercept is None:
            intercept = self._no_intercept
        intercept = np.ascontiguousarray(intercept, dtype=np.float64)
        run = functools.partial(
            self._sweep_chunks,
            *self._data,
            coef_t,
            intercept,
            self._softmax,
            float(shift),
            self._bounds,
            chunk_grads=self._chunk_grads,
            chunk_grad_intercepts=self._chunk_grad_intercepts,
            chunk_losses=self._chunk_losses,
        )
        first, *others = self._parts
        # The compiled sweep releases the GIL: the pool's threads run beside this.
        pending = [self._pool.submit(run, part) for part in others]
        run(first)
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

    def close(self):
        """Stop the kernel's threads."""
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None


def _checked_X(X):
    """X as the sweep reads it: a C-ordered integer or float32/64 ndarray."""
    if not isinstance(X, np.ndarray) or X.ndim != 2:
        raise ValueError(
            f"X: the compiled kernel takes a 2-D NumPy array, got {type(X).__name__}"
            f"{f' with {X.ndim} dimensions' if hasattr(X, 'ndim') else ''}; use the "
            "NumPy kernel for other data."
        )
    if not X.flags.c_contiguous:
        raise ValueError(
            "X: the compiled kernel reads C-ordered rows, got an array that is not "
            "C-contiguous; pass np.ascontiguousarray(X)."
        )
    if X.dtype == np.bool_:
        return X.view(np.uint8)
    if X.dtype.kind not in "iu" and X.dtype not in (np.float32, np.float64):
        raise ValueError(
            f"X: the compiled kernel reads integer, float32 or float64 data, got "
            f"{X.dtype}; convert X to one of them."
        )
    return X
