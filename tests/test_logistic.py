"""GDLogisticRegression: fidelity to the notebook, features and errors."""

import math
import re
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
import sklearn
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.multiclass import OneVsRestClassifier

from skdigit import GDLogisticRegression

from . import notebook

RTOL = 1e-10


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return X, y


def assert_matches_notebook(clf, w, losses):
    """coef_, intercept_ and loss_curve_ equal the notebook's run to 1e-10."""
    np.testing.assert_allclose(clf.loss_curve_, losses, rtol=RTOL, atol=0)
    scale = np.abs(w).max()
    np.testing.assert_allclose(clf.coef_[0], w[1:, 0], rtol=RTOL, atol=RTOL * scale)
    np.testing.assert_allclose(clf.intercept_, w[0], rtol=RTOL, atol=RTOL * scale)


def test_reproduces_notebook_on_bundled_digits(digits):
    X, y = digits
    Y = (y == 4).astype(int).reshape(-1, 1)
    w, losses = notebook.train(notebook.add_bias_column(X), Y, 200, 1e-5)
    clf = GDLogisticRegression().fit(X, Y.ravel())
    assert_matches_notebook(clf, w, losses)
    notebook_decisions = np.round(notebook.predict(notebook.add_bias_column(X), w))
    np.testing.assert_array_equal(clf.predict(X), notebook_decisions.ravel())


def test_reproduces_notebook_on_real_mnist(mnist_file):
    from skdigit import read_idx

    images = read_idx(mnist_file("t10k-images-idx3-ubyte.gz")).reshape(-1, 784)
    labels = read_idx(mnist_file("t10k-labels-idx1-ubyte.gz"))
    X_train, X_test = images[:8000], images[8000:]
    Y_train = (labels[:8000] == 4).astype(int).reshape(-1, 1)
    w, losses = notebook.train(notebook.add_bias_column(X_train), Y_train, 200, 1e-5)
    clf = GDLogisticRegression().fit(X_train, Y_train.ravel())
    assert_matches_notebook(clf, w, losses)
    # The notebook's run oscillates first (0.69, 0.80, 0.56, ...), then settles.
    assert clf.loss_curve_[1] > clf.loss_curve_[0] > clf.loss_curve_[2]
    assert clf.loss_curve_[-1] < 0.1
    expected = np.round(notebook.predict(notebook.add_bias_column(X_test), w)).ravel()
    np.testing.assert_array_equal(clf.predict(X_test), expected)


def test_oscillating_run_matches_over_first_iterations(digits):
    # At 1e-3 the loss jumps up and down; rounding differences grow tenfold every
    # few iterations there, so only the start of such a run can be compared.
    X, y = digits
    Y = (y == 4).astype(int).reshape(-1, 1)
    _, losses = notebook.train(notebook.add_bias_column(X), Y, 10, 1e-3)
    clf = GDLogisticRegression(learning_rate=1e-3, max_iter=10).fit(X, Y.ravel())
    np.testing.assert_allclose(clf.loss_curve_, losses, rtol=1e-8)


def test_first_loss_is_log_2_and_verbose_prints_notebook_lines(digits, capsys):
    X, y = digits
    clf = GDLogisticRegression(max_iter=3, verbose=1).fit(X, y == 4)
    assert clf.loss_curve_[0] == pytest.approx(math.log(2), rel=1e-15)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "Iteration    0 => Loss: 0.69314718055994528623"
    assert len(lines) == 3
    for i, (line, loss) in enumerate(zip(lines, clf.loss_curve_, strict=True)):
        assert line == f"Iteration {i:4d} => Loss: {loss:.20f}"


def test_binary_attributes_shapes_and_probabilities(digits):
    X, y = digits
    labels = np.where(y == 4, "four", "other")
    clf = GDLogisticRegression().fit(X, labels)
    assert clf.classes_.tolist() == ["four", "other"]
    assert clf.coef_.shape == (1, 64)
    assert clf.intercept_.shape == (1,)
    assert clf.n_iter_ == 200 == len(clf.loss_curve_)
    assert clf.n_features_in_ == 64
    scores = clf.decision_function(X)
    assert scores.shape == (len(X),)
    proba = clf.predict_proba(X)
    assert proba.shape == (len(X), 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1)
    np.testing.assert_allclose(np.exp(clf.predict_log_proba(X)), proba)
    # Positive scores favour classes_[1].
    np.testing.assert_array_equal(clf.predict(X) == "other", scores > 0)
    assert set(clf.predict(X)) <= {"four", "other"}


