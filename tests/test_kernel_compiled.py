"""The compiled (numba) kernel against a plain NumPy reference.

The reference below is the textbook formula, written independently of skdigit's
kernels: ``z = X @ coef + intercept``, the stable log-losses, and the gradient
``X.T @ (w * (p - Y))``.
"""

import os
import subprocess
import sys

import numpy as np
import pytest

pytest.importorskip("numba")

from skdigit import GDLogisticRegression, read_idx
from skdigit._kernels._compiled import (
    CompiledKernel,
    available,
    chunk_bounds,
)

LINKS = ("sigmoid", "softmax")


def reference_sums(X, Y, sample_weight, coef, intercept, *, link, shift):
    """``(loss_sum, grad_coef, grad_intercept)`` in float64 with NumPy."""
    X = np.asarray(X, dtype=np.float64)
    z = X @ coef
    if intercept is not None:
        z = z + intercept
    if link == "sigmoid":
        # softplus(-z) for y = 1 and softplus(z) for y = 0, without overflow
        row_loss = np.mean(np.logaddexp(0.0, np.where(Y > 0, -z, z)), axis=1)
        p = np.exp(-np.logaddexp(0.0, -z))
    else:
        shifted = z - z.max(axis=1, keepdims=True)
        exp_sum = np.exp(shifted).sum(axis=1, keepdims=True)
        row_loss = np.log(exp_sum[:, 0]) - np.sum(shifted * Y, axis=1)
        p = np.exp(shifted) / exp_sum
    residual = sample_weight[:, None] * (p - Y)
    loss_sum = float(np.sum(sample_weight * (row_loss - shift)))
    return loss_sum, X.T @ residual, residual.sum(axis=0)


def make_problem(dtype, n_outputs, link, *, weighted, n_samples=611, n_features=45):
    """Pixel-like data: integers 0..255 with runs of zeros (whole groups of
    features 0 in some rows), features not a multiple of 8, rows not a multiple
    of 4 and more than one chunk."""
    rng = np.random.default_rng(n_outputs * 7 + weighted)
    X = rng.integers(0, 256, size=(n_samples, n_features))
    X[rng.random(X.shape) < 0.5] = 0
    X[:, :16] *= rng.random((n_samples, 1)) < 0.3
    X = X.astype(dtype)
    if link == "softmax":
        Y = np.eye(n_outputs)[rng.integers(0, n_outputs, n_samples)]
    else:
        Y = (rng.random((n_samples, n_outputs)) < 0.4).astype(np.float64)
    if weighted:
        sample_weight = rng.uniform(0.1, 3.0, n_samples)
    else:
        sample_weight = np.ones(n_samples)
    coef = rng.normal(scale=3e-3, size=(n_features, n_outputs))
    intercept = rng.normal(size=n_outputs)
    return X, Y, sample_weight, coef, intercept


def test_available():
    assert available() is True


def test_importing_the_module_does_not_import_numba():
    code = (
        "import sys, skdigit._kernels._compiled as c; "
        "assert 'numba' not in sys.modules, 'numba imported'; "
        "assert c.available(); assert 'numba' in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_without_a_writable_cache_folder_it_compiles_in_memory():
    import numba

    if not hasattr(numba.config, "CACHE_LOCATOR_CLASSES"):
        pytest.skip("this numba cannot be told to find no cache folder")
    # The zip-file locator finds no folder for a regular module: as when neither
    # the package nor the user's cache folder is writable.
    code = (
        "import numpy as np\n"
        "from skdigit._kernels._compiled import CompiledKernel\n"
        "from skdigit._kernels import _numba_sweep\n"
        "X = np.arange(12, dtype=np.uint8).reshape(4, 3)\n"
        "kernel = CompiledKernel(X, np.ones((4, 1)), np.ones(4), link='sigmoid')\n"
        "print(kernel.sums(np.zeros((3, 1)), None, 0.0)[0])\n"
        "print(type(_numba_sweep.sweep_chunks._cache).__name__)\n"
    )
    env = {**os.environ, "NUMBA_CACHE_LOCATOR_CLASSES": "ZipCacheLocator"}
    env.pop("NUMBA_CACHE_DIR", None)
    run = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True
    )
    assert run.returncode == 0, run.stderr
    output = run.stdout.split()
    assert float(output[0]) == pytest.approx(4 * np.log(2))
    assert output[1] == "NullCache"


