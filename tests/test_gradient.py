"""The gradient-descent kernel: stable loss, gradient, blocks, dtypes, sparse input."""

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.special import expit, log_softmax
from threadpoolctl import threadpool_info, threadpool_limits

from skdigit import _gradient
from skdigit._gradient import (
    LINKS,
    _BlockKernel,
    blas_thread_count,
    fit_threads,
    gradient_descent,
    loss_and_gradient_sums,
    make_evaluator,
    row_blocks,
    sigmoid_loss_and_residual,
    softmax_loss_and_residual,
    split_blocks,
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


# The NumPy kernel (_BlockKernel): every path checked against the plain formulas.


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


KERNEL_CASES = [("sigmoid", 1), ("sigmoid", 3), ("softmax", 3)]


@pytest.mark.parametrize(("link", "n_outputs"), KERNEL_CASES)
@pytest.mark.parametrize("rows_per_block", [1, 7, 53, 1000])
@pytest.mark.parametrize("threads", [1, 2, 3])
@pytest.mark.parametrize("unit_weights", [True, False])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_kernel_matches_reference_for_every_split(
    monkeypatch, link, n_outputs, rows_per_block, threads, unit_weights, fit_intercept
):
    # 53 rows: blocks of 7 leave a remainder, 53 is one block, 1000 > n; 3 threads
    # on 8 blocks get unequal parts, and more threads than blocks get one each.
    X, Y, weights, coef, intercept = make_problem(n_outputs=n_outputs)
    if unit_weights:
        weights = np.ones_like(weights)
    intercept = intercept if fit_intercept else None
    monkeypatch.setattr(_gradient, "BLOCK_BYTES", rows_per_block * X.shape[1] * 8)
    blocks = row_blocks(X)
    kernel = _BlockKernel(X, Y, weights, link=link, blocks=blocks, threads=threads)
    assert len(kernel.parts) == min(threads, len(blocks))
    got = kernel.sums(coef, intercept, 0.25)
    expected = reference_sums(X, Y, weights, coef, intercept, link, 0.25)
    assert got[0] == pytest.approx(expected[0], rel=1e-13)
    np.testing.assert_allclose(got[1], expected[1], rtol=1e-12)
    np.testing.assert_allclose(got[2], expected[2], rtol=1e-12, atol=1e-15)
    assert got[1].shape == coef.shape and got[2].shape == (n_outputs,)


@pytest.mark.parametrize(("link", "n_outputs"), KERNEL_CASES)
def test_kernel_result_does_not_depend_on_the_number_of_threads(
    monkeypatch, link, n_outputs
):
    # Each block writes its own slot and they are added in block order.
    X, Y, weights, coef, intercept = make_problem(n_samples=200, n_outputs=n_outputs)
    monkeypatch.setattr(_gradient, "BLOCK_BYTES", 9 * X.shape[1] * 8)
    blocks = row_blocks(X)
    results = [
        _BlockKernel(X, Y, weights, link=link, blocks=blocks, threads=threads).sums(
            coef, intercept, 0.0
        )
        for threads in (1, 2, 5)
    ]
    for loss_sum, grad_coef, grad_intercept in results[1:]:
        assert loss_sum == results[0][0]
        np.testing.assert_array_equal(grad_coef, results[0][1])
        np.testing.assert_array_equal(grad_intercept, results[0][2])


@pytest.mark.parametrize(("link", "n_outputs"), KERNEL_CASES)
def test_kernel_float32_stays_float32(monkeypatch, link, n_outputs):
    X, Y, weights, coef, intercept = make_problem(n_outputs=n_outputs, dtype=np.float32)
    monkeypatch.setattr(_gradient, "BLOCK_BYTES", 10 * X.shape[1] * 4)
    kernel = _BlockKernel(X, Y, weights, link=link, blocks=row_blocks(X), threads=2)
    loss_sum, grad_coef, grad_intercept = kernel.sums(coef, intercept, 0.0)
    assert isinstance(loss_sum, float)
    assert grad_coef.dtype == grad_intercept.dtype == np.float32
    expected = reference_sums(X, Y, weights, coef, intercept, link, 0.0)
    assert loss_sum == pytest.approx(expected[0], rel=1e-5)
    np.testing.assert_allclose(grad_coef, expected[1], rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize(("link", "n_outputs"), KERNEL_CASES)
def test_kernel_on_sparse_input_uses_X_itself(link, n_outputs):
    X, Y, weights, coef, intercept = make_problem(n_outputs=n_outputs)
    X[np.abs(X) < 0.8] = 0
    X_sparse = sp.csr_matrix(X)
    kernel = _BlockKernel(X_sparse, Y, weights, link=link, blocks=row_blocks(X_sparse))
    assert kernel.parts[0].blocks[0].X is X_sparse
    got = kernel.sums(coef, intercept, 0.0)
    expected = reference_sums(X, Y, weights, coef, intercept, link, 0.0)
    assert got[0] == pytest.approx(expected[0], rel=1e-13)
    np.testing.assert_allclose(got[1], expected[1], rtol=1e-12)
    np.testing.assert_allclose(got[2], expected[2], rtol=1e-12)


@pytest.mark.parametrize(("link", "n_outputs"), KERNEL_CASES)
def test_kernel_is_stable_for_huge_decision_values(link, n_outputs):
    # pytest turns overflow warnings into errors: there must be none.
    X, Y, weights, coef, intercept = make_problem(n_outputs=n_outputs)
    coef = coef * 400
    got = loss_and_gradient_sums(
        X, Y, weights, coef, intercept, link=link, blocks=row_blocks(X), shift=0.0
    )
    expected = reference_sums(X, Y, weights, coef, intercept, link, 0.0)
    assert np.isfinite(got[0]) and np.isfinite(got[1]).all()
    assert got[0] == pytest.approx(expected[0], rel=1e-13)
    np.testing.assert_allclose(got[1], expected[1], rtol=1e-12)


def test_split_blocks_gives_balanced_runs_of_consecutive_blocks():
    blocks = row_blocks(np.zeros((1000, 1)))  # one block with the default size
    assert split_blocks(blocks, 4) == [blocks]
    blocks = [slice(start, min(start + 7, 53)) for start in range(0, 53, 7)]
    for n_parts in (1, 2, 3, 8, 20):
        parts = split_blocks(blocks, n_parts)
        assert len(parts) == min(n_parts, len(blocks))
        assert [block for part in parts for block in part] == blocks
        sizes = [part[-1].stop - part[0].start for part in parts]
        assert max(sizes) - min(sizes) <= 7


def test_threads_follow_the_blas_setting():
    X = np.zeros((100, 3))
    blocks = [slice(start, start + 10) for start in range(0, 100, 10)]
    with threadpool_limits(1, user_api="blas"):
        assert blas_thread_count() == 1
        assert fit_threads(X, blocks) == 1
    with threadpool_limits(3, user_api="blas"):
        assert fit_threads(X, blocks) == min(3, blas_thread_count())
        assert fit_threads(X, blocks[:5]) <= 2  # two blocks per thread at least
        assert fit_threads(X, blocks[:3]) == 1
        assert fit_threads(sp.csr_matrix(X), blocks) == 1


def test_threaded_evaluation_restores_the_blas_setting(monkeypatch):
    X, Y, weights, coef, intercept = make_problem(n_samples=300, n_outputs=3)
    monkeypatch.setattr(_gradient, "BLOCK_BYTES", 10 * X.shape[1] * 8)
    with threadpool_limits(2, user_api="blas"):
        before = [library["num_threads"] for library in threadpool_info()]
        evaluate = make_evaluator(X, Y, weights, link="softmax")
        loss, _, _ = evaluate(coef, intercept)
        assert [library["num_threads"] for library in threadpool_info()] == before
    with threadpool_limits(1, user_api="blas"):
        single = make_evaluator(X, Y, weights, link="softmax")(coef, intercept)
    assert loss == single[0]


def test_concurrent_threaded_fits_restore_the_blas_setting(monkeypatch):
    # Fits in several threads share the process-wide limit of the BLAS.
    from concurrent.futures import ThreadPoolExecutor

    X, Y, weights, coef, intercept = make_problem(n_samples=400, n_outputs=3)
    monkeypatch.setattr(_gradient, "BLOCK_BYTES", 10 * X.shape[1] * 8)
    with threadpool_limits(2, user_api="blas"):
        before = [library["num_threads"] for library in threadpool_info()]
        evaluators = [make_evaluator(X, Y, weights, link="sigmoid") for _ in range(4)]

        def run(evaluate):
            return [evaluate(coef, intercept)[0] for _ in range(20)]

        with ThreadPoolExecutor(4) as pool:
            losses = list(pool.map(run, evaluators))
        assert [library["num_threads"] for library in threadpool_info()] == before
    assert all(curve == losses[0] for curve in losses)