@pytest.mark.parametrize("target", ["binary", "ovr", "multinomial"])
def test_confident_probabilities_keep_their_precision(digits, target):
    X, y = digits
    params = {"learning_rate": 1e-3}
    if target == "binary":
        y = y == 4
    elif target == "multinomial":
        params["multiclass"] = "multinomial"
    # Scores far beyond +-37, where 1 - sigmoid(z) would round to exactly 0.
    clf = GDLogisticRegression(**params).fit(X * (255 / 16), y)
    assert np.abs(clf.decision_function(X * (255 / 16))).max() > 40
    log_proba = clf.predict_log_proba(X * (255 / 16))
    assert np.isfinite(log_proba).all()
    proba = clf.predict_proba(X * (255 / 16))
    np.testing.assert_allclose(np.exp(log_proba), proba, rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(proba.sum(axis=1), 1)


def test_probability_of_one_half_goes_to_first_class_like_np_round(digits):
    X, y = digits
    clf = GDLogisticRegression(max_iter=1).fit(X, y == 4)
    clf.coef_[:] = 0
    clf.intercept_[:] = 0
    assert np.round(0.5) == 0
    assert not clf.predict(X[:5]).any()


def test_multiclass_ovr_columns_equal_binary_detectors(digits):
    X, y = digits
    clf = GDLogisticRegression(max_iter=50).fit(X, y)
    assert clf.coef_.shape == (10, 64)
    assert clf.intercept_.shape == (10,)
    assert clf.loss_curve_[0] == pytest.approx(math.log(2), rel=1e-15)
    for digit in (0, 4, 9):
        detector = GDLogisticRegression(max_iter=50).fit(X, y == digit)
        np.testing.assert_allclose(clf.coef_[digit], detector.coef_[0], rtol=1e-12)
        np.testing.assert_allclose(clf.intercept_[digit], detector.intercept_[0])
    proba = clf.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1)
    np.testing.assert_array_equal(clf.predict(X), clf.classes_[proba.argmax(axis=1)])
    assert clf.score(X, y) > 0.85


def test_multinomial_softmax(digits):
    X, y = digits
    clf = GDLogisticRegression(multiclass="multinomial", max_iter=50).fit(X, y)
    assert clf.loss_curve_[0] == pytest.approx(math.log(10), rel=1e-14)
    assert clf.loss_curve_[-1] < clf.loss_curve_[0]
    proba = clf.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1)
    assert clf.score(X, y) > 0.85


