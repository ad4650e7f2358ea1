"""The NumPy kernel and the objective around it: every path checked against the
plain formulas, blocks, threads, dtypes, sparse and integer input."""

import numpy as np
import pytest
import scipy.sparse as sp

from skdigit._kernels import _numpy as numpy_kernel
from skdigit._kernels._numpy import BlockKernel

from ._problems import blocks_of, evaluator, make_problem, reference_sums


@pytest.fixture(autouse=True)
def numpy_kernel_only(monkeypatch):
    # These tests are about the NumPy kernel, also where numba is installed.
    monkeypatch.setenv("SKDIGIT_KERNEL", "numpy")


@pytest.mark.parametrize(
    ("link", "n_outputs"), [("sigmoid", 1), ("sigmoid", 3), ("softmax", 3)]
)
def test_gradient_matches_finite_differences(link, n_outputs):
    X, Y, weights, coef, intercept = make_problem(n_outputs=n_outputs)
    evaluate = evaluator(X, Y, weights, link=link)

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
    monkeypatch.setattr(numpy_kernel, "BLOCK_BYTES", 10**9)
    assert len(blocks_of(X)) == 1
    expected = evaluator(X, Y, weights, link=link)(coef, intercept)
    monkeypatch.setattr(numpy_kernel, "BLOCK_BYTES", rows_per_block * X.shape[1] * 8)
    blocks = blocks_of(X)
    assert len(blocks) == -(-len(X) // rows_per_block)
    assert sum(b.stop - b.start for b in blocks) == len(X)
    got = evaluator(X, Y, weights, link=link)(coef, intercept)
    assert got[0] == pytest.approx(expected[0], rel=1e-13)
    np.testing.assert_allclose(got[1], expected[1], rtol=1e-12)
    np.testing.assert_allclose(got[2], expected[2], rtol=1e-12)


def test_sparse_input_is_one_block_and_matches_dense():
    X, Y, weights, coef, intercept = make_problem(n_outputs=3)
    X[np.abs(X) < 0.8] = 0
    X_sparse = sp.csr_matrix(X)
    assert blocks_of(X_sparse) == [slice(0, len(X))]
    dense = evaluator(X, Y, weights, link="sigmoid")(coef, intercept)
    sparse = evaluator(X_sparse, Y, weights, link="sigmoid")(coef, intercept)
    assert sparse[0] == pytest.approx(dense[0], rel=1e-13)
    np.testing.assert_allclose(sparse[1], dense[1], rtol=1e-12)


def test_first_loss_at_zero_weights_is_exactly_log_2_whatever_the_weights():
    X, Y, weights, coef, intercept = make_problem(n_samples=997)
    evaluate = evaluator(X, Y, weights, link="sigmoid")
    assert evaluate(np.zeros_like(coef), np.zeros_like(intercept))[0] == np.log(2)
    X, Y, weights, coef, intercept = make_problem(n_outputs=7)
    evaluate = evaluator(X, Y, weights, link="softmax")
    assert evaluate(np.zeros_like(coef), np.zeros_like(intercept))[0] == np.log(7)


# The NumPy kernel (_BlockKernel): every path checked against the plain formulas.


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
    monkeypatch.setattr(numpy_kernel, "BLOCK_BYTES", rows_per_block * X.shape[1] * 8)
    blocks = blocks_of(X)
    kernel = BlockKernel(X, Y, weights, link=link, blocks=blocks, threads=threads)
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
    monkeypatch.setattr(numpy_kernel, "BLOCK_BYTES", 9 * X.shape[1] * 8)
    blocks = blocks_of(X)
    results = [
        BlockKernel(X, Y, weights, link=link, blocks=blocks, threads=threads).sums(
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
    monkeypatch.setattr(numpy_kernel, "BLOCK_BYTES", 10 * X.shape[1] * 4)
    kernel = BlockKernel(X, Y, weights, link=link, blocks=blocks_of(X), threads=2)
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
    kernel = BlockKernel(X_sparse, Y, weights, link=link, blocks=blocks_of(X_sparse))
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
    got = BlockKernel(X, Y, weights, link=link).sums(coef, intercept, 0.0)
    expected = reference_sums(X, Y, weights, coef, intercept, link, 0.0)
    assert np.isfinite(got[0]) and np.isfinite(got[1]).all()
    assert got[0] == pytest.approx(expected[0], rel=1e-13)
    np.testing.assert_allclose(got[1], expected[1], rtol=1e-12)


@pytest.mark.parametrize(("link", "n_outputs"), KERNEL_CASES)
@pytest.mark.parametrize("dtype", [np.uint8, np.int16, np.int64])
@pytest.mark.parametrize("threads", [1, 3])
def test_integer_X_gives_bit_for_bit_the_float64_results(
    monkeypatch, link, n_outputs, dtype, threads
):
    # Each block is cast into a float64 buffer: the same values as X.astype(float64)
    # in the same blocks, so the same bits.
    _, Y, weights, coef, intercept = make_problem(n_samples=97, n_outputs=n_outputs)
    rng = np.random.default_rng(1)
    X = rng.integers(0, 256 if dtype == np.uint8 else 1000, (97, 6)).astype(dtype)
    coef = coef * 1e-3
    monkeypatch.setattr(numpy_kernel, "BLOCK_BYTES", 11 * X.shape[1] * 8)
    kernels = [
        BlockKernel(data, Y, weights, link=link, threads=threads)
        for data in (X, X.astype(np.float64))
    ]
    assert kernels[0].parts[0].blocks[0].X.dtype == dtype
    integer, floating = (kernel.sums(coef, intercept, 0.0) for kernel in kernels)
    assert integer[0] == floating[0]
    np.testing.assert_array_equal(integer[1], floating[1])
    np.testing.assert_array_equal(integer[2], floating[2])


def test_integer_X_is_never_copied_whole(monkeypatch):
    X = np.random.default_rng(0).integers(0, 256, (4000, 50)).astype(np.uint8)
    Y = (X[:, :1] > 128).astype(np.float64)
    monkeypatch.setattr(numpy_kernel, "BLOCK_BYTES", 100 * X.shape[1] * 8)
    kernel = BlockKernel(X, Y, np.ones(len(X)), link="sigmoid", threads=2)
    buffers = [block.X_float for part in kernel.parts for block in part.blocks]
    # One buffer of one block's rows per thread, shared by that thread's blocks.
    bases = {id(buffer.base) for buffer in buffers}
    assert len(bases) == len(kernel.parts) == 2
    assert all(buffer.shape[0] <= 100 for buffer in buffers)
    for part in kernel.parts:
        for block in part.blocks:
            assert np.shares_memory(block.X, X)
