"""The stable log-losses: equal to the notebook's formula where it is accurate, better
where it is not, never overflowing."""

import numpy as np
import pytest
from scipy.special import expit, log_softmax

from skdigit._loss import (
    l2_penalty,
    sigmoid_loss_and_residual,
    softmax_loss_and_residual,
)


def notebook_loss_terms(z, y, dtype=np.float64):
    """The notebook's per-sample loss, -(y log p + (1 - y) log(1 - p))."""
    z = np.asarray(z, dtype=dtype)
    p = 1 / (1 + np.exp(-z))
    return -(y * np.log(p) + (1 - y) * np.log(1 - p))


@pytest.mark.parametrize("y", [0.0, 1.0])
def test_sigmoid_loss_equals_notebook_formula_where_that_is_accurate(y):
    # The notebook's log(p) and log(1 - p) lose relative accuracy as about
    # 1e-16 / loss for tiny losses and 1e-16 * exp(|z|) for large ones: on |z| <= 9
    # they are good to better than 1e-10, so there the two must agree.
    z = np.linspace(-9, 9, 1801).reshape(-1, 1)
    loss, residual = sigmoid_loss_and_residual(z, np.full_like(z, y))
    np.testing.assert_allclose(loss, notebook_loss_terms(z[:, 0], y), rtol=1e-10)
    np.testing.assert_allclose(residual[:, 0], expit(z[:, 0]) - y, rtol=1e-15, atol=0)


@pytest.mark.parametrize("y", [0.0, 1.0])
def test_sigmoid_loss_is_accurate_where_the_notebook_formula_is_not(y):
    # Reference: softplus in 80-bit long double, log1p(exp(t)) for t <= 0 and
    # t + log1p(exp(-t)) above.
    if np.finfo(np.longdouble).eps >= 1e-18:
        pytest.skip("long double is not wider than double on this platform")
    z = np.linspace(-40, 40, 801)
    t = np.asarray(z if y == 0 else -z, dtype=np.longdouble)
    reference = np.where(
        t <= 0, np.log1p(np.exp(np.minimum(t, 0))), t + np.log1p(np.exp(-np.abs(t)))
    )
    loss, _ = sigmoid_loss_and_residual(z.reshape(-1, 1), np.full((801, 1), y))
    np.testing.assert_allclose(loss, reference.astype(float), rtol=1e-14)


def test_sigmoid_loss_never_overflows():
    # pytest turns RuntimeWarnings (overflow, divide by zero) into errors here.
    z = np.array([[-1e308], [-800.0], [800.0], [1e308]])
    for y in (0.0, 1.0):
        loss, residual = sigmoid_loss_and_residual(z, np.full_like(z, y))
        assert np.isfinite(loss).all()
        assert np.isfinite(residual).all()
    loss, _ = sigmoid_loss_and_residual(np.array([[800.0]]), np.array([[0.0]]))
    assert loss[0] == 800.0


def test_softmax_loss_matches_log_softmax():
    rng = np.random.default_rng(0)
    z = rng.normal(scale=30, size=(50, 4))
    Y = np.eye(4)[rng.integers(0, 4, 50)]
    loss, residual = softmax_loss_and_residual(z, Y)
    np.testing.assert_allclose(loss, -(log_softmax(z, axis=1) * Y).sum(axis=1))
    np.testing.assert_allclose(residual, np.exp(log_softmax(z, axis=1)) - Y, atol=1e-15)


def test_l2_penalty_is_half_alpha_times_the_squared_norm_and_its_gradient():
    coef = np.array([[1.0, -2.0], [3.0, 0.5]])
    loss, gradient = l2_penalty(coef, 0.2, 0.5)
    assert float(loss) == pytest.approx(0.5 * 0.2 * 0.5 * (1 + 4 + 9 + 0.25))
    np.testing.assert_array_equal(gradient, 0.2 * coef)


# --- The fast copies of the loss in the kernels, pinned to this module ---------


def _kernels(X, Y, weights, link):
    """Every kernel that carries or uses a copy of the loss, on the same data."""
    from skdigit._kernels._numpy import BlockKernel

    kernels = {"numpy": BlockKernel(X, Y, weights, link=link)}
    try:
        from skdigit._kernels._compiled import CompiledKernel, available
    except ImportError:
        pass
    else:
        if available():
            kernels["compiled"] = CompiledKernel(X, Y, weights, link=link)
    try:
        import array_api_strict as xp
    except ImportError:
        return kernels
    from skdigit._kernels._xp import ArrayAPIKernel

    kernels["array api"] = ArrayAPIKernel(
        xp.asarray(X), xp.asarray(Y), xp.asarray(weights), link=link, xp=xp
    )
    return kernels


@pytest.mark.parametrize(
    ("link", "n_outputs"), [("sigmoid", 1), ("sigmoid", 4), ("softmax", 4)]
)
def test_every_kernel_computes_this_modules_loss(link, n_outputs):
    from skdigit._loss import LINKS

    rng = np.random.default_rng(n_outputs)
    X = rng.normal(size=(503, 7))
    # Scores from -40 to 40: both branches of every sigmoid and exponential.
    coef = rng.normal(scale=6.0, size=(7, n_outputs))
    intercept = rng.normal(size=n_outputs)
    if link == "softmax":
        Y = np.eye(n_outputs)[rng.integers(0, n_outputs, 503)]
    else:
        Y = (rng.random((503, n_outputs)) < 0.5).astype(float)
    weights = rng.uniform(0.2, 2.0, 503)
    shift = 0.4
    row_loss, residual = LINKS[link](X @ coef + intercept, Y)
    residual = weights[:, None] * residual
    expected = (
        np.sum(weights * (row_loss - shift)),
        X.T @ residual,
        residual.sum(axis=0),
    )
    for name, kernel in _kernels(X, Y, weights, link).items():
        if name == "array api":
            import array_api_strict as xp

            got = kernel.sums(xp.asarray(coef), xp.asarray(intercept), shift)
            got = [np.asarray(value) for value in got]
        else:
            got = kernel.sums(coef, intercept, shift)
        kernel.close()
        np.testing.assert_allclose(got[0], expected[0], rtol=1e-12, err_msg=name)
        np.testing.assert_allclose(got[1], expected[1], rtol=1e-11, err_msg=name)
        np.testing.assert_allclose(
            got[2], expected[2], rtol=1e-11, atol=1e-12, err_msg=name
        )
