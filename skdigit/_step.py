"""``learning_rate="auto"``: a step size that gradient descent can not overshoot with.

The gradient of the mean log-loss is Lipschitz-continuous with constant
``L = c * lambda_max + alpha``, where ``lambda_max`` is the largest eigenvalue of the
weighted Gram matrix ``X1.T @ diag(w) @ X1 / sum(w)`` (``X1`` is X with a column of
ones when the intercept is fitted), ``c = 1/4`` for sigmoid detectors (the sigmoid's
largest slope) and ``c = 1/2`` for softmax. Gradient descent converges for any step
below ``2 / L``; ``1 / L`` is the classic safe choice. ``lambda_max`` comes from a few
power iterations, each one product with the Gram matrix: two passes over X, made by
the kernel layer (:func:`skdigit._kernels.make_gram_product`) on the backend that
holds X. This module keeps only the arithmetic, as scikit-learn's
``get_auto_step_size`` does.
"""

import numpy as np

from ._kernels import make_gram_product
from ._loss import CURVATURE

# Power iteration stops when the estimate moves by less than this, relatively.
POWER_ITERATION_RTOL = 1e-3
POWER_ITERATION_MAX = 30


def lipschitz_step(X, sample_weight, *, link, fit_intercept, alpha, xp=np):
    """``1 / L`` for the fit's mean log-loss (see the module docstring).

    Parameters
    ----------
    X : ndarray, CSR matrix, dask array or Array API array
        Validated training data (integers allowed for NumPy and dask).
    sample_weight : array of shape (n_samples,)
        In X's namespace (NumPy for dask X).
    link : {"sigmoid", "softmax"}
    fit_intercept : bool
    alpha : float
    xp : module
        X's namespace (NumPy for NumPy, SciPy and dask data).

    Returns
    -------
    float

    Examples
    --------
    >>> import numpy as np
    >>> from skdigit._step import lipschitz_step
    >>> X = np.array([[2.0, 0.0], [0.0, 1.0]])
    >>> step = lipschitz_step(
    ...     X, np.ones(2), link="sigmoid", fit_intercept=False, alpha=0.0
    ... )
    >>> round(step, 6)  # lambda_max = 4 / 2 = 2, L = 2 / 4
    2.0
    """
    gram = make_gram_product(X, sample_weight, fit_intercept=fit_intercept, xp=xp)
    weight_sum = float(np.sum(_to_host(sample_weight)))
    # An overflow becomes an infinite estimate, refused below with its cause.
    with np.errstate(over="ignore", invalid="ignore"):
        estimate = _largest_eigenvalue(gram, X.shape[1] + int(fit_intercept))
    lipschitz = CURVATURE[link] * estimate / weight_sum + alpha
    if not np.isfinite(lipschitz):
        raise ValueError(
            'learning_rate="auto" could not size the step: X is too large to square '
            "in floating point. Scale the features, or give a learning_rate."
        )
    if lipschitz == 0:
        # All-zero X without intercept or penalty: any step is safe.
        return 1.0
    return 1.0 / lipschitz


def _largest_eigenvalue(gram, n_columns):
    """The largest eigenvalue of the symmetric positive semi-definite matrix whose
    product with a vector is ``gram``, by power iteration."""
    # A fixed, positive start: every direction with weight in the data is reached,
    # and the result is the same from run to run.
    v = np.linspace(1.0, 2.0, n_columns)
    estimate = 0.0
    for _ in range(POWER_ITERATION_MAX):
        v /= np.linalg.norm(v)
        u = gram(v)
        previous, estimate = estimate, float(np.linalg.norm(u))
        if estimate == 0 or abs(estimate - previous) <= POWER_ITERATION_RTOL * estimate:
            break
        v = u
    return estimate


def _to_host(array):
    from ._array_api import to_numpy

    return to_numpy(array)
