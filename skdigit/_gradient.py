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

    def evaluate(coef, intercept):
        loss_sum, grad_coef, grad_intercept = loss_and_gradient_sums(
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
            loss += 0.5 * alpha * float(xp.sum(coef * coef))
            grad_coef += alpha * coef
        result.loss_curve.append(loss)
        if on_iteration is not None:
            on_iteration(iteration, loss)
        coef -= grad_coef * learning_rate
        if fit_intercept:
            intercept -= grad_intercept * learning_rate
        check_divergence(loss, result.loss_curve[0], coef, iteration, learning_rate, xp)
        if stopper.should_stop(loss):
            result.converged = True
            break
    return result