@pytest.mark.parametrize("dtype", [np.uint8, np.int16, np.float32, np.float64])
@pytest.mark.parametrize(
    ("link", "n_outputs"), [("sigmoid", 1), ("sigmoid", 3), ("softmax", 10)]
)
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("weighted", [False, True])
def test_sums_match_numpy_reference(dtype, link, n_outputs, fit_intercept, weighted):
    X, Y, sample_weight, coef, intercept = make_problem(
        dtype, n_outputs, link, weighted=weighted
    )
    intercept = intercept if fit_intercept else None
    shift = 0.5
    kernel = CompiledKernel(X, Y, sample_weight, link=link)
    loss_sum, grad_coef, grad_intercept = kernel.sums(coef, intercept, shift)
    expected = reference_sums(
        X, Y, sample_weight, coef, intercept, link=link, shift=shift
    )
    assert isinstance(loss_sum, float)
    assert grad_coef.shape == coef.shape and grad_coef.dtype == np.float64
    assert grad_intercept.shape == (n_outputs,)
    # float32 X is computed in float32: its products round to 6e-8.
    rtol = 1e-6 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(loss_sum, expected[0], rtol=rtol)
    scale = np.abs(expected[1]).max()
    np.testing.assert_allclose(grad_coef, expected[1], rtol=rtol, atol=rtol * scale)
    np.testing.assert_allclose(
        grad_intercept, expected[2], rtol=10 * rtol, atol=10 * rtol
    )


@pytest.mark.parametrize("dtype", [np.uint8, np.float32, np.float64])
@pytest.mark.parametrize("n_samples", [1, 2, 3, 4, 5, 7, 258])
def test_binary_X_of_any_number_of_rows_matches_numpy_reference(dtype, n_samples):
    # A binary fit's whole tiles of four rows have loops of their own; the last
    # tile, when shorter, goes through the general loop: both, or only the second.
    X, Y, sample_weight, coef, intercept = make_problem(
        dtype, 1, "sigmoid", weighted=True, n_samples=n_samples
    )
    kernel = CompiledKernel(X, Y, sample_weight, link="sigmoid")
    got = kernel.sums(coef, intercept, 0.5)
    expected = reference_sums(
        X, Y, sample_weight, coef, intercept, link="sigmoid", shift=0.5
    )
    # float32 products round to 6e-8; sums of few rows cancel some of their terms.
    rtol = 1e-6 if dtype == np.float32 else 1e-12
    loss_scale = sample_weight.sum()
    np.testing.assert_allclose(got[0], expected[0], rtol=rtol, atol=rtol * loss_scale)
    scale = np.abs(expected[1]).max()
    np.testing.assert_allclose(got[1], expected[1], rtol=rtol, atol=rtol * scale)
    np.testing.assert_allclose(got[2], expected[2], rtol=10 * rtol, atol=10 * rtol)


