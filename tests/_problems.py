"""Small random problems shared by the kernel, solver and thread tests."""

import numpy as np
import scipy.sparse as sp

from skdigit._kernels import _numpy as numpy_kernel
from skdigit._kernels import make_objective
from skdigit._loss import LINKS


def make_problem(n_samples=53, n_features=6, n_outputs=1, dtype=np.float64, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_samples, n_features)).astype(dtype)
    labels = rng.integers(0, max(2, n_outputs), n_samples)
    if n_outputs == 1:
        Y = (labels == 1).astype(dtype).reshape(-1, 1)
    else:
        Y = np.eye(n_outputs, dtype=dtype)[labels]
    weights = rng.uniform(0.5, 2.0, n_samples).astype(dtype)
    coef = rng.normal(size=(n_features, n_outputs)).astype(dtype)
    intercept = rng.normal(size=n_outputs).astype(dtype)
    return X, Y, weights, coef, intercept


def evaluator(X, Y, weights, *, link):
    """The objective's evaluate function on the kernel make_objective picks."""
    return make_objective(X, Y, weights, link=link).evaluate


def blocks_of(X, itemsize=8):
    """The NumPy kernel's row blocks for X."""
    return numpy_kernel.row_blocks(*X.shape, itemsize, sparse=sp.issparse(X))


def reference_sums(X, Y, weights, coef, intercept, link, shift):
    """The weighted sums straight from the reference link functions, in one block."""
    z = X @ coef + (0 if intercept is None else intercept)
    row_loss, residual = LINKS[link](z, Y)
    residual = residual * weights[:, None]
    return (
        float(weights @ (row_loss - shift)),
        X.T @ residual,
        residual.sum(axis=0),
    )