def test_integer_sample_weights_equal_repeated_rows(digits):
    X, y = digits[0][:300], digits[1][:300] == 4
    weights = np.random.default_rng(0).integers(0, 4, size=len(y))
    weighted = GDLogisticRegression(max_iter=30).fit(X, y, sample_weight=weights)
    repeated = GDLogisticRegression(max_iter=30).fit(
        np.repeat(X, weights, axis=0), np.repeat(y, weights)
    )
    np.testing.assert_allclose(weighted.loss_curve_, repeated.loss_curve_, rtol=1e-12)
    np.testing.assert_allclose(weighted.coef_, repeated.coef_, rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize(
    ("sample_weight", "message"),
    [
        (np.ones(3), "sample_weight.shape"),
        (-np.ones(1797), "non-negative"),
        (np.zeros(1797), "only zero weights"),
        (np.ones(1797) * (1 + 1j), "real numbers"),
    ],
)
def test_bad_sample_weight(digits, sample_weight, message):
    X, y = digits
    with pytest.raises(ValueError, match=message):
        GDLogisticRegression().fit(X, y == 4, sample_weight=sample_weight)


def test_dtypes_float32_kept_uint8_becomes_float64(digits):
    X, y = digits
    # C order for both, so that both take the same kernel.
    X = np.ascontiguousarray(X)
    fit64 = GDLogisticRegression(max_iter=20).fit(X, y == 4)
    fit32 = GDLogisticRegression(max_iter=20).fit(X.astype(np.float32), y == 4)
    fit_uint8 = GDLogisticRegression(max_iter=20).fit(X.astype(np.uint8), y == 4)
    assert fit32.coef_.dtype == fit32.intercept_.dtype == np.float32
    assert fit_uint8.coef_.dtype == np.float64
    np.testing.assert_allclose(fit32.coef_, fit64.coef_, rtol=1e-4)
    np.testing.assert_array_equal(fit_uint8.coef_, fit64.coef_)
    assert fit32.predict_proba(X.astype(np.float32)).dtype == np.float32


def test_sparse_csr_matches_dense(digits):
    X, y = digits
    dense = GDLogisticRegression(max_iter=30).fit(X, y)
    sparse = GDLogisticRegression(max_iter=30).fit(sp.csr_matrix(X), y)
    np.testing.assert_allclose(sparse.coef_, dense.coef_, rtol=1e-10, atol=1e-15)
    np.testing.assert_allclose(sparse.loss_curve_, dense.loss_curve_, rtol=1e-12)
    np.testing.assert_allclose(
        sparse.predict_proba(sp.csr_matrix(X)), dense.predict_proba(X), rtol=1e-10
    )


def test_ovr_loss_with_penalty_is_the_mean_of_the_detectors_losses(digits):
    X, y = digits
    X = X / 16
    params = {"learning_rate": 0.5, "alpha": 0.5, "max_iter": 5}
    ovr = GDLogisticRegression(**params).fit(X, y)
    detectors = [GDLogisticRegression(**params).fit(X, y == k) for k in range(10)]
    mean_curve = np.mean([d.loss_curve_ for d in detectors], axis=0)
    np.testing.assert_allclose(ovr.loss_curve_, mean_curve, rtol=1e-12)


def test_warm_started_chunks_diverge_like_one_long_fit(digits):
    # Each chunk alone rises less than a thousandfold from its own start; the run
    # as a whole does, and must stop as one long fit does.
    X, y = digits
    raw_pixels = X * (255 / 16)
    with pytest.raises(ValueError, match="diverged at iteration 1") as long_fit:
        GDLogisticRegression(learning_rate=0.1).fit(raw_pixels, y == 4)
    chunked = GDLogisticRegression(learning_rate=0.1, max_iter=1, warm_start=True)
    chunked.fit(raw_pixels, y == 4)
    with pytest.raises(ValueError, match="diverged at iteration 1") as chunk_fit:
        chunked.fit(raw_pixels, y == 4)
    assert str(chunk_fit.value) == str(long_fit.value)


def test_fit_intercept_false_and_alpha(digits):
    X, y = digits
    no_intercept = GDLogisticRegression(fit_intercept=False, max_iter=20).fit(X, y == 4)
    np.testing.assert_array_equal(no_intercept.intercept_, [0.0])
    plain = GDLogisticRegression(learning_rate=1e-3, max_iter=50).fit(X / 16, y == 4)
    penalised = GDLogisticRegression(learning_rate=1e-3, max_iter=50, alpha=1.0).fit(
        X / 16, y == 4
    )
    assert np.linalg.norm(penalised.coef_) < np.linalg.norm(plain.coef_)
    # With zero weights the penalty is zero, so both fits start from the same loss.
    assert penalised.loss_curve_[0] == plain.loss_curve_[0]
    assert penalised.loss_curve_[1] > plain.loss_curve_[1]


@pytest.mark.parametrize("multiclass", ["ovr", "multinomial"])
def test_penalised_fit_converges_to_scikit_learns_penalised_optimum(digits, multiclass):
    # alpha / 2 * ||coef||^2 on the mean loss is scikit-learn's C = 1 / (alpha * n):
    # run to convergence, both must find the same weights. (A penalty gradient
    # divided by n_samples once made alpha almost inert; this catches it.)
    X, y = digits
    X = X / 16 - (X / 16).mean(axis=0)
    alpha = 1e-2
    gd = GDLogisticRegression(
        multiclass=multiclass, learning_rate=1.0, alpha=alpha, max_iter=3000, tol=0
    ).fit(X, y)
    reference = LogisticRegression(C=1 / (alpha * len(y)), tol=1e-10, max_iter=10_000)
    if multiclass == "ovr":
        reference = OneVsRestClassifier(reference).fit(X, y)
        coef = np.vstack([e.coef_ for e in reference.estimators_])
        intercept = np.concatenate([e.intercept_ for e in reference.estimators_])
    else:
        reference.fit(X, y)
        coef, intercept = reference.coef_, reference.intercept_
    np.testing.assert_allclose(gd.coef_, coef, atol=1e-5 * np.abs(coef).max())
    np.testing.assert_allclose(gd.intercept_, intercept, atol=1e-5)


def test_diverging_learning_rate_raises_and_leaves_no_model(digits):
    X, y = digits
    raw_pixels = X * (255 / 16)  # the bundled digits on MNIST's 0-255 scale
    clf = GDLogisticRegression(learning_rate=1.0)
    with pytest.raises(ValueError, match=r"diverged at iteration 1\b.*learning_rate"):
        clf.fit(raw_pixels, y == 4)
    assert not hasattr(clf, "coef_")
    # A warm-started model keeps its previous, finite weights.
    warm = GDLogisticRegression(max_iter=5, warm_start=True).fit(raw_pixels, y == 4)
    before = warm.coef_.copy()
    with pytest.raises(ValueError, match="smaller learning_rate"):
        warm.set_params(learning_rate=1.0).fit(raw_pixels, y == 4)
    np.testing.assert_array_equal(warm.coef_, before)
    assert warm.n_iter_ == 5


def test_tol_stops_early_and_warns_when_it_cannot(digits):
    X, y = digits
    X = X / 16
    stopped = GDLogisticRegression(learning_rate=0.5, max_iter=5000, tol=1e-4)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        stopped.fit(X, y == 4)
    assert stopped.n_iter_ < 5000
    short = GDLogisticRegression(learning_rate=0.5, max_iter=3, tol=1e-4)
    with pytest.warns(ConvergenceWarning, match=r"Maximum iterations \(3\) reached"):
        short.fit(X, y == 4)
    assert short.n_iter_ == 3


def test_no_tol_runs_every_iteration_without_warning(digits):
    X, y = digits
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        clf = GDLogisticRegression(max_iter=7).fit(X, y == 4)
    assert clf.n_iter_ == 7


def test_warm_start_continues_the_curve(digits):
    X, y = digits
    full = GDLogisticRegression(max_iter=40).fit(X, y)
    warm = GDLogisticRegression(max_iter=15, warm_start=True).fit(X, y)
    warm.set_params(max_iter=25).fit(X, y)
    assert warm.n_iter_ == 40
    np.testing.assert_allclose(warm.loss_curve_, full.loss_curve_, rtol=1e-12)
    np.testing.assert_allclose(warm.coef_, full.coef_, rtol=1e-12)
    with pytest.raises(ValueError, match="same classes"):
        warm.fit(X, y == 4)


def test_cold_refit_starts_over(digits):
    X, y = digits
    clf = GDLogisticRegression(max_iter=5).fit(X, y)
    clf.fit(X, y)
    assert clf.n_iter_ == 5


BAD_INPUT_CASES = {
    "nan": (lambda X, y: (np.where(X == 0, np.nan, X), y), "NaN"),
    "inf": (lambda X, y: (np.where(X == 0, np.inf, X), y), "infinity"),
    "empty": (lambda X, y: (X[:0], y[:0]), "0 sample"),
    "one class": (lambda X, y: (X, np.zeros_like(y)), "only one class"),
    "3-D X": (lambda X, y: (X.reshape(-1, 8, 8), y), "Expected 2D|dim 3"),
}


@pytest.mark.parametrize("case", BAD_INPUT_CASES)
def test_bad_training_data(digits, case):
    make, message = BAD_INPUT_CASES[case]
    X, y = make(*digits)
    with pytest.raises(ValueError, match=message):
        GDLogisticRegression().fit(X, y)


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"learning_rate": 0}, "learning_rate"),
        ({"learning_rate": -1e-5}, "learning_rate"),
        ({"max_iter": 0}, "max_iter"),
        ({"alpha": -1}, "alpha"),
        ({"multiclass": "softmax"}, "multiclass"),
    ],
)
def test_bad_parameters_name_the_parameter(digits, params, name):
    X, y = digits
    with pytest.raises(ValueError, match=re.escape(f"'{name}' parameter")):
        GDLogisticRegression(**params).fit(X, y)


