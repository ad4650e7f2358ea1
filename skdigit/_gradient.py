"""The gradient-descent kernel behind :class:`~skdigit.GDLogisticRegression`.

This module owns the numerical work and nothing of the scikit-learn API: given a
validated design matrix ``X`` (dense or CSR, float32 or float64), a 0/1 target matrix
``Y`` with one column per output and sample weights, it runs the notebook's loop:

    for each iteration:
        loss     = weighted mean log-loss at the current weights
        gradient = X.T @ (predicted probabilities - Y) / sum of weights
        weights -= learning_rate * gradient

Each iteration reads ``X`` once from memory: rows are processed in blocks small enough
to stay in the CPU cache, so the second product ``X_block.T @ residual`` re-reads the
block from cache rather than from main memory. No ``n_samples x n_features``
temporary is ever made; the intercept is handled on its own instead of through a column
of ones.
"""

from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

# Rows per block are chosen so that one block of X takes about this many bytes: it must
# stay in the last-level cache between the two products, while blocks large enough
# keep Python's per-block overhead small.
BLOCK_BYTES = 4 * 2**20

# A loss this many times larger than the loss at the start of the fit means the steps
# overshoot so far that the model is meaningless (the notebook would print inf here).
DIVERGENCE_FACTOR = 1e3


@dataclass
class GradientDescentResult:
    """What :func:`gradient_descent` found.

    Attributes
    ----------
    coef : ndarray of shape (n_features, n_outputs)
        Final weights, after the last update.
    intercept : ndarray of shape (n_outputs,)
        Final intercepts (zeros when the intercept is not fitted).
    loss_curve : list of float
        The loss at the start of each iteration, before its update.
    converged : bool
        Whether the ``tol`` / ``n_iter_no_change`` stopping rule ended the loop.
    """

    coef: np.ndarray
    intercept: np.ndarray
    loss_curve: list = field(default_factory=list)
    converged: bool = False


def sigmoid_loss_and_residual(z, Y):
    """Per-row log-loss and ``sigmoid(z) - Y`` for independent binary outputs.

    The loss of each row is the mean over its outputs of
    ``-(y * log(p) + (1 - y) * log(1 - p))`` with ``p = 1 / (1 + exp(-z))``,
    computed as ``softplus(+-z)`` so that it never overflows nor takes ``log(0)``.
    The sigmoid shares the same exponential: ``exp(-|z|)`` is always in ``(0, 1]``.

    Parameters
    ----------
    z : ndarray of shape (n_rows, n_outputs)
        Decision values.
    Y : ndarray of shape (n_rows, n_outputs)
        0/1 targets.

    Returns
    -------
    row_loss : ndarray of shape (n_rows,)
    residual : ndarray of shape (n_rows, n_outputs)
        ``sigmoid(z) - Y``.

    Examples
    --------
    >>> import numpy as np
    >>> from skdigit._gradient import sigmoid_loss_and_residual
    >>> loss, residual = sigmoid_loss_and_residual(np.zeros((1, 1)), np.ones((1, 1)))
    >>> float(loss[0]), float(residual[0, 0])
    (0.693147..., -0.5)
    """
    exp_neg_abs = np.exp(-np.abs(z))
    log_term = np.log1p(exp_neg_abs)
    # softplus(t) = max(t, 0) + log1p(exp(-|t|)) with t = -z for y = 1 and z for y = 0
    signed = np.where(Y > 0, -z, z)
    row_loss = (np.maximum(signed, 0) + log_term).mean(axis=1)
    # For z >= 0 this is the notebook's 1 / (1 + exp(-z)), bit for bit.
    inv_denominator = 1 / (1 + exp_neg_abs)
    proba = np.where(z >= 0, inv_denominator, exp_neg_abs * inv_denominator)
    return row_loss, proba - Y


def softmax_loss_and_residual(z, Y):
    """Per-row cross-entropy and ``softmax(z) - Y`` for one-hot targets.

    Parameters
    ----------
    z : ndarray of shape (n_rows, n_classes)
        Decision values.
    Y : ndarray of shape (n_rows, n_classes)
        One-hot targets.

    Returns
    -------
    row_loss : ndarray of shape (n_rows,)
    residual : ndarray of shape (n_rows, n_classes)

    Examples
    --------
    >>> import numpy as np
    >>> from skdigit._gradient import softmax_loss_and_residual
    >>> loss, residual = softmax_loss_and_residual(np.zeros((1, 4)), np.eye(4)[:1])
    >>> float(loss[0]) == float(np.log(4))
    True
    """
    # Shifting by the row maximum keeps every exponential in (0, 1].
    shifted = z - z.max(axis=1, keepdims=True)
    exp_shifted = np.exp(shifted)
    sum_exp = exp_shifted.sum(axis=1, keepdims=True)
    row_loss = np.log(sum_exp[:, 0]) - (shifted * Y).sum(axis=1)
    return row_loss, exp_shifted / sum_exp - Y


LINKS = {"sigmoid": sigmoid_loss_and_residual, "softmax": softmax_loss_and_residual}


