"""The log-losses of logistic regression, their residuals and probabilities.

Pure element-wise math for any Array API namespace ``xp``, written so that nothing
overflows and no ``log(0)`` is taken: sigmoids and softplus share ``exp(-|z|)``, softmax
shifts each row by its maximum. The L2 penalty lives here too, as the one other term
of the objective, and the loss's curvature bound (:data:`CURVATURE`).

This module is the reference: the Array API kernel and the estimator's
``predict_proba`` use it as it is; the NumPy kernel (in place, block by block) and the
compiled kernel (row by row) carry fast copies of the loss and residual, pinned to
these functions by ``tests/test_loss.py``. ``docs/architecture.rst`` lists them: a
change to the loss is a change to each.
"""

import numpy as np


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
    >>> from skdigit._loss import sigmoid_loss_and_residual
    >>> loss, residual = sigmoid_loss_and_residual(np.zeros((1, 1)), np.ones((1, 1)))
    >>> float(loss[0]), float(residual[0, 0])
    (0.693147..., -0.5)
    """
    exp_neg_abs = xp.exp(-xp.abs(z))
    # softplus(t) = max(t, 0) + log1p(exp(-|t|)) with t = -z for y = 1 and z for y = 0
    signed = xp.where(Y > 0, -z, z)
    row_loss = xp.mean(xp.clip(signed, min=0.0) + xp.log1p(exp_neg_abs), axis=1)
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
    >>> from skdigit._loss import sigmoid
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
    >>> from skdigit._loss import softmax_loss_and_residual
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


def log_sigmoid(z, xp=np):
    """``log(1 / (1 + exp(-z)))``, without overflow or ``log(0)``.

    Examples
    --------
    >>> import numpy as np
    >>> from skdigit._loss import log_sigmoid
    >>> log_sigmoid(np.array([-800.0, 0.0, 800.0])).tolist()
    [-800.0, -0.6931471805599453, -0.0]
    """
    return -(xp.clip(-z, min=0.0) + xp.log1p(xp.exp(-xp.abs(z))))


def log_softmax(z, xp=np):
    """Row-wise logarithm of the softmax, without overflow or ``log(0)``.

    Examples
    --------
    >>> import numpy as np
    >>> from skdigit._loss import log_softmax
    >>> log_softmax(np.array([[0.0, 0.0], [1000.0, 0.0]])).tolist()
    [[-0.6931471805599453, -0.6931471805599453], [0.0, -1000.0]]
    """
    shifted, _, sum_exp = _shifted_exponentials(z, xp)
    return shifted - xp.log(sum_exp)


LINKS = {"sigmoid": sigmoid_loss_and_residual, "softmax": softmax_loss_and_residual}
# The largest second derivative of each link's row loss along a direction of
# unit length in the scores: the sigmoid's largest slope, 1/4 (a row's loss is the
# mean over its outputs), and 1/2 for the softmax cross-entropy. With the largest
# eigenvalue of the data's Gram matrix, it bounds the loss's curvature
# (skdigit._step).
CURVATURE = {"sigmoid": 0.25, "softmax": 0.5}


def zero_score_loss(link, n_outputs):
    """The row loss at zero scores: log(2) for sigmoids, log(n_classes) for softmax.

    It is the loss of every row at the notebook's zero initialisation, computed by the
    link itself so that it is bit-for-bit the value the rows give.

    Examples
    --------
    >>> from skdigit._loss import zero_score_loss
    >>> zero_score_loss("sigmoid", 1)
    0.6931471805599453
    """
    scores = np.zeros((1, n_outputs))
    targets = np.eye(1, n_outputs)
    return float(LINKS[link](scores, targets)[0][0])


def l2_penalty(coef, alpha, share, xp=np):
    """The L2 term of the objective and its gradient: ``share * alpha / 2 * ||coef||^2``
    and ``alpha * coef``.

    ``share`` is ``1 / n_outputs`` when the reported loss is the mean of ``n_outputs``
    independent detectors' losses, so that the loss stays the mean of their penalised
    losses; the gradient always carries each detector's whole penalty.

    Examples
    --------
    >>> import numpy as np
    >>> from skdigit._loss import l2_penalty
    >>> loss, grad = l2_penalty(np.array([[3.0], [4.0]]), 0.1, 1.0)
    >>> round(float(loss), 12), grad.ravel().tolist()
    (1.25, [0.30000000000000004, 0.4])
    """
    # The loss term stays an array scalar: on a device, no synchronisation here.
    return 0.5 * alpha * share * xp.sum(coef * coef), alpha * coef
