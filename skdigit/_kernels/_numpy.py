"""The NumPy / SciPy-sparse kernel: one pass over X per call, in cache-sized blocks.

Each iteration reads ``X`` once from memory: rows are processed in blocks small enough
to stay in the CPU cache, so the second product ``X_block.T @ residual`` re-reads the
block from cache rather than from main memory, and the loss comes from the same
decision values as the gradient. No ``n_samples x n_features`` temporary is ever made;
the intercept is handled on its own instead of through a column of ones.

Integer X (the notebook's uint8 pixels) is read as it is: each block is cast into a
float buffer of the thread's own, reused from block to block, so the fit never holds a
float copy of X and reads an eighth of the bytes per iteration (uint8 against
float64). The cast values are exactly those of ``X.astype(float64)``, so the results
are bit for bit those of a float64 X.

Everything that does not change between iterations (views of each block, target
signs, buffers for the element-wise work) is prepared once per fit, and the
element-wise work runs in place. The blocks are shared between threads
(:mod:`skdigit._threads`); each block writes its gradient into its own slot, and the
slots are added up in block order, so the result does not depend on the number of
threads.
"""

import numpy as np
import scipy.sparse as sp
from scipy.special import expit

from .._threads import PartPool, split_blocks

# Rows per block are chosen so that one block of X (as floats) takes about this many
# bytes: the blocks of all threads must stay in the last-level cache between the two
# products, while blocks large enough keep Python's per-block overhead small.
BLOCK_BYTES = 4 * 2**20


