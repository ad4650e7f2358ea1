"""The Array API kernel: whole arrays on their device (PyTorch, CuPy, ...).

Each call is three whole-array operations on the device where ``X`` lives: the
decision values ``X @ coef``, the loss and residual, and ``X.T @ residual``. Nothing
is split into blocks: a GPU is fastest on large products, and blocks would cost one
synchronisation each. The loss sum stays a device scalar; the objective turns it into a
Python float once per iteration, the one host synchronisation of the fit's loop.
"""

import numpy as np

from .._array_api import from_numpy, to_numpy
from .._loss import LINKS


def weighted_gram_pass(X, sample_weight, xp):
    """The function ``(coef, bias) -> (X.T @ t, sum(t))`` with ``t = sample_weight *
    (X @ coef + bias)``, taking and returning NumPy values and computing on X's
    device: one pass over X per call."""

    def gram(coef, bias):
        coef = xp.astype(from_numpy(coef.astype(np.float64), xp, X), X.dtype)
        t = sample_weight * (X @ coef + bias)
        return to_numpy(t @ X), float(xp.sum(t))

    return gram


class ArrayAPIKernel:
    """Weighted sums of the loss and its gradient in an Array API namespace.

    Parameters
    ----------
    X : array of shape (n_samples, n_features)
        Floating-point, in namespace ``xp``.
    Y : array of shape (n_samples, n_outputs)
        0/1 targets, same namespace, device and dtype as X.
    sample_weight : array of shape (n_samples,)
    link : {"sigmoid", "softmax"}
    xp : module
        The Array API namespace.

    Examples
    --------
    >>> import array_api_strict as xp
    >>> from skdigit._kernels._xp import ArrayAPIKernel
    >>> X, Y = xp.asarray([[1.0], [3.0]]), xp.asarray([[1.0], [0.0]])
    >>> kernel = ArrayAPIKernel(X, Y, xp.ones(2), link="sigmoid", xp=xp)
    >>> loss_sum, grad_coef, grad_intercept = kernel.sums(xp.zeros((1, 1)), None, 0.0)
    >>> round(float(loss_sum), 6), float(grad_coef[0, 0])
    (1.386294, 1.0)
    """

    def __init__(self, X, Y, sample_weight, *, link, xp):
        self.X, self.Y, self.xp = X, Y, xp
        self.sample_weight = sample_weight
        self.loss_and_residual = LINKS[link]

    def sums(self, coef, intercept, shift):
        """``(loss_sum, grad_coef, grad_intercept)`` as in
        :meth:`skdigit._kernels._numpy.BlockKernel.sums`, with ``loss_sum`` a
        0-dimensional array on the device."""
        xp, weights = self.xp, self.sample_weight
        z = self.X @ coef
        if intercept is not None:
            z = z + intercept
        row_loss, residual = self.loss_and_residual(z, self.Y, xp)
        loss_sum = xp.sum(weights * (row_loss - shift))
        residual = residual * weights[:, None]
        return loss_sum, self.X.T @ residual, xp.sum(residual, axis=0)

    def close(self):
        """Nothing to release."""