def row_blocks(X):
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
    rows = max(1, BLOCK_BYTES // max(1, n_features * X.dtype.itemsize))
    return [
        slice(start, min(start + rows, n_samples))
        for start in range(0, n_samples, rows)
    ]


def loss_and_gradient(X, Y, sample_weight, coef, intercept, *, link, blocks):
    """Weighted mean loss and its gradient, from one pass over the rows of X.

    Parameters
    ----------
    X : ndarray or CSR matrix of shape (n_samples, n_features)
    Y : ndarray of shape (n_samples, n_outputs)
    sample_weight : ndarray of shape (n_samples,)
    coef : ndarray of shape (n_features, n_outputs)
    intercept : ndarray of shape (n_outputs,) or None
        None when no intercept is fitted.
    link : {"sigmoid", "softmax"}
    blocks : list of slice
        Row blocks from :func:`row_blocks`.

    Returns
    -------
    loss : float
    grad_coef : ndarray of shape (n_features, n_outputs)
    grad_intercept : ndarray of shape (n_outputs,)
    """
    loss_and_residual = LINKS[link]
    grad_coef = np.zeros_like(coef)
    grad_intercept = np.zeros(coef.shape[1], dtype=coef.dtype)
    # BLAS matrix-vector products are about twice as fast as matrix products with a
    # single column, so one output is computed with a plain vector.
    single = coef.shape[1] == 1
    weights_vector = coef[:, 0] if single else coef
    # The loss is summed relative to a shift, the first row's loss: a uniform loss
    # (zero weights, first iteration) then comes out exactly, log(2) to the last bit,
    # as the notebook's np.average gives it, and the sum loses less to rounding.
    shift = None
    loss_sum = 0.0
    for rows in blocks:
        X_block = X[rows]
        z = (X_block @ weights_vector).reshape(-1, coef.shape[1])
        if intercept is not None:
            z += intercept
        row_loss, residual = loss_and_residual(z, Y[rows])
        weights = sample_weight[rows]
        if shift is None:
            shift = float(row_loss[0])
        loss_sum += float(weights @ (row_loss - shift))
        residual *= weights[:, None]
        if single:
            grad_coef[:, 0] += residual[:, 0] @ X_block
        else:
            grad_coef += X_block.T @ residual
        grad_intercept += residual.sum(axis=0)
    weight_sum = sample_weight.sum()
    loss = shift + loss_sum / float(weight_sum)
    return loss, grad_coef / weight_sum, grad_intercept / weight_sum


def check_divergence(loss, first_loss, coef, iteration, learning_rate):
    """Raise ValueError when gradient descent has clearly blown up."""
    blown_up = loss > DIVERGENCE_FACTOR * max(first_loss, np.log(2))
    if np.isfinite(loss) and not blown_up and np.isfinite(coef).all():
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
    X,
    Y,
    sample_weight,
    coef,
    intercept,
    *,
    link="sigmoid",
    learning_rate,
    alpha=0.0,
    fit_intercept=True,
    max_iter,
    tol=None,
    n_iter_no_change=10,
    first_iteration=0,
    on_iteration=None,
):
    """Run full-batch gradient descent from the given weights.

    Parameters
    ----------
    X : ndarray or CSR matrix of shape (n_samples, n_features), float32 or float64
    Y : ndarray of shape (n_samples, n_outputs), same dtype as X
        0/1 targets, one column per output (one-hot rows for ``link="softmax"``).
    sample_weight : ndarray of shape (n_samples,), same dtype as X
        Non-negative weights with a positive sum; the loss and gradient are normalised
        by their sum, so integer weights equal repeated rows.
    coef : ndarray of shape (n_features, n_outputs)
        Starting weights (zeros reproduce the notebook); not modified.
    intercept : ndarray of shape (n_outputs,)
        Starting intercepts; not modified.
    link : {"sigmoid", "softmax"}
        Independent sigmoids (binary, one-vs-rest) or one softmax over the outputs.
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

    Returns
    -------
    GradientDescentResult
    """
    coef = coef.copy()
    intercept = intercept.copy() if fit_intercept else np.zeros_like(intercept)
    blocks = row_blocks(X)
    stopper = _NoImprovementCounter(tol, n_iter_no_change)
    result = GradientDescentResult(coef=coef, intercept=intercept)
    for iteration in range(first_iteration, first_iteration + max_iter):
        loss, grad_coef, grad_intercept = loss_and_gradient(
            X,
            Y,
            sample_weight,
            coef,
            intercept if fit_intercept else None,
            link=link,
            blocks=blocks,
        )
        if alpha:
            loss += 0.5 * alpha * float(np.vdot(coef, coef))
            grad_coef += alpha * coef
        result.loss_curve.append(loss)
        if on_iteration is not None:
            on_iteration(iteration, loss)
        coef -= grad_coef * learning_rate
        if fit_intercept:
            intercept -= grad_intercept * learning_rate
        check_divergence(loss, result.loss_curve[0], coef, iteration, learning_rate)
        if stopper.should_stop(loss):
            result.converged = True
            break
    return result