def test_wrong_n_features_and_not_fitted(digits):
    X, y = digits
    with pytest.raises(NotFittedError, match="not fitted yet"):
        GDLogisticRegression().predict(X)
    clf = GDLogisticRegression(max_iter=2).fit(X, y)
    with pytest.raises(ValueError, match=r"X has 63 features.*expecting 64"):
        clf.predict(X[:, 1:])


def test_huge_sample_weights_fit_like_their_ratios(digits):
    X, y = digits[0][:200], digits[1][:200] == 4
    weights = np.random.default_rng(0).uniform(1, 3, len(y))
    scaled = GDLogisticRegression(max_iter=20).fit(X, y, sample_weight=weights * 1e307)
    plain = GDLogisticRegression(max_iter=20).fit(X, y, sample_weight=weights)
    np.testing.assert_allclose(scaled.loss_curve_, plain.loss_curve_, rtol=1e-12)
    np.testing.assert_allclose(scaled.coef_, plain.coef_, rtol=1e-10, atol=1e-15)


@pytest.mark.parametrize("multiclass", ["ovr", "multinomial"])
def test_integer_pixels_fit_exactly_like_their_float64_copy(digits, multiclass):
    X, y = digits
    pixels = np.round(X * 255 / 16).astype(np.uint8)
    fits = [
        GDLogisticRegression(max_iter=15, multiclass=multiclass).fit(data, y)
        for data in (pixels, pixels.astype(np.float64))
    ]
    assert fits[0].loss_curve_ == fits[1].loss_curve_
    np.testing.assert_array_equal(fits[0].coef_, fits[1].coef_)
    np.testing.assert_array_equal(fits[0].intercept_, fits[1].intercept_)


