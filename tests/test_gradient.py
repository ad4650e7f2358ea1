"""The gradient-descent kernel: stable loss, gradient, blocks, dtypes, sparse input."""

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.special import expit, log_softmax

from skdigit import _gradient
from skdigit._gradient import (
    gradient_descent,
    make_evaluator,
    row_blocks,
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


@pytest.mark.parametrize(
    ("link", "n_outputs"), [("sigmoid", 1), ("sigmoid", 3), ("softmax", 3)]
)
def test_gradient_matches_finite_differences(link, n_outputs):
    X, Y, weights, coef, intercept = make_problem(n_outputs=n_outputs)
    evaluate = make_evaluator(X, Y, weights, link=link)

    def loss_at(c, b):
        return evaluate(c, b)[0]

    _, grad_coef, grad_intercept = evaluate(coef, intercept)
    # OvR reports the mean of the detectors' losses but steps each detector along
    # its own gradient, which is n_outputs times the gradient of that mean.
    scale = n_outputs if link == "sigmoid" else 1
    step = 1e-6
    for index in [(0, 0), (3, n_outputs - 1), (5, 0)]:
        bumped = coef.copy()
        bumped[index] += step
        lowered = coef.copy()
        lowered[index] -= step
        numeric = (loss_at(bumped, intercept) - loss_at(lowered, intercept)) / (
            2 * step
        )
        assert grad_coef[index] == pytest.approx(scale * numeric, rel=1e-6)
    bumped = intercept.copy()
    bumped[0] += step
    lowered = intercept.copy()
    lowered[0] -= step
    numeric = (loss_at(coef, bumped) - loss_at(coef, lowered)) / (2 * step)
    assert grad_intercept[0] == pytest.approx(scale * numeric, rel=1e-6)


@pytest.mark.parametrize("n_outputs", [1, 4])
@pytest.mark.parametrize("rows_per_block", [1, 7, 53, 1000])
def test_blocks_give_the_same_result_as_one_pass(
    monkeypatch, n_outputs, rows_per_block
):
    # 53 rows: blocks of 7 leave a remainder, 53 is exactly one block, 1000 > n.
    X, Y, weights, coef, intercept = make_problem(n_outputs=n_outputs)
    link = "sigmoid" if n_outputs == 1 else "softmax"
    monkeypatch.setattr(_gradient, "BLOCK_BYTES", 10**9)
    assert len(row_blocks(X)) == 1
    expected = make_evaluator(X, Y, weights, link=link)(coef, intercept)
    monkeypatch.setattr(_gradient, "BLOCK_BYTES", rows_per_block * X.shape[1] * 8)
    blocks = row_blocks(X)
    assert len(blocks) == -(-len(X) // rows_per_block)
    assert sum(b.stop - b.start for b in blocks) == len(X)
    got = make_evaluator(X, Y, weights, link=link)(coef, intercept)
    assert got[0] == pytest.approx(expected[0], rel=1e-13)
    np.testing.assert_allclose(got[1], expected[1], rtol=1e-12)
    np.testing.assert_allclose(got[2], expected[2], rtol=1e-12)


def test_sparse_input_is_one_block_and_matches_dense():
    X, Y, weights, coef, intercept = make_problem(n_outputs=3)
    X[np.abs(X) < 0.8] = 0
    X_sparse = sp.csr_matrix(X)
    assert row_blocks(X_sparse) == [slice(0, len(X))]
    dense = make_evaluator(X, Y, weights, link="sigmoid")(coef, intercept)
    sparse = make_evaluator(X_sparse, Y, weights, link="sigmoid")(coef, intercept)
    assert sparse[0] == pytest.approx(dense[0], rel=1e-13)
    np.testing.assert_allclose(sparse[1], dense[1], rtol=1e-12)


def test_first_loss_at_zero_weights_is_exactly_log_2_whatever_the_weights():
    X, Y, weights, coef, intercept = make_problem(n_samples=997)
    evaluate = make_evaluator(X, Y, weights, link="sigmoid")
    assert evaluate(np.zeros_like(coef), np.zeros_like(intercept))[0] == np.log(2)
    X, Y, weights, coef, intercept = make_problem(n_outputs=7)
    evaluate = make_evaluator(X, Y, weights, link="softmax")
    assert evaluate(np.zeros_like(coef), np.zeros_like(intercept))[0] == np.log(7)


def test_float32_stays_float32():
    X, Y, weights, coef, intercept = make_problem(dtype=np.float32)
    evaluate = make_evaluator(X, Y, weights, link="sigmoid")
    result = gradient_descent(evaluate, coef, intercept, learning_rate=0.1, max_iter=5)
    assert result.coef.dtype == result.intercept.dtype == np.float32
    assert all(isinstance(loss, float) for loss in result.loss_curve)


def test_gradient_descent_does_not_modify_its_starting_weights():
    X, Y, weights, coef, intercept = make_problem()
    coef_before, intercept_before = coef.copy(), intercept.copy()
    evaluate = make_evaluator(X, Y, weights, link="sigmoid")
    gradient_descent(evaluate, coef, intercept, learning_rate=0.1, max_iter=3)
    np.testing.assert_array_equal(coef, coef_before)
    np.testing.assert_array_equal(intercept, intercept_before)


def test_each_iteration_reports_loss_before_its_update():
    X, Y, weights, coef, intercept = make_problem()
    seen = []
    evaluate = make_evaluator(X, Y, weights, link="sigmoid")
    result = gradient_descent(
        evaluate,
        coef,
        intercept,
        learning_rate=0.1,
        max_iter=4,
        first_iteration=10,
        on_iteration=lambda i, loss: seen.append((i, loss)),
    )
    assert [i for i, _ in seen] == [10, 11, 12, 13]
    assert [loss for _, loss in seen] == result.loss_curve
    start_loss = evaluate(coef, intercept)[0]
    assert result.loss_curve[0] == start_loss
