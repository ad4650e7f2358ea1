"""``learning_rate="auto"`` (``skdigit._step``): the arithmetic of ``1 / L``, and the
Gram products it asks of the kernel layer, the same on every backend."""

import numpy as np
import pytest
import scipy.sparse as sp

from skdigit._kernels import make_gram_product
from skdigit._step import lipschitz_step


def largest_eigenvalue(X, weights, fit_intercept):
    """``lambda_max`` of ``X1.T @ diag(w) @ X1 / sum(w)``, by NumPy's eigensolver."""
    X1 = np.column_stack([X, np.ones(len(X))]) if fit_intercept else X
    gram = X1.T @ (weights[:, None] * X1) / weights.sum()
    return np.linalg.eigvalsh(gram)[-1]


@pytest.fixture
def problem():
    rng = np.random.default_rng(0)
    X = rng.integers(0, 256, size=(300, 12)).astype(np.uint8)
    weights = rng.uniform(0.5, 2.0, 300)
    return X, weights


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize(("link", "curvature"), [("sigmoid", 0.25), ("softmax", 0.5)])
def test_the_step_is_one_over_the_lipschitz_constant(
    problem, fit_intercept, link, curvature
):
    X, weights = problem
    alpha = 0.3
    step = lipschitz_step(
        X, weights, link=link, fit_intercept=fit_intercept, alpha=alpha
    )
    expected = curvature * largest_eigenvalue(X, weights, fit_intercept) + alpha
    # Power iteration stops within 1e-3 of the eigenvalue.
    assert step == pytest.approx(1 / expected, rel=2e-3)


def test_all_zero_data_without_penalty_takes_a_step_of_one():
    X = np.zeros((5, 3))
    assert lipschitz_step(
        X, np.ones(5), link="sigmoid", fit_intercept=False, alpha=0.0
    ) == pytest.approx(1.0)


def test_data_too_large_to_square_is_refused():
    X = np.full((4, 2), 1e200)
    with pytest.raises(ValueError, match="too large to square"):
        lipschitz_step(X, np.ones(4), link="sigmoid", fit_intercept=True, alpha=0.0)


@pytest.mark.parametrize("fit_intercept", [True, False])
def test_gram_products_agree_on_every_backend(problem, fit_intercept):
    X, weights = problem
    v = np.linspace(-1.0, 1.0, X.shape[1] + int(fit_intercept))
    X1 = np.column_stack([X, np.ones(len(X))]) if fit_intercept else X.astype(float)
    expected = X1.T @ (weights * (X1 @ v))
    arrays = {"numpy uint8": X, "scipy sparse": sp.csr_matrix(X.astype(float))}
    for name, data in arrays.items():
        gram = make_gram_product(data, weights, fit_intercept=fit_intercept)
        np.testing.assert_allclose(gram(v), expected, rtol=1e-12, err_msg=name)
    da = pytest.importorskip("dask.array")
    gram = make_gram_product(
        da.from_array(X, chunks=(70, 12)), weights, fit_intercept=fit_intercept
    )
    np.testing.assert_allclose(gram(v), expected, rtol=1e-12)
    xp = pytest.importorskip("array_api_strict")
    gram = make_gram_product(
        xp.asarray(X.astype(np.float64)),
        xp.asarray(weights),
        fit_intercept=fit_intercept,
        xp=xp,
    )
    result = gram(v)
    assert isinstance(result, np.ndarray)
    np.testing.assert_allclose(result, expected, rtol=1e-12)