def test_memory_mapped_uint8_pixels_fit_without_a_float_copy(tmp_path):
    import tracemalloc

    from skdigit import read_idx, write_idx

    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (20000, 28, 28)).astype(np.uint8)
    labels = rng.integers(0, 10, 20000)
    write_idx(tmp_path / "images.idx", images)
    X = read_idx(tmp_path / "images.idx", mmap=True).reshape(len(images), -1)
    assert isinstance(X.base, np.memmap) or isinstance(X, np.memmap)
    tracemalloc.start()
    try:
        GDLogisticRegression(max_iter=2).fit(X, labels == 4)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # A float64 copy of X would be 125 MB; the fit needs blocks of a few MB and
    # a few arrays of n_samples values.
    assert peak < 16 * 2**20 + len(X) * 8 * 4, peak


def test_learning_rate_auto_converges_where_a_fixed_step_diverges(digits):
    X, y = digits
    pixels = X * 255 / 16
    with pytest.raises(ValueError, match="diverged"):
        GDLogisticRegression(learning_rate=1.0, max_iter=50).fit(pixels, y)
    for multiclass in ("ovr", "multinomial"):
        clf = GDLogisticRegression(
            learning_rate="auto", max_iter=100, multiclass=multiclass
        ).fit(pixels, y)
        assert 0 < clf.learning_rate_ < 1e-3
        # A step of at most 1/L decreases the loss at every iteration.
        assert (np.diff(clf.loss_curve_) <= 1e-15).all()
        assert clf.score(pixels, y) > 0.9


def test_learning_rate_auto_follows_the_scale_of_the_features(digits):
    X, y = digits
    fits = [
        GDLogisticRegression(learning_rate="auto", max_iter=5).fit(X * scale, y == 4)
        for scale in (1.0, 10.0)
    ]
    # The curvature grows as the square of the scale.
    assert fits[0].learning_rate_ / fits[1].learning_rate_ == pytest.approx(
        100, rel=0.05
    )
    fixed = GDLogisticRegression(learning_rate=0.01, max_iter=3).fit(X, y == 4)
    assert fixed.learning_rate_ == 0.01