@pytest.mark.parametrize(("link", "n_outputs"), [("sigmoid", 1), ("softmax", 10)])
def test_float32_is_computed_in_float32(link, n_outputs):
    X, Y, sample_weight, coef, intercept = make_problem(
        np.float32, n_outputs, link, weighted=True
    )
    kernel = CompiledKernel(
        X, Y.astype(np.float32), sample_weight.astype(np.float32), link=link
    )
    assert kernel.compute_dtype == np.float32
    coef32, intercept32 = coef.astype(np.float32), intercept.astype(np.float32)
    loss_sum, grad_coef, grad_intercept = kernel.sums(coef32, intercept32, 0.0)
    assert grad_coef.dtype == grad_intercept.dtype == np.float32
    # The same weights in float64: the products differ by float32 rounding only.
    expected = reference_sums(
        X,
        Y,
        sample_weight.astype(np.float32).astype(np.float64),
        coef32.astype(np.float64),
        intercept32.astype(np.float64),
        link=link,
        shift=0.0,
    )
    np.testing.assert_allclose(loss_sum, expected[0], rtol=1e-6)
    scale = np.abs(expected[1]).max()
    np.testing.assert_allclose(grad_coef, expected[1], rtol=1e-5, atol=1e-6 * scale)
    assert not np.array_equal(grad_coef, expected[1].astype(np.float32))


@pytest.mark.parametrize(("link", "n_outputs"), [("sigmoid", 1), ("softmax", 10)])
def test_integer_X_gives_the_sums_of_float64_X(link, n_outputs):
    # Integer tiles are converted to floats (float32 up to 16 bits: exact) and
    # summed in float64 by the loops that read float64 X. Several outputs: both
    # skip each tile's zero margins, and the same values give the same bits. One
    # output: float64 X is read whole and a row at a time (one stream from memory),
    # integer X without its margins and four rows side by side, so the sums agree
    # to rounding.
    X, Y, sample_weight, coef, intercept = make_problem(
        np.uint8, n_outputs, link, weighted=True
    )
    X = X.astype(np.int64)
    # Each type's values spread over its range, its extremes included.
    cases = {
        np.uint8: X,
        np.int16: (X - 128) * 256 + (X == 255) * 255,
        np.uint16: X * 257,
        np.int32: (X - 128) * 2**23 + X,  # not exact in float32
        np.bool_: X > 100,
    }
    for dtype, values in cases.items():
        values = values.astype(dtype)
        if dtype in (np.int16, np.uint16):  # held exactly by a float32 tile
            limits = np.iinfo(dtype)
            assert (values.min(), values.max()) == (limits.min, limits.max)
        reference = CompiledKernel(
            values.astype(np.float64), Y, sample_weight, link=link
        ).sums(coef, intercept, 0.3)
        got = CompiledKernel(values, Y, sample_weight, link=link).sums(
            coef, intercept, 0.3
        )
        assert got[1].dtype == np.float64
        if n_outputs > 1:
            assert got[0] == reference[0]
            np.testing.assert_array_equal(got[1], reference[1])
            np.testing.assert_array_equal(got[2], reference[2])
        else:
            np.testing.assert_allclose(got[0], reference[0], rtol=1e-14)
            np.testing.assert_allclose(got[1], reference[1], rtol=1e-13)
            np.testing.assert_allclose(got[2], reference[2], rtol=1e-13)


def test_tile_spans_are_the_columns_not_all_zero():
    from skdigit._kernels._numba_sweep import SPAN_ALIGN, TILE_ROWS, tile_spans

    X = np.zeros((4 * TILE_ROWS + 1, 40), np.uint8)
    X[0, 9] = X[3, 30] = 1  # tile 0: columns 9 to 30
    X[TILE_ROWS + 2, 17] = 1  # tile 1: column 17 alone
    # tile 2: zeros
    X[3 * TILE_ROWS, 0] = X[3 * TILE_ROWS + 1, 39] = 1  # tile 3: every column
    X[4 * TILE_ROWS, 33] = 1  # tile 4, one row: column 33
    spans = tile_spans(X.ravel(), 40, *X.shape)
    assert SPAN_ALIGN == 8
    assert spans.tolist() == [[8, 32], [16, 24], [0, 0], [0, 40], [32, 40]]
    # Rows read through a stride: the columns past the row's end are not read.
    wide = np.ones((X.shape[0], 48), np.uint8)
    wide[:, :40] = X
    assert tile_spans(wide.ravel(), 48, *X.shape).tolist() == spans.tolist()


