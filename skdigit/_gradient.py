"""The gradient-descent kernel behind :class:`~skdigit.GDLogisticRegression`.

This module owns the numerical work and nothing of the scikit-learn API: given a
validated design matrix ``X`` (dense or CSR, float32 or float64), a 0/1 target matrix
``Y`` with one column per output and sample weights, it runs the notebook's loop:

    for each iteration:
        loss     = weighted mean log-loss at the current weights
        gradient = X.T @ (predicted probabilities - Y) / sum of weights
        weights -= learning_rate * gradient

It is split in two so that other array libraries can share the loop:

- an *evaluator*, ``evaluate(coef, intercept) -> (loss, grad_coef, grad_intercept)``,
  makes one pass over the data. :func:`make_evaluator` builds the in-memory one for
  NumPy and SciPy-sparse arrays and for any Array API namespace (PyTorch, CuPy, ...);
  ``skdigit._dask`` builds a map-reduce one over the chunks of a dask array, using
  :func:`loss_and_gradient_sums` on each chunk;
- :func:`gradient_descent` runs the iterations: updates, stopping rule, divergence.

Each iteration reads ``X`` once from memory: rows are processed in blocks small enough
to stay in the CPU cache, so the second product ``X_block.T @ residual`` re-reads the
block from cache rather than from main memory, and the loss comes from the same
decision values as the gradient. No ``n_samples x n_features`` temporary is ever made;
the intercept is handled on its own instead of through a column of ones.

NumPy and SciPy-sparse data take a tuned path, :class:`_BlockKernel`: everything that
does not change between iterations (views of each block, target signs, buffers for the
element-wise work) is prepared once per fit, and the element-wise work runs in place.
When the BLAS may use several threads, the blocks are shared between that many Python
threads, each running single-threaded BLAS on its own rows (NumPy releases the GIL in
BLAS calls and ufunc loops): threads streaming their own rows beat BLAS threads
splitting every small product, and ``threadpoolctl.threadpool_limits(1)`` still makes
the fit single-threaded.
"""

import itertools
import threading
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from scipy.special import expit
from threadpoolctl import ThreadpoolController

# Rows per block are chosen so that one block of X takes about this many bytes: the
# blocks of all threads must stay in the last-level cache between the two products,
# while blocks large enough keep Python's per-block overhead small.
BLOCK_BYTES = 4 * 2**20

# A loss this many times larger than the loss at the start of the fit means the steps
# overshoot so far that the model is meaningless (the notebook would print inf here).
DIVERGENCE_FACTOR = 1e3


@dataclass
class GradientDescentResult:
    """What :func:`gradient_descent` found.

    Attributes
    ----------
    coef : array of shape (n_features, n_outputs)
        Final weights, after the last update.
    intercept : array of shape (n_outputs,)
        Final intercepts (zeros when the intercept is not fitted).
    loss_curve : list of float
        The loss at the start of each iteration, before its update.
    converged : bool
        Whether the ``tol`` / ``n_iter_no_change`` stopping rule ended the loop.
    """

    coef: object
    intercept: object
    loss_curve: list = field(default_factory=list)
    converged: bool = False


def sigmoid_loss_and_residual(z, Y, xp=np):
    """Per-row log-loss and ``sigmoid(z) - Y`` for independent binary outputs.

    The loss of each row is the mean over its outputs of
    ``-(y * log(p) + (1 - y) * log(1 - p))`` with ``p = 1 / (1 + exp(-z))``,
    computed as ``softplus(+-z)`` so that it never overflows nor takes ``log(0)``.
    The sigmoid shares the same exponential: ``exp(-|z|)`` is always in ``(0, 1]``.

    Parameters
    ----------
    z : array of shape (n_rows, n_outputs)
        Decision values.
    Y : array of shape (n_rows, n_outputs)
        0/1 targets.
    xp : module, default=numpy
        The Array API namespace of ``z`` and ``Y``.

    Returns
    -------
    row_loss : array of shape (n_rows,)
    residual : array of shape (n_rows, n_outputs)
        ``sigmoid(z) - Y``.

    Examples
    --------
    >>> import numpy as np
    >>> from skdigit._gradient import sigmoid_loss_and_residual
    >>> loss, residual = sigmoid_loss_and_residual(np.zeros((1, 1)), np.ones((1, 1)))
    >>> float(loss[0]), float(residual[0, 0])
    (0.693147..., -0.5)
    """
    exp_neg_abs = xp.exp(-xp.abs(z))
    # softplus(t) = max(t, 0) + log1p(exp(-|t|)) with t = -z for y = 1 and z for y = 0
    signed = xp.where(Y > 0, -z, z)
    row_loss = xp.mean(xp.maximum(signed, 0.0) + xp.log1p(exp_neg_abs), axis=1)
    return row_loss, _sigmoid_from(z, exp_neg_abs, xp) - Y


