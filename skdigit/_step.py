"""``learning_rate="auto"``: a step size that gradient descent can not overshoot with.

The gradient of the mean log-loss is Lipschitz-continuous with constant
``L = c * lambda_max + alpha``, where ``lambda_max`` is the largest eigenvalue of the
weighted Gram matrix ``X1.T @ diag(w) @ X1 / sum(w)`` (``X1`` is X with a column of
ones when the intercept is fitted), ``c = 1/4`` for sigmoid detectors (the sigmoid's
largest slope) and ``c = 1/2`` for softmax. Gradient descent converges for any step
below ``2 / L``; ``1 / L`` is the classic safe choice. ``lambda_max`` comes from a few
power iterations, each two passes over X.
"""

import numpy as np
import scipy.sparse as sp

# Power iteration stops when the estimate moves by less than this, relatively.
POWER_ITERATION_RTOL = 1e-3
POWER_ITERATION_MAX = 30
_CURVATURE = {"sigmoid": 0.25, "softmax": 0.5}


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
    gram = _gram_product(X, sample_weight, fit_intercept, xp)
    weight_sum = float(np.sum(_to_host(sample_weight)))
    n_columns = X.shape[1] + int(fit_intercept)
    # A fixed, positive start: every direction with weight in the data is reached,
    # and the result is the same from run to run.
    v = np.linspace(1.0, 2.0, n_columns)
    estimate = 0.0
    for _ in range(POWER_ITERATION_MAX):
        v /= np.linalg.norm(v)
        u = gram(v) / weight_sum
        previous, estimate = estimate, float(np.linalg.norm(u))
        if estimate == 0 or abs(estimate - previous) <= POWER_ITERATION_RTOL * estimate:
            break
        v = u
    lipschitz = _CURVATURE[link] * estimate + alpha
    if not np.isfinite(lipschitz):
        raise ValueError(
            'learning_rate="auto" could not size the step: X is too large to square '
            "in floating point. Scale the features, or give a learning_rate."
        )
    if lipschitz == 0:
        # All-zero X without intercept or penalty: any step is safe.
        return 1.0
    return 1.0 / lipschitz


def _to_host(array):
    from ._array_api import to_numpy

    return to_numpy(array)


def _gram_product(X, sample_weight, fit_intercept, xp):
    """``v -> X1.T @ (w * (X1 @ v))`` as a NumPy vector, one pass over X per call."""
    from ._dask import is_dask_array

    n_features = X.shape[1]

    def split(v):
        return v[:n_features], (v[n_features] if fit_intercept else 0.0)

    def join(coef_part, intercept_part):
        if not fit_intercept:
            return coef_part
        return np.append(coef_part, intercept_part)

    if is_dask_array(X):
        import dask

        def gram(v):
            coef, bias = split(v)
            t = sample_weight * (X @ coef + bias)
            return join(*dask.compute(t @ X, t.sum()))

        return gram
    if xp is not np:
        from ._array_api import from_numpy

        def gram(v):
            coef, bias = split(from_numpy(v.astype(np.float64), xp, X))
            t = sample_weight * (X @ xp.astype(coef, X.dtype) + bias)
            return join(_to_host(t @ X), float(xp.sum(t)))

        return gram
    from ._kernels._numpy import row_blocks

    blocks = row_blocks(*X.shape, 8, sparse=sp.issparse(X))

    def gram(v):
        coef, bias = split(v)
        total, t_sum = np.zeros(n_features), 0.0
        for rows in blocks:
            # Integer blocks are converted by the products, a block at a time; a
            # sparse X is one block, used as it is (slicing it would copy it).
            X_block = X if len(blocks) == 1 else X[rows]
            t = sample_weight[rows] * (X_block @ coef + bias)
            total += X_block.T @ t
            t_sum += float(t.sum())
        return join(total, t_sum)

    return gram