def test_prefetch_changes_nothing_and_never_faults():
    from numba import njit

    from skdigit._kernels._prefetch import prefetch

    @njit
    def prefetched_sum(values, index):
        prefetch(values, index)
        return values.sum()

    values = np.arange(10, dtype=np.uint8)
    assert prefetched_sum(values, 3) == 45
    assert prefetched_sum(values, 10**9) == 45  # far past the end: not read


def test_zero_margins_and_zero_tiles_are_summed_as_the_reference():
    # Skipping a tile's zero columns, or a tile of zeros, changes no sum.
    X, Y, sample_weight, coef, intercept = make_problem(
        np.uint8, 3, "softmax", weighted=True, n_samples=203
    )
    X[:, :11] = 0
    X[:, -5:] = 0
    X[40:60] = 0
    for values in (X, X.astype(np.float64)):
        kernel = CompiledKernel(values, Y, sample_weight, link="softmax")
        got = kernel.sums(coef, intercept, 0.0)
        expected = reference_sums(
            X.astype(np.float64),
            Y,
            sample_weight,
            coef,
            intercept,
            link="softmax",
            shift=0.0,
        )
        np.testing.assert_allclose(got[0], expected[0], rtol=1e-13)
        np.testing.assert_allclose(got[1], expected[1], rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(got[2], expected[2], rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("dtype", [np.uint8, np.float32, np.float64])
@pytest.mark.parametrize(("link", "n_outputs"), [("sigmoid", 1), ("softmax", 10)])
def test_the_same_bits_every_run(dtype, link, n_outputs):
    X, Y, sample_weight, coef, intercept = make_problem(
        dtype, n_outputs, link, weighted=True, n_samples=3001
    )
    kernel = CompiledKernel(X, Y, sample_weight, link=link)
    first = kernel.sums(coef, intercept, 0.0)
    for _ in range(3):
        again = kernel.sums(coef, intercept, 0.0)
        assert again[0] == first[0]
        np.testing.assert_array_equal(again[1], first[1])
        np.testing.assert_array_equal(again[2], first[2])


def _views(X):
    """Views of X's rows that are not C-contiguous arrays, and their copies."""
    padded = np.zeros((len(X) + 3, X.shape[1] + 5), X.dtype)
    padded[3:, 2:-3] = X
    return {
        "columns sliced off": padded[3:, 2:-3],
        "every other row": np.repeat(X, 2, axis=0)[::2],
        "one row": X[5:6],
    }


@pytest.mark.parametrize("dtype", [np.uint8, np.float32, np.float64])
@pytest.mark.parametrize(("link", "n_outputs"), [("sigmoid", 1), ("softmax", 10)])
def test_row_contiguous_views_are_read_in_place(dtype, link, n_outputs):
    X, Y, sample_weight, coef, intercept = make_problem(
        dtype, n_outputs, link, weighted=True
    )
    for name, view in _views(X).items():
        assert not view.flags.c_contiguous or name == "one row"
        rows = slice(5, 6) if name == "one row" else slice(None)
        kernel = CompiledKernel(view, Y[rows], sample_weight[rows], link=link)
        assert np.shares_memory(kernel._data[0], view), name  # no copy of X
        got = kernel.sums(coef, intercept, 0.0)
        copy = np.ascontiguousarray(view)
        expected = CompiledKernel(copy, Y[rows], sample_weight[rows], link=link)
        expected = expected.sums(coef, intercept, 0.0)
        # The same compiled loops on the same values: the same bits.
        assert got[0] == expected[0], name
        np.testing.assert_array_equal(got[1], expected[1])
        np.testing.assert_array_equal(got[2], expected[2])


def test_a_read_only_memory_map_is_read_in_place(tmp_path):
    X, Y, sample_weight, coef, intercept = make_problem(
        np.uint8, 1, "sigmoid", weighted=False
    )
    path = tmp_path / "pixels.bin"
    X.tofile(path)
    mapped = np.memmap(path, dtype=np.uint8, mode="r", shape=X.shape)[:, 1:]
    kernel = CompiledKernel(mapped, Y, sample_weight, link="sigmoid")
    assert np.shares_memory(kernel._data[0], mapped)
    got = kernel.sums(coef[1:], intercept, 0.0)
    expected = CompiledKernel(
        np.ascontiguousarray(X[:, 1:]), Y, sample_weight, link="sigmoid"
    ).sums(coef[1:], intercept, 0.0)
    assert got[0] == expected[0]
    np.testing.assert_array_equal(got[1], expected[1])


@pytest.mark.parametrize(("link", "n_outputs"), [("sigmoid", 1), ("softmax", 10)])
def test_results_do_not_depend_on_the_number_of_threads(link, n_outputs):
    X, Y, sample_weight, coef, intercept = make_problem(
        np.uint8, n_outputs, link, weighted=True, n_samples=5000
    )
    assert len(chunk_bounds(len(X))) > 3
    results = [
        CompiledKernel(X, Y, sample_weight, link=link, n_threads=n_threads).sums(
            coef, intercept, 0.0
        )
        for n_threads in (1, 2, 1, 2, None)
    ]
    for loss_sum, grad_coef, grad_intercept in results[1:]:
        assert loss_sum == results[0][0]
        np.testing.assert_array_equal(grad_coef, results[0][1])
        np.testing.assert_array_equal(grad_intercept, results[0][2])


def test_close_stops_the_threads():
    X, Y, sample_weight, coef, intercept = make_problem(
        np.uint8, 1, "sigmoid", weighted=False, n_samples=2000
    )
    kernel = CompiledKernel(X, Y, sample_weight, link="sigmoid", n_threads=2)
    kernel.sums(coef, intercept, 0.0)
    assert kernel._pool is not None
    kernel.close()
    assert kernel._pool is None
    kernel.close()  # a second close does nothing


@pytest.mark.parametrize("n_samples", [1, 3, 4, 5, 257, 1000, 64 * 256 + 3])
def test_chunks_cover_the_rows_in_tiles(n_samples):
    bounds = chunk_bounds(n_samples)
    assert bounds[0] == 0 and bounds[-1] == n_samples
    sizes = np.diff(bounds)
    assert np.all(sizes > 0)
    assert np.all(sizes[:-1] % 4 == 0)
    assert len(sizes) <= 64


def test_chunks_depend_on_the_rows_only():
    assert chunk_bounds(10_000).tolist() == chunk_bounds(10_000).tolist()
    # Small data is one chunk: no threads for a few hundred rows.
    assert chunk_bounds(255).tolist() == [0, 255]


@pytest.mark.parametrize(
    ("X", "match"),
    [
        (np.zeros((4, 3), order="F"), "rows that are contiguous"),
        (np.zeros((4, 6))[:, ::2], "rows that are contiguous"),
        (np.zeros((4, 3))[::-1], "rows that are contiguous"),
        (np.zeros((4, 3), dtype=np.float16), "float16"),
        (np.zeros(4), "2-D"),
    ],
)
def test_unsupported_X_is_refused(X, match):
    Y = np.zeros((len(X), 1))
    with pytest.raises(ValueError, match=match):
        CompiledKernel(X, Y, np.ones(len(X)), link="sigmoid")


def test_unknown_link_is_refused():
    with pytest.raises(ValueError, match="link='probit'"):
        CompiledKernel(np.zeros((2, 2)), np.zeros((2, 1)), np.ones(2), link="probit")


# --- 200 iterations of gradient descent on the real MNIST training set ---------


@pytest.fixture(scope="module")
def mnist_train(mnist_file):
    images = read_idx(mnist_file("train-images-idx3-ubyte.gz"))
    labels = read_idx(mnist_file("train-labels-idx1-ubyte.gz"))
    return images.reshape(len(images), -1), labels


def descend(sums, coef, intercept, weight_sum, *, learning_rate, n_iter, shift):
    """The notebook's loop: ``coef -= learning_rate * mean gradient``; returns
    the loss curve and the final weights."""
    losses = []
    for _ in range(n_iter):
        loss_sum, grad_coef, grad_intercept = sums(coef, intercept, shift)
        losses.append(shift + loss_sum / weight_sum)
        coef = coef - learning_rate * grad_coef / weight_sum
        intercept = intercept - learning_rate * grad_intercept / weight_sum
    return np.array(losses), coef, intercept


@pytest.mark.parametrize(
    ("link", "digit", "learning_rate"),
    [("sigmoid", 4, 1e-5), ("softmax", None, 1e-5)],
    ids=["binary-4-detector", "10-class-softmax"],
)
def test_gradient_descent_on_mnist_matches_numpy(
    mnist_train, link, digit, learning_rate
):
    X, labels = mnist_train
    if digit is None:
        Y = np.eye(10)[labels]
        shift = np.log(10.0)
    else:
        Y = (labels == digit).astype(np.float64)[:, None]
        shift = np.log(2.0)
    sample_weight = np.ones(len(X))
    start = np.zeros((X.shape[1], Y.shape[1])), np.zeros(Y.shape[1])
    X_float = X.astype(np.float64)

    def numpy_sums(coef, intercept, shift):
        return reference_sums(
            X_float, Y, sample_weight, coef, intercept, link=link, shift=shift
        )

    kernel = CompiledKernel(X, Y, sample_weight, link=link)
    curves = {}
    for name, sums in (("numpy", numpy_sums), ("compiled", kernel.sums)):
        curves[name] = descend(
            sums,
            *start,
            len(X),
            learning_rate=learning_rate,
            n_iter=200,
            shift=shift,
        )
    expected_losses, expected_coef, expected_intercept = curves["numpy"]
    losses, coef, intercept = curves["compiled"]
    assert expected_losses[-1] < 0.5 * expected_losses[0]  # it did learn
    np.testing.assert_allclose(losses, expected_losses, rtol=1e-12)
    np.testing.assert_allclose(coef, expected_coef, rtol=1e-9, atol=1e-12)
    scores = X_float @ coef + intercept
    expected_scores = X_float @ expected_coef + expected_intercept
    if digit is None:
        predictions, expected = scores.argmax(axis=1), expected_scores.argmax(axis=1)
    else:
        predictions, expected = scores[:, 0] > 0, expected_scores[:, 0] > 0
    np.testing.assert_array_equal(predictions, expected)


@pytest.mark.parametrize(
    ("target", "multiclass"),
    [(4, "ovr"), (None, "multinomial")],
    ids=["binary-4-detector", "10-class-softmax"],
)
def test_a_float32_fit_on_mnist_is_the_float64_fit_to_1e5(
    mnist_train, target, multiclass, monkeypatch
):
    monkeypatch.setenv("SKDIGIT_KERNEL", "compiled")
    X, labels = mnist_train
    y = labels if target is None else labels == target
    fits = {
        dtype: GDLogisticRegression(max_iter=100, multiclass=multiclass).fit(
            X.astype(dtype), y
        )
        for dtype in (np.float32, np.float64)
    }
    fit32, fit64 = fits[np.float32], fits[np.float64]
    assert fit32.coef_.dtype == fit32.intercept_.dtype == np.float32
    scale = np.abs(fit64.coef_).max()
    np.testing.assert_allclose(fit32.coef_, fit64.coef_, rtol=0, atol=1e-5 * scale)
    np.testing.assert_allclose(fit32.loss_curve_, fit64.loss_curve_, rtol=1e-5)
    assert fit64.loss_curve_[-1] < 0.5 * fit64.loss_curve_[0]  # it did learn