def _sigmoid_from(z, exp_neg_abs, xp):
    # For z >= 0 this is the notebook's 1 / (1 + exp(-z)), bit for bit.
    inv_denominator = 1 / (1 + exp_neg_abs)
    return xp.where(z >= 0, inv_denominator, exp_neg_abs * inv_denominator)


def sigmoid(z, xp=np):
    """The logistic function ``1 / (1 + exp(-z))``, without overflow.

    Examples
    --------
    >>> import numpy as np
    >>> from skdigit._gradient import sigmoid
    >>> sigmoid(np.array([-800.0, 0.0, 800.0])).tolist()
    [0.0, 0.5, 1.0]
    """
    return _sigmoid_from(z, xp.exp(-xp.abs(z)), xp)


def softmax_loss_and_residual(z, Y, xp=np):
    """Per-row cross-entropy and ``softmax(z) - Y`` for one-hot targets.

    Parameters
    ----------
    z : array of shape (n_rows, n_classes)
        Decision values.
    Y : array of shape (n_rows, n_classes)
        One-hot targets.
    xp : module, default=numpy
        The Array API namespace of ``z`` and ``Y``.

    Returns
    -------
    row_loss : array of shape (n_rows,)
    residual : array of shape (n_rows, n_classes)

    Examples
    --------
    >>> import numpy as np
    >>> from skdigit._gradient import softmax_loss_and_residual
    >>> loss, residual = softmax_loss_and_residual(np.zeros((1, 4)), np.eye(4)[:1])
    >>> float(loss[0]) == float(np.log(4))
    True
    """
    shifted, exp_shifted, sum_exp = _shifted_exponentials(z, xp)
    row_loss = xp.log(sum_exp[:, 0]) - xp.sum(shifted * Y, axis=1)
    return row_loss, exp_shifted / sum_exp - Y


def _shifted_exponentials(z, xp):
    # Shifting by the row maximum keeps every exponential in (0, 1].
    shifted = z - xp.max(z, axis=1, keepdims=True)
    exp_shifted = xp.exp(shifted)
    return shifted, exp_shifted, xp.sum(exp_shifted, axis=1, keepdims=True)


def softmax(z, xp=np):
    """Row-wise softmax of ``z`` (n_rows, n_classes), without overflow.

    Examples
    --------
    >>> import numpy as np
    >>> from skdigit._gradient import softmax
    >>> softmax(np.array([[0.0, 0.0], [1000.0, 0.0]])).tolist()
    [[0.5, 0.5], [1.0, 0.0]]
    """
    _, exp_shifted, sum_exp = _shifted_exponentials(z, xp)
    return exp_shifted / sum_exp


def log_sigmoid(z, xp=np):
    """``log(1 / (1 + exp(-z)))``, without overflow or ``log(0)``.

    Examples
    --------
    >>> import numpy as np
    >>> from skdigit._gradient import log_sigmoid
    >>> log_sigmoid(np.array([-800.0, 0.0, 800.0])).tolist()
    [-800.0, -0.6931471805599453, -0.0]
    """
    return -(xp.maximum(-z, 0.0) + xp.log1p(xp.exp(-xp.abs(z))))


def log_softmax(z, xp=np):
    """Row-wise logarithm of :func:`softmax`, without overflow or ``log(0)``.

    Examples
    --------
    >>> import numpy as np
    >>> from skdigit._gradient import log_softmax
    >>> log_softmax(np.array([[0.0, 0.0], [1000.0, 0.0]])).tolist()
    [[-0.6931471805599453, -0.6931471805599453], [0.0, -1000.0]]
    """
    shifted, _, sum_exp = _shifted_exponentials(z, xp)
    return shifted - xp.log(sum_exp)


LINKS = {"sigmoid": sigmoid_loss_and_residual, "softmax": softmax_loss_and_residual}