def test_ctrl_c_keeps_the_last_finished_iteration_and_warns(digits, monkeypatch):
    from skdigit import FitInterruptedWarning, _solver

    X, y = digits
    full = GDLogisticRegression(max_iter=10).fit(X, y == 4)
    original_check = _solver.check_divergence

    def interrupt_at_iteration_6(loss, reference, iteration):
        if iteration == 6:
            raise KeyboardInterrupt
        original_check(loss, reference, iteration)

    monkeypatch.setattr(_solver, "check_divergence", interrupt_at_iteration_6)
    with pytest.warns(FitInterruptedWarning, match="after 6 iterations"):
        clf = GDLogisticRegression(max_iter=10).fit(X, y == 4)
    assert clf.n_iter_ == 6
    assert clf.loss_curve_ == full.loss_curve_[:6]
    six = GDLogisticRegression(max_iter=6).fit(X, y == 4)
    np.testing.assert_array_equal(clf.coef_, six.coef_)
    np.testing.assert_array_equal(clf.intercept_, six.intercept_)


@pytest.fixture(scope="module")
def mnist_train(mnist_file):
    from skdigit import read_idx

    images = read_idx(mnist_file("train-images-idx3-ubyte.gz"))
    labels = read_idx(mnist_file("train-labels-idx1-ubyte.gz"))
    return images.reshape(len(images), -1), labels


@pytest.mark.parametrize("kernel", ["numpy", "compiled"])
def test_reproduces_the_notebooks_printed_losses_on_mnist_train(
    mnist_train, kernel, monkeypatch
):
    if kernel == "compiled":
        pytest.importorskip("numba")
    monkeypatch.setenv("SKDIGIT_KERNEL", kernel)
    X, labels = mnist_train
    assert X.dtype == np.uint8  # the notebook's raw pixels, used as they are
    clf = GDLogisticRegression().fit(X, labels == 4)
    assert len(clf.loss_curve_) == 200
    for iteration, printed in notebook.PRINTED_LOSSES.items():
        assert clf.loss_curve_[iteration] == pytest.approx(printed, rel=1e-12)


# ---------------------------------------------- accelerated descent and class weights


@pytest.fixture(scope="module")
def centred_digits(digits):
    X, y = digits
    return X / 16 - (X / 16).mean(axis=0), y


def test_nesterov_reaches_in_100_iterations_what_plain_descent_needs_500_for(
    centred_digits,
):
    X, y = centred_digits
    params = {"multiclass": "multinomial", "learning_rate": "auto", "alpha": 1e-3}
    accelerated = GDLogisticRegression(solver="nesterov", max_iter=100, **params)
    plain = GDLogisticRegression(max_iter=500, **params)
    accelerated.fit(X, y)
    plain.fit(X, y)
    assert accelerated.loss_curve_[-1] < plain.loss_curve_[-1]
    assert accelerated.learning_rate_ == plain.learning_rate_
    # Deterministic: the same fit gives the same bits.
    again = GDLogisticRegression(solver="nesterov", max_iter=100, **params).fit(X, y)
    np.testing.assert_array_equal(again.coef_, accelerated.coef_)


def test_default_solver_is_the_notebooks_plain_descent(digits):
    X, y = digits
    pixels = X * 255 / 16
    default = GDLogisticRegression().fit(pixels, y == 4)
    plain = GDLogisticRegression(solver="gd").fit(pixels, y == 4)
    assert default.loss_curve_ == plain.loss_curve_
    Y = (y == 4).astype(int).reshape(-1, 1)
    w, losses = notebook.train(notebook.add_bias_column(pixels), Y, 200, 1e-5)
    assert_matches_notebook(default, w, losses)


def test_nesterov_warm_start_restarts_the_momentum_from_the_weights(centred_digits):
    X, y = centred_digits
    params = {"solver": "nesterov", "learning_rate": 0.5, "multiclass": "multinomial"}
    first = GDLogisticRegression(max_iter=20, **params).fit(X, y)
    coef, intercept = first.coef_.copy(), first.intercept_.copy()
    warm = first.set_params(warm_start=True, max_iter=2).fit(X, y)
    assert warm.n_iter_ == 22
    # The continuation takes its first gradient at the stored weights themselves
    # (no momentum carried over), so it is a plain step from there.
    plain = GDLogisticRegression(max_iter=20, **params).fit(X, y)
    plain.set_params(solver="gd", warm_start=True, max_iter=2).fit(X, y)
    assert warm.loss_curve_[20:] == plain.loss_curve_[20:]
    np.testing.assert_array_equal(warm.coef_, plain.coef_)
    assert not np.array_equal(warm.coef_, coef)
    assert not np.array_equal(warm.intercept_, intercept)