def row_blocks(n_samples, n_features, itemsize, *, sparse=False):
    """Split ``n_samples`` rows into slices of about :data:`BLOCK_BYTES` each.

    ``itemsize`` is the size of one value as the products read it (the float type
    the kernel computes in). Sparse matrices are not blocked: their products do not
    gain from cache reuse and slicing them costs a copy.

    Examples
    --------
    >>> from skdigit._kernels._numpy import row_blocks
    >>> row_blocks(3, 2, 8)
    [slice(0, 3, None)]
    """
    if sparse:
        return [slice(0, n_samples)]
    rows = max(1, BLOCK_BYTES // max(1, n_features * itemsize))
    return [
        slice(start, min(start + rows, n_samples))
        for start in range(0, n_samples, rows)
    ]


def weighted_gram_pass(X, sample_weight):
    """The function ``(coef, bias) -> (X.T @ t, sum(t))`` with ``t = sample_weight *
    (X @ coef + bias)``: one pass over X per call, in blocks of rows (integer blocks
    converted by the products, a block at a time; sparse X as it is).

    Examples
    --------
    >>> import numpy as np
    >>> from skdigit._kernels._numpy import weighted_gram_pass
    >>> X = np.array([[1, 2], [3, 4]], dtype=np.uint8)
    >>> gram = weighted_gram_pass(X, np.ones(2))
    >>> total, t_sum = gram(np.array([1.0, 0.0]), 0.0)
    >>> total.tolist(), t_sum
    ([10.0, 14.0], 4.0)
    """
    blocks = row_blocks(*X.shape, 8, sparse=sp.issparse(X))

    def gram(coef, bias):
        total, t_sum = np.zeros(X.shape[1]), 0.0
        for rows in blocks:
            # Slicing a sparse X would copy it: it is one block, used as it is.
            X_block = X if len(blocks) == 1 else X[rows]
            t = sample_weight[rows] * (X_block @ coef + bias)
            total += X_block.T @ t
            t_sum += float(t.sum())
        return total, t_sum

    return gram


class _Block:
    """Views of one block of rows into the kernel's arrays."""

    __slots__ = (
        "X",
        "X_float",
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


class BlockKernel:
    """Weighted sums of the loss and its gradient over NumPy or SciPy-sparse data.

    Each block runs ``z = X_block @ coef + intercept``, the residual, and
    ``X_block.T @ residual`` while the block is in cache, with as few NumPy calls as
    possible: threads take turns at the GIL between calls. The loss, which the
    gradient does not need, is computed afterwards from the stored ``z``, with one
    vectorised pass over each thread's rows. A call allocates nothing of the size of
    a block.

    Parameters
    ----------
    X : ndarray or CSR matrix of shape (n_samples, n_features)
        Float, or any integer type (read block by block into float buffers).
    Y : ndarray of shape (n_samples, n_outputs)
        0/1 targets in the float type to compute in.
    sample_weight : ndarray of shape (n_samples,)
    link : {"sigmoid", "softmax"}
    threads : int, default=1
        Number of threads sharing the blocks, each running single-threaded BLAS.
    blocks : list of slice or None, default=None
        Row blocks; None uses :func:`row_blocks`.

    Examples
    --------
    >>> import numpy as np
    >>> from skdigit._kernels._numpy import BlockKernel
    >>> X = np.array([[1], [3]], dtype=np.uint8)
    >>> kernel = BlockKernel(X, np.array([[1.0], [0.0]]), np.ones(2), link="sigmoid")
    >>> loss_sum, grad_coef, grad_intercept = kernel.sums(np.zeros((1, 1)), None, 0.0)
    >>> round(loss_sum, 6), grad_coef.tolist(), grad_intercept.tolist()
    (1.386294, [[1.0]], [0.0])
    """

    def __init__(self, X, Y, sample_weight, *, link, threads=1, blocks=None):
        self.dtype = Y.dtype
        sparse = sp.issparse(X)
        if blocks is None:
            blocks = row_blocks(*X.shape, self.dtype.itemsize, sparse=sparse)
        # BLAS matrix-vector products are about twice as fast as matrix products with
        # a single column, so one output is handled as plain vectors.
        self.single = Y.shape[1] == 1
        Y = Y[:, 0] if self.single else Y
        # Weights of one leave the residual unchanged: skip the multiplication.
        weighted = not bool(np.all(sample_weight == 1))
        self.sample_weight = sample_weight if weighted else None
        weights = sample_weight if self.single else sample_weight[:, None]
        n_samples, n_features = X.shape
        cast = not sparse and X.dtype != self.dtype
        self.z = np.empty(Y.shape, self.dtype)
        self.row_loss = np.empty(n_samples, self.dtype)
        self.exp_sum = np.empty(n_samples, self.dtype) if link == "softmax" else None
        self.gradients = np.empty((len(blocks), n_features, *Y.shape[1:]), self.dtype)
        self.residual_sums = np.empty((len(blocks), *Y.shape[1:]), self.dtype)
        sigmoid = link == "sigmoid"
        Y_sign = np.where(Y > 0, -1, 1).astype(self.dtype) if sigmoid else None
        parts, index = [], 0
        for part_blocks in split_blocks(blocks, threads):
            rows = slice(part_blocks[0].start, part_blocks[-1].stop)
            largest = max(block.stop - block.start for block in part_blocks)
            residual = np.empty((largest, *Y.shape[1:]), self.dtype)
            X_float = np.empty((largest, n_features), self.dtype) if cast else None
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
                size = rows.stop - rows.start
                block = _Block()
                # Slicing a sparse matrix copies it: X itself when the block is all.
                whole = rows.start == 0 and rows.stop == n_samples
                block.X = X if whole else X[rows]
                block.X_float = None if X_float is None else X_float[:size]
                block.Y, block.z = Y[rows], self.z[rows]
                block.weights = weights[rows] if weighted else None
                block.exp_sum = None if self.exp_sum is None else self.exp_sum[rows]
                block.residual = residual[:size]
                block.gradient = self.gradients[index]
                block.residual_sum = self.residual_sums[index : index + 1]
                part.blocks.append(block)
                index += 1
            parts.append(part)
        self.block_residual = _RESIDUALS[link]
        self.part_loss = _ROW_LOSSES[link]
        self.pool = PartPool(parts)

    @property
    def parts(self):
        return self.pool.parts

    def sums(self, coef, intercept, shift):
        """Weighted sums over all rows, for weights ``coef`` (n_features, n_outputs)
        and ``intercept`` (n_outputs,), or None when no intercept is fitted.

        Returns
        -------
        loss_sum : float
            ``sum(sample_weight * (row_loss - shift))``.
        grad_coef : ndarray of shape (n_features, n_outputs)
            ``X.T @ (sample_weight * residual)``.
        grad_intercept : ndarray of shape (n_outputs,)
            ``sum(sample_weight * residual)``.
        """
        weights = coef[:, 0] if self.single else coef
        bias = intercept
        if intercept is not None and self.single:
            bias = intercept[0]
        self.pool.run(lambda part: self._run_part(part, weights, bias))
        row_loss = self.row_loss
        row_loss -= shift
        if self.sample_weight is not None:
            row_loss *= self.sample_weight
        loss_sum = float(row_loss.sum(dtype=np.float64))
        grad_coef = self.gradients.sum(axis=0).reshape(coef.shape)
        grad_intercept = self.residual_sums.sum(axis=0).reshape(-1)
        return loss_sum, grad_coef, grad_intercept

    def close(self):
        """Stop the kernel's threads."""
        self.pool.close()

    def _run_part(self, part, weights, bias):
        block_residual = self.block_residual
        for block in part.blocks:
            X_block = block.X
            if block.X_float is not None:
                X_block = block.X_float
                np.copyto(X_block, block.X)
            z = block.z
            _decision_values(X_block, weights, out=z)
            if bias is not None:
                z += bias
            residual = block_residual(z, block)
            if block.weights is not None:
                residual *= block.weights
            _transposed_product(X_block, residual, out=block.gradient)
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
    """Each row's loss from its stored ``z``, as
    :func:`skdigit._loss.sigmoid_loss_and_residual` computes it: the mean over
    outputs of ``softplus(signed z)``."""
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
    :func:`skdigit._loss.softmax_loss_and_residual` computes it."""
    np.log(part.exp_sum, out=part.row_loss)
    np.multiply(part.z, part.Y, out=part.loss)
    part.row_loss -= part.loss.sum(axis=1)


_RESIDUALS = {"sigmoid": _sigmoid_residual, "softmax": _softmax_residual}
_ROW_LOSSES = {"sigmoid": _sigmoid_row_loss, "softmax": _softmax_row_loss}