def zero_score_loss(link, n_outputs):
    """The row loss at zero scores: log(2) for sigmoids, log(n_classes) for softmax.

    It is the loss of every row at the notebook's zero initialisation, computed by the
    link itself so that it is bit-for-bit the value the rows give.

    Examples
    --------
    >>> from skdigit._gradient import zero_score_loss
    >>> zero_score_loss("sigmoid", 1)
    0.6931471805599453
    """
    scores = np.zeros((1, n_outputs))
    targets = np.eye(1, n_outputs)
    return float(LINKS[link](scores, targets)[0][0])


def row_blocks(X, xp=np):
    """Split the rows of X into slices of about :data:`BLOCK_BYTES` each.

    Sparse matrices are not blocked: their products do not gain from cache reuse and
    slicing them costs a copy.

    Examples
    --------
    >>> import numpy as np
    >>> from skdigit._gradient import row_blocks
    >>> row_blocks(np.zeros((3, 2)))
    [slice(0, 3, None)]
    """
    n_samples, n_features = X.shape
    if sp.issparse(X):
        return [slice(0, n_samples)]
    itemsize = xp.finfo(X.dtype).bits // 8
    rows = max(1, BLOCK_BYTES // max(1, n_features * itemsize))
    return [
        slice(start, min(start + rows, n_samples))
        for start in range(0, n_samples, rows)
    ]


def blas_thread_count():
    """How many threads the BLAS may use now, as threadpoolctl reports it.

    The smallest setting over the loaded BLAS libraries, so that a limit set on any
    of them (``threadpool_limits(1)``, ``OMP_NUM_THREADS=1``, ...) is respected.

    Examples
    --------
    >>> from threadpoolctl import threadpool_limits
    >>> from skdigit._gradient import blas_thread_count
    >>> with threadpool_limits(1, user_api="blas"):
    ...     blas_thread_count()
    1
    """
    libraries = ThreadpoolController().select(user_api="blas").lib_controllers
    counts = [library.num_threads for library in libraries]
    return max(1, min(counts, default=1))


def split_blocks(blocks, n_parts):
    """Share the blocks between at most ``n_parts`` threads: runs of consecutive
    blocks holding about as many rows each.

    Examples
    --------
    >>> from skdigit._gradient import split_blocks
    >>> split_blocks([slice(0, 4), slice(4, 8), slice(8, 10)], 2)
    [[slice(0, 4, None)], [slice(4, 8, None), slice(8, 10, None)]]
    """
    ends = np.cumsum([block.stop - block.start for block in blocks])
    # Each cut goes at the block boundary nearest to k / n_parts of the rows.
    targets = ends[-1] * np.arange(1, n_parts) / n_parts
    nearest = np.abs(ends[:, None] - targets).argmin(axis=0) + 1
    bounds = sorted({0, len(blocks), *nearest.tolist()})
    return [blocks[start:stop] for start, stop in itertools.pairwise(bounds)]


def fit_threads(X, blocks):
    """Threads for one fit: as many as the BLAS may use, with at least two blocks
    each so that the work outweighs the threads' overhead; one for sparse X, whose
    products do not use the BLAS.

    Examples
    --------
    >>> import numpy as np
    >>> from threadpoolctl import threadpool_limits
    >>> from skdigit._gradient import fit_threads
    >>> blocks = [slice(i, i + 1) for i in range(8)]
    >>> with threadpool_limits(1, user_api="blas"):
    ...     fit_threads(np.zeros((8, 1)), blocks)
    1
    """
    if sp.issparse(X) or len(blocks) < 4:
        return 1
    return min(blas_thread_count(), len(blocks) // 2)


_blas_lock = threading.Lock()
_blas_limit = {"calls": 0, "limiter": None}


@contextmanager
def _single_threaded_blas(blas):
    """Limit the BLAS libraries ``blas`` (a ThreadpoolController) to one thread
    while any threaded kernel call runs.

    The limit is process-wide, so calls running at the same time (fits in several
    threads) share it: the first one sets it and the last one restores the setting
    found before the first.
    """
    with _blas_lock:
        if _blas_limit["calls"] == 0:
            _blas_limit["limiter"] = blas.limit(limits=1)
        _blas_limit["calls"] += 1
    try:
        yield
    finally:
        with _blas_lock:
            _blas_limit["calls"] -= 1
            if _blas_limit["calls"] == 0:
                _blas_limit["limiter"].restore_original_limits()


class _Block:
    """Views of one block of rows into the kernel's arrays."""

    __slots__ = (
        "X",
        "Y",
        "exp_sum",
        "gradient",
        "residual",
        "residual_sum",
        "weights",
        "z",
    )


class _Part:
    """The rows one thread works on: its blocks, and views of its rows for the
    loss, which is computed once per part rather than once per block."""

    __slots__ = ("Y", "Y_sign", "blocks", "exp_sum", "loss", "row_loss", "scratch", "z")


class _BlockKernel:
    """Weighted sums of the loss and its gradient over NumPy or SciPy-sparse data.

    Everything that does not change between iterations is prepared here, once per
    fit: views of each block of X, Y and the weights, the signs of the targets, and
    the arrays the products and the element-wise work write into. A call allocates
    nothing of the size of a block.

    Each block runs ``z = X_block @ coef + intercept``, the residual, and
    ``X_block.T @ residual`` while the block is in cache, with as few NumPy calls as
    possible: threads take turns at the GIL between calls. The loss, which the
    gradient does not need, is computed afterwards from the stored ``z``, with one
    vectorised pass over each thread's rows. Every block writes its gradient and
    residual sum into its own slot, added up in block order at the end, so the
    result does not depend on the number of threads.

    Parameters
    ----------
    X, Y, sample_weight, link, blocks
        As in :func:`loss_and_gradient_sums`.
    threads : int, default=1
        Number of threads sharing the blocks, each running single-threaded BLAS.
    """

    def __init__(self, X, Y, sample_weight, *, link, blocks, threads=1):
        self.dtype = Y.dtype
        # BLAS matrix-vector products are about twice as fast as matrix products with
        # a single column, so one output is handled as plain vectors.
        self.single = Y.shape[1] == 1
        Y = Y[:, 0] if self.single else Y
        # Weights of one leave the residual unchanged: skip the multiplication.
        weighted = not bool(np.all(sample_weight == 1))
        self.sample_weight = sample_weight if weighted else None
        weights = sample_weight if self.single else sample_weight[:, None]
        n_samples, n_features = X.shape
        self.z = np.empty(Y.shape, self.dtype)
        self.row_loss = np.empty(n_samples, self.dtype)
        self.exp_sum = np.empty(n_samples, self.dtype) if link == "softmax" else None
        self.gradients = np.empty((len(blocks), n_features, *Y.shape[1:]), self.dtype)
        self.residual_sums = np.empty((len(blocks), *Y.shape[1:]), self.dtype)
        sigmoid = link == "sigmoid"
        Y_sign = np.where(Y > 0, -1, 1).astype(self.dtype) if sigmoid else None
        self.parts, index = [], 0
        for part_blocks in split_blocks(blocks, threads):
            rows = slice(part_blocks[0].start, part_blocks[-1].stop)
            largest = max(block.stop - block.start for block in part_blocks)
            residual = np.empty((largest, *Y.shape[1:]), self.dtype)
            part = _Part()
            part.Y, part.z = Y[rows], self.z[rows]
            part.Y_sign = Y_sign[rows] if sigmoid else None
            part.row_loss = self.row_loss[rows]
            part.exp_sum = None if self.exp_sum is None else self.exp_sum[rows]
            # The loss needs one buffer per element, two for several sigmoids.
            part.loss = part.row_loss if self.single else np.empty_like(part.z)
            part.scratch = np.empty_like(part.z) if sigmoid else None
            part.blocks = []
            for rows in part_blocks:
                block = _Block()
                # Slicing a sparse matrix copies it: X itself when the block is all.
                whole = rows.start == 0 and rows.stop == n_samples
                block.X = X if whole else X[rows]
                block.Y, block.z = Y[rows], self.z[rows]
                block.weights = weights[rows] if weighted else None
                block.exp_sum = None if self.exp_sum is None else self.exp_sum[rows]
                block.residual = residual[: rows.stop - rows.start]
                block.gradient = self.gradients[index]
                block.residual_sum = self.residual_sums[index : index + 1]
                part.blocks.append(block)
                index += 1
            self.parts.append(part)
        self.block_residual = _RESIDUALS[link]
        self.part_loss = _ROW_LOSSES[link]
        self.pool = None
        if len(self.parts) > 1:
            self.pool = ThreadPoolExecutor(len(self.parts), "skdigit-gradient")
            self.blas = ThreadpoolController().select(user_api="blas")

    def sums(self, coef, intercept, shift):
        """``(loss_sum, grad_coef, grad_intercept)`` as
        :func:`loss_and_gradient_sums` returns them."""
        weights = coef[:, 0] if self.single else coef
        bias = intercept
        if intercept is not None and self.single:
            bias = intercept[0]
        if self.pool is None:
            self._run_part(self.parts[0], weights, bias)
        else:
            # One thread per part already: BLAS threads on top would only compete
            # for the same cores.
            with _single_threaded_blas(self.blas):
                # list() waits for every part and re-raises their errors.
                list(
                    self.pool.map(
                        lambda part: self._run_part(part, weights, bias), self.parts
                    )
                )
        row_loss = self.row_loss
        row_loss -= shift
        if self.sample_weight is not None:
            row_loss *= self.sample_weight
        loss_sum = float(row_loss.sum(dtype=np.float64))
        grad_coef = self.gradients.sum(axis=0).reshape(coef.shape)
        grad_intercept = self.residual_sums.sum(axis=0).reshape(-1)
        return loss_sum, grad_coef, grad_intercept

    def _run_part(self, part, weights, bias):
        block_residual = self.block_residual
        for block in part.blocks:
            z = block.z
            _decision_values(block.X, weights, out=z)
            if bias is not None:
                z += bias
            residual = block_residual(z, block)
            if block.weights is not None:
                residual *= block.weights
            _transposed_product(block.X, residual, out=block.gradient)
            np.sum(residual, axis=0, keepdims=True, out=block.residual_sum)
        self.part_loss(part)


def _decision_values(X_block, weights, *, out):
    """``X_block @ weights`` written into ``out``."""
    if sp.issparse(X_block):
        out[...] = X_block @ weights
    else:
        np.matmul(X_block, weights, out=out)


def _transposed_product(X_block, residual, *, out):
    """``X_block.T @ residual`` written into ``out``, as a matrix-vector product
    for one output."""
    if sp.issparse(X_block):
        out[...] = X_block.T @ residual
    elif residual.ndim == 1:
        np.matmul(residual, X_block, out=out)
    else:
        np.matmul(X_block.T, residual, out=out)


def _sigmoid_residual(z, block):
    """``sigmoid(z) - Y`` for one block, in ``block.residual``.

    ``scipy.special.expit`` is the notebook's ``1 / (1 + exp(-z))``, bit for bit for
    ``z >= 0``, and returns 0 without overflow warnings for very negative ``z``.
    """
    residual = expit(z, out=block.residual)
    residual -= block.Y
    return residual


def _softmax_residual(z, block):
    """``softmax(z) - Y`` for one block, in ``block.residual``.

    Shifts ``z`` in place by each row's maximum, so that every exponential is in
    (0, 1], and keeps the sums of the exponentials for the loss.
    """
    residual, exp_sum = block.residual, block.exp_sum
    np.max(z, axis=1, out=exp_sum)
    z -= exp_sum[:, None]
    np.exp(z, out=residual)
    np.sum(residual, axis=1, out=exp_sum)
    residual /= exp_sum[:, None]
    residual -= block.Y
    return residual


def _sigmoid_row_loss(part):
    """Each row's loss from its stored ``z``, as :func:`sigmoid_loss_and_residual`
    computes it: the mean over outputs of ``softplus(signed z)``."""
    z, loss, log_term = part.z, part.loss, part.scratch
    np.copysign(z, -1, out=log_term)
    np.exp(log_term, out=log_term)
    np.log1p(log_term, out=log_term)  # log1p(exp(-|z|))
    np.multiply(z, part.Y_sign, out=loss)
    np.maximum(loss, 0, out=loss)
    loss += log_term
    if loss.ndim == 2:
        np.mean(loss, axis=1, out=part.row_loss)


def _softmax_row_loss(part):
    """Each row's cross-entropy from its shifted ``z`` and sum of exponentials, as
    :func:`softmax_loss_and_residual` computes it."""
    np.log(part.exp_sum, out=part.row_loss)
    np.multiply(part.z, part.Y, out=part.loss)
    part.row_loss -= part.loss.sum(axis=1)


_RESIDUALS = {"sigmoid": _sigmoid_residual, "softmax": _softmax_residual}
_ROW_LOSSES = {"sigmoid": _sigmoid_row_loss, "softmax": _softmax_row_loss}


def loss_and_gradient_sums(
    X, Y, sample_weight, coef, intercept, *, link, blocks, shift, xp=np
):
    """Weighted sums of the loss and its gradient, from one pass over the rows of X.

    Parameters
    ----------
    X : array or CSR matrix of shape (n_samples, n_features)
    Y : array of shape (n_samples, n_outputs)
    sample_weight : array of shape (n_samples,)
    coef : array of shape (n_features, n_outputs)
    intercept : array of shape (n_outputs,) or None
        None when no intercept is fitted.
    link : {"sigmoid", "softmax"}
    blocks : list of slice
        Row blocks from :func:`row_blocks`.
    shift : float
        Subtracted from every row loss before summing. With the loss at zero scores
        (:func:`zero_score_loss`), the first loss of a zero-initialised fit comes out
        exactly, log(2) to the last bit as the notebook's ``np.average`` gives it,
        and later sums lose less to rounding.
    xp : module, default=numpy
        The Array API namespace of the arrays.

    Returns
    -------
    loss_sum : float
        ``sum(sample_weight * (row_loss - shift))``.
    grad_coef : array of shape (n_features, n_outputs)
        ``X.T @ (sample_weight * residual)``.
    grad_intercept : array of shape (n_outputs,)
        ``sum(sample_weight * residual)``.
    """
    if xp is np:
        kernel = _BlockKernel(X, Y, sample_weight, link=link, blocks=blocks)
        return kernel.sums(coef, intercept, shift)
    loss_and_residual = LINKS[link]
    grad_coef = xp.zeros_like(coef)
    grad_intercept = xp.zeros_like(coef[0, :])
    # BLAS matrix-vector products are about twice as fast as matrix products with a
    # single column, so one output is computed with a plain vector.
    single = coef.shape[1] == 1
    loss_sum = 0.0
    for rows in blocks:
        X_block = X[rows, :]
        if single:
            z = xp.reshape(X_block @ coef[:, 0], (-1, 1))
        else:
            z = X_block @ coef
        if intercept is not None:
            z = z + intercept
        row_loss, residual = loss_and_residual(z, Y[rows, :], xp)
        weights = sample_weight[rows]
        loss_sum += float(weights @ (row_loss - shift))
        residual = residual * weights[:, None]
        if single:
            grad_coef[:, 0] += residual[:, 0] @ X_block
        else:
            grad_coef += X_block.T @ residual
        grad_intercept += xp.sum(residual, axis=0)
    return loss_sum, grad_coef, grad_intercept


def make_evaluator(X, Y, sample_weight, *, link, xp=np):
    """The in-memory ``(coef, intercept) -> (loss, grad_coef, grad_intercept)``.

    The loss and gradients are the weighted means: sums divided by the sum of the
    weights. ``intercept`` is None when no intercept is fitted.

    Examples
    --------
    >>> import numpy as np
    >>> from skdigit._gradient import make_evaluator
    >>> X, Y = np.array([[1.0], [3.0]]), np.array([[1.0], [0.0]])
    >>> evaluate = make_evaluator(X, Y, np.ones(2), link="sigmoid")
    >>> loss, grad_coef, grad_intercept = evaluate(np.zeros((1, 1)), np.zeros(1))
    >>> loss, grad_coef.tolist(), grad_intercept.tolist()
    (0.6931471805599453, [[0.5]], [0.0])
    """
    blocks = row_blocks(X, xp)
    shift = zero_score_loss(link, Y.shape[1])
    weight_sum = float(xp.sum(sample_weight))
    if xp is np:
        threads = fit_threads(X, blocks)
        kernel = _BlockKernel(
            X, Y, sample_weight, link=link, blocks=blocks, threads=threads
        )
        sums = kernel.sums
    else:

        def sums(coef, intercept, shift):
            return loss_and_gradient_sums(
                X,
                Y,
                sample_weight,
                coef,
                intercept,
                link=link,
                blocks=blocks,
                shift=shift,
                xp=xp,
            )

    def evaluate(coef, intercept):
        loss_sum, grad_coef, grad_intercept = sums(coef, intercept, shift)
        return (
            shift + loss_sum / weight_sum,
            grad_coef / weight_sum,
            grad_intercept / weight_sum,
        )

    return evaluate


def check_divergence(loss, first_loss, coef, iteration, learning_rate, xp=np):
    """Raise ValueError when gradient descent has clearly blown up."""
    blown_up = loss > DIVERGENCE_FACTOR * max(first_loss, np.log(2))
    if np.isfinite(loss) and not blown_up and bool(xp.all(xp.isfinite(coef))):
        return
    raise ValueError(
        f"Gradient descent diverged at iteration {iteration}: the loss went from "
        f"{first_loss:.6g} to {loss:.6g}. The learning_rate={learning_rate!r} is too "
        "large for this data: use a smaller learning_rate, or scale the features "
        "(for example divide pixels by 255, or use StandardScaler)."
    )


class _NoImprovementCounter:
    """The stopping rule of scikit-learn's MLP: stop after ``patience`` iterations
    whose loss did not improve on the best loss by at least ``tol``."""

    def __init__(self, tol, patience):
        self.tol = tol
        self.patience = patience
        self.best_loss = np.inf
        self.count = 0

    def should_stop(self, loss):
        if self.tol is None:
            return False
        self.count = self.count + 1 if loss > self.best_loss - self.tol else 0
        self.best_loss = min(self.best_loss, loss)
        return self.count >= self.patience


def gradient_descent(
    evaluate,
    coef,
    intercept,
    *,
    learning_rate,
    alpha=0.0,
    fit_intercept=True,
    max_iter,
    tol=None,
    n_iter_no_change=10,
    first_iteration=0,
    on_iteration=None,
    penalty_share=1.0,
    reference_loss=None,
    xp=np,
):
    """Run full-batch gradient descent from the given weights.

    Parameters
    ----------
    evaluate : callable
        ``evaluate(coef, intercept) -> (loss, grad_coef, grad_intercept)``, the
        weighted mean loss and its gradient in one pass over the data (see
        :func:`make_evaluator`); ``intercept`` is None when it is not fitted.
    coef : array of shape (n_features, n_outputs)
        Starting weights (zeros reproduce the notebook); not modified.
    intercept : array of shape (n_outputs,)
        Starting intercepts; not modified.
    learning_rate : float
    alpha : float
        L2 penalty ``alpha / 2 * ||coef||^2`` added to the loss; the intercept is never
        penalised.
    fit_intercept : bool
    max_iter : int
    tol : float or None
        None runs exactly ``max_iter`` iterations.
    n_iter_no_change : int
    first_iteration : int
        Number given to the first iteration (for warm starts and messages).
    on_iteration : callable or None
        Called as ``on_iteration(iteration, loss)`` once per iteration.
    penalty_share : float, default=1.0
        The part of the penalty reported in the loss: ``1 / n_outputs`` when the
        loss is the mean of ``n_outputs`` independent detectors' losses, so that the
        loss stays the mean of their penalised losses. The gradient always carries
        the whole penalty of each detector.
    reference_loss : float or None
        The loss divergence is measured against; None uses this run's first loss.
        A warm-started continuation passes the first loss of the whole run.
    xp : module, default=numpy
        The Array API namespace of the weights.

    Returns
    -------
    GradientDescentResult
    """
    coef = xp.asarray(coef, copy=True)
    intercept = xp.asarray(intercept, copy=True) if fit_intercept else intercept * 0
    stopper = _NoImprovementCounter(tol, n_iter_no_change)
    result = GradientDescentResult(coef=coef, intercept=intercept)
    for iteration in range(first_iteration, first_iteration + max_iter):
        loss, grad_coef, grad_intercept = evaluate(
            coef, intercept if fit_intercept else None
        )
        if alpha:
            loss += 0.5 * alpha * penalty_share * float(xp.sum(coef * coef))
            grad_coef += alpha * coef
        result.loss_curve.append(loss)
        if on_iteration is not None:
            on_iteration(iteration, loss)
        coef -= grad_coef * learning_rate
        if fit_intercept:
            intercept -= grad_intercept * learning_rate
        start = result.loss_curve[0] if reference_loss is None else reference_loss
        check_divergence(loss, start, coef, iteration, learning_rate, xp)
        if stopper.should_stop(loss):
            result.converged = True
            break
    return result