@pytest.mark.parametrize("kernel", ["numpy", "compiled"])
@pytest.mark.parametrize("multiclass", ["ovr", "multinomial"])
def test_nesterov_gives_the_same_fit_on_every_kernel(
    digits, kernel, multiclass, monkeypatch
):
    if kernel == "compiled":
        pytest.importorskip("numba")
    X, y = digits
    pixels = np.rint(X * 255 / 16)
    params = {"solver": "nesterov", "max_iter": 30, "multiclass": multiclass}
    monkeypatch.setenv("SKDIGIT_KERNEL", "numpy")
    reference = GDLogisticRegression(**params).fit(pixels, y)
    monkeypatch.setenv("SKDIGIT_KERNEL", kernel)
    fits = {"uint8": GDLogisticRegression(**params).fit(pixels.astype(np.uint8), y)}
    da = pytest.importorskip("dask.array")
    chunked = da.from_array(pixels, chunks=(500, 64))
    fits["dask"] = GDLogisticRegression(**params).fit(chunked, y)
    xp = pytest.importorskip("array_api_strict")
    with sklearn.config_context(array_api_dispatch=True):
        fits["array API"] = GDLogisticRegression(**params).fit(xp.asarray(pixels), y)
    for name, fit in fits.items():
        np.testing.assert_allclose(
            fit.loss_curve_, reference.loss_curve_, rtol=1e-10, err_msg=name
        )
        np.testing.assert_allclose(
            np.asarray(fit.coef_), reference.coef_, rtol=1e-8, atol=1e-12
        )


def penalised_reference(X, y, alpha, *, class_weight=None, sample_weight=None):
    """scikit-learn's optimum of the same objective: C = 1 / (alpha * sum of the
    weights), the weights being sample_weight times class_weight."""
    weights = np.ones(len(y)) if sample_weight is None else sample_weight
    if class_weight is not None:
        from sklearn.utils.class_weight import compute_class_weight

        classes = np.unique(y)
        per_class = compute_class_weight(class_weight, classes=classes, y=y)
        weights = weights * per_class[np.searchsorted(classes, y)]
    C = 1 / (alpha * weights.sum())
    reference = LogisticRegression(
        C=C, class_weight=class_weight, tol=1e-12, max_iter=100_000
    )
    return reference.fit(X, y, sample_weight=sample_weight)


@pytest.mark.parametrize("target", ["binary", "multinomial"])
@pytest.mark.parametrize("class_weight", ["balanced", {0: 3.0, 1: 0.5}])
def test_class_weight_converges_to_scikit_learns_optimum(
    centred_digits, target, class_weight
):
    X, y = centred_digits
    y = (y == 4).astype(int) if target == "binary" else y
    alpha = 1e-2
    gd = GDLogisticRegression(
        solver="nesterov",
        learning_rate="auto",
        multiclass="multinomial",
        alpha=alpha,
        class_weight=class_weight,
        max_iter=5000,
        tol=0,
    ).fit(X, y)
    reference = penalised_reference(X, y, alpha, class_weight=class_weight)
    scale = np.abs(reference.coef_).max()
    np.testing.assert_allclose(gd.coef_, reference.coef_, atol=1e-5 * scale)
    np.testing.assert_allclose(gd.intercept_, reference.intercept_, atol=1e-5)


def test_class_weight_multiplies_sample_weight(digits):
    X, y = digits[0] / 16, digits[1] == 4
    weights = np.random.default_rng(0).uniform(0.5, 2.0, len(y))
    by_class = GDLogisticRegression(
        learning_rate=0.5, max_iter=20, class_weight={True: 9.0}
    ).fit(X, y, sample_weight=weights)
    by_sample = GDLogisticRegression(learning_rate=0.5, max_iter=20).fit(
        X, y, sample_weight=weights * np.where(y, 9.0, 1.0)
    )
    np.testing.assert_allclose(by_class.coef_, by_sample.coef_, rtol=1e-12)
    balanced = GDLogisticRegression(max_iter=3, class_weight="balanced").fit(X, y)
    counted = np.bincount(y)
    expected = len(y) / (2 * counted)
    explicit = GDLogisticRegression(
        max_iter=3, class_weight={False: expected[0], True: expected[1]}
    ).fit(X, y)
    np.testing.assert_allclose(balanced.coef_, explicit.coef_, rtol=1e-12)


@pytest.mark.parametrize(
    ("class_weight", "error", "match"),
    [
        ({7: 2.0}, ValueError, r"class_weight.*7"),
        ("heavy", ValueError, r"class_weight.*'balanced'"),
        ([1.0, 2.0], ValueError, r"class_weight"),
        ({False: 0.0, True: 0.0}, ValueError, r"only zero weights"),
    ],
)
def test_bad_class_weight_is_a_clear_error(digits, class_weight, error, match):
    X, y = digits
    with pytest.raises(error, match=match):
        GDLogisticRegression(class_weight=class_weight).fit(X, y == 4)


def test_only_the_ratios_of_tiny_sample_weights_matter(digits):
    X, y = digits[0][:200] / 16, digits[1][:200] == 4
    weights = np.random.default_rng(0).uniform(1, 3, len(y))
    params = {"learning_rate": 0.5, "max_iter": 20}
    tiny = GDLogisticRegression(**params).fit(X, y, sample_weight=np.full(200, 5e-324))
    ones = GDLogisticRegression(**params).fit(X, y)
    np.testing.assert_array_equal(tiny.coef_, ones.coef_)
    scaled = GDLogisticRegression(**params).fit(X, y, sample_weight=weights * 1e-300)
    plain = GDLogisticRegression(**params).fit(X, y, sample_weight=weights)
    np.testing.assert_allclose(scaled.coef_, plain.coef_, rtol=1e-10)


# ------------------------------------------------------------ a step that does nothing


def test_a_step_far_too_small_for_scaled_pixels_is_warned_about(digits):
    from skdigit import StepTooSmallWarning

    X, y = digits
    # The notebook's 1e-5 on pixels divided by their maximum: an untrained model.
    with pytest.warns(StepTooSmallWarning, match=r'learning_rate="auto"') as caught:
        clf = GDLogisticRegression().fit(X / 16, y == 4)
    assert issubclass(caught[0].category, ConvergenceWarning)
    message = str(caught[0].message)
    assert "learning_rate=1e-05" in message and "200 iterations" in message
    assert clf.loss_curve_[0] - clf.loss_curve_[-1] < 0.01 * clf.loss_curve_[0]
    # Also when tol stops the fit: the loss no longer "improves" by tol.
    with pytest.warns(StepTooSmallWarning):
        GDLogisticRegression(tol=1e-3, max_iter=500).fit(X / 16, y == 4)


@pytest.mark.parametrize(
    "params",
    [
        {},  # the notebook's step on 0-255 pixels
        {"learning_rate": "auto"},  # never judged: the step comes from the data
        {"learning_rate": 1e-5, "max_iter": 5},  # too short a fit to judge
        {"learning_rate": 0.01, "alpha": 100.0},  # converged: the optimum is near 0
    ],
    ids=["notebook", "auto", "short", "converged"],
)
def test_a_step_that_trains_is_never_warned_about(digits, params):
    X, y = digits
    pixels = X * 255 / 16 if not params else X / 16
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        GDLogisticRegression(**params).fit(pixels, y == 4)


def test_the_notebooks_own_run_on_mnist_is_not_warned_about(mnist_train):
    X, labels = mnist_train
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        GDLogisticRegression(max_iter=20).fit(X, labels == 4)


def test_divergence_at_the_auto_step_blames_the_features_not_the_step():
    rng = np.random.default_rng(0)
    X = (rng.random((50, 4)) * 3e38).astype(np.float32)
    y = rng.integers(0, 2, 50)
    with pytest.raises(ValueError, match="diverged") as caught:
        GDLogisticRegression(learning_rate="auto").fit(X, y)
    message = str(caught.value)
    assert "too large to compute with in float32" in message
    assert "use a smaller learning_rate" not in message
