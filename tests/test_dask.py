"""Dask: searches on a cluster, fits on chunked arrays, lazy predictions."""

import sys

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler

from skdigit import GDLogisticRegression

da = pytest.importorskip("dask.array")
distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def client():
    """A real two-worker cluster on the loopback interface, for this module only."""
    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            host="127.0.0.1",
            dashboard_address=None,
            processes=True,
        ) as cluster,
        distributed.Client(cluster) as dask_client,
    ):
        yield dask_client


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return np.rint(X * 255 / 16), y


def test_grid_search_on_the_cluster_equals_sequential(client, digits):
    from joblib import parallel_backend

    X, y = digits
    search = GridSearchCV(
        make_pipeline(MinMaxScaler(), GDLogisticRegression()),
        {
            "gdlogisticregression__learning_rate": [0.1, 1.0],
            "gdlogisticregression__max_iter": [10, 50],
        },
        cv=3,
    )
    sequential = search.fit(X, y)
    sequential_scores = sequential.cv_results_["mean_test_score"].copy()
    best = sequential.best_params_
    with parallel_backend("dask"):
        on_cluster = GridSearchCV(search.estimator, search.param_grid, cv=3, n_jobs=-1)
        on_cluster.fit(X, y)
    assert on_cluster.best_params_ == best
    np.testing.assert_allclose(
        on_cluster.cv_results_["mean_test_score"], sequential_scores
    )
    with parallel_backend("dask"):
        scores = cross_val_score(GDLogisticRegression(), X, y == 4, cv=3, n_jobs=-1)
    np.testing.assert_allclose(
        scores, cross_val_score(GDLogisticRegression(), X, y == 4, cv=3)
    )


@pytest.mark.parametrize("target", ["binary", "ten digits", "multinomial"])
def test_fit_on_chunked_dask_array_equals_numpy(client, digits, target):
    X, y = digits
    params = {"max_iter": 40}
    if target == "binary":
        y = y == 4
    elif target == "multinomial":
        params.update(multiclass="multinomial", learning_rate=1e-6)
    X_dask = da.from_array(X, chunks=(400, 64))  # 5 row chunks, the last one short
    y_dask = da.from_array(y, chunks=400)
    expected = GDLogisticRegression(**params).fit(X, y)
    fitted = GDLogisticRegression(**params).fit(X_dask, y_dask)
    np.testing.assert_allclose(fitted.loss_curve_, expected.loss_curve_, rtol=1e-10)
    np.testing.assert_allclose(fitted.coef_, expected.coef_, rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(fitted.intercept_, expected.intercept_, rtol=1e-10)
    assert isinstance(fitted.coef_, np.ndarray)
    assert fitted.n_features_in_ == 64


def test_dask_fit_with_sample_weight_and_column_chunks(client, digits):
    X, y = digits
    weights = np.random.default_rng(0).integers(0, 3, len(y)).astype(float)
    X_dask = da.from_array(X, chunks=(500, 16))  # column chunks are merged
    expected = GDLogisticRegression(max_iter=20).fit(X, y, sample_weight=weights)
    fitted = GDLogisticRegression(max_iter=20).fit(X_dask, y, sample_weight=weights)
    np.testing.assert_allclose(fitted.coef_, expected.coef_, rtol=1e-10, atol=1e-14)


def test_predictions_on_dask_arrays_are_lazy_and_equal(client, digits):
    X, y = digits
    model = GDLogisticRegression(max_iter=30).fit(X, y)
    X_dask = da.from_array(X, chunks=(300, 64))
    for method in (
        "decision_function",
        "predict_proba",
        "predict_log_proba",
        "predict",
    ):
        lazy = getattr(model, method)(X_dask)
        assert isinstance(lazy, da.Array), method
        np.testing.assert_allclose(lazy.compute(), getattr(model, method)(X))
    detector = GDLogisticRegression(max_iter=30).fit(X, y == 4)
    lazy_scores = detector.decision_function(X_dask)
    assert lazy_scores.ndim == 1
    np.testing.assert_allclose(lazy_scores.compute(), detector.decision_function(X))


def test_dask_input_errors(client, digits):
    X, y = digits
    X_bad = X.copy()
    X_bad[3, 5] = np.nan
    with pytest.raises(ValueError, match="NaN or infinity"):
        GDLogisticRegression().fit(da.from_array(X_bad, chunks=500), y)
    model = GDLogisticRegression(max_iter=2).fit(X, y)
    with pytest.raises(ValueError, match="X has 63 features"):
        model.predict(da.from_array(X[:, 1:], chunks=500))
    # Predictions are lazy, so a NaN shows up when they are computed: as an error,
    # never as a NaN probability or a made-up label.
    lazy = model.predict_proba(da.from_array(X_bad, chunks=500))
    with pytest.raises(ValueError, match="NaN or infinity"):
        lazy.compute()


def test_dask_empty_and_unknown_chunks_and_dask_weights(client, digits):
    X, y = digits
    expected = GDLogisticRegression(max_iter=10).fit(X, y)
    with_empty_chunk = da.from_array(X, chunks=((100, 0, 1697), (64,)))
    fitted = GDLogisticRegression(max_iter=10).fit(with_empty_chunk, y)
    np.testing.assert_allclose(fitted.coef_, expected.coef_, rtol=1e-10, atol=1e-14)
    # A boolean mask leaves the row counts of the chunks unknown.
    keep = y != 7
    X_masked = da.from_array(X, chunks=400)[da.from_array(keep, chunks=400)]
    assert np.isnan(X_masked.chunks[0][0])
    masked = GDLogisticRegression(max_iter=10).fit(X_masked, y[keep])
    np.testing.assert_allclose(
        masked.coef_,
        GDLogisticRegression(max_iter=10).fit(X[keep], y[keep]).coef_,
        rtol=1e-10,
        atol=1e-14,
    )
    weights = np.random.default_rng(1).integers(1, 4, len(y)).astype(float)
    weighted = GDLogisticRegression(max_iter=10).fit(
        da.from_array(X, chunks=400),
        y,
        sample_weight=da.from_array(weights, chunks=400),
    )
    np.testing.assert_allclose(
        weighted.coef_,
        GDLogisticRegression(max_iter=10).fit(X, y, sample_weight=weights).coef_,
        rtol=1e-10,
        atol=1e-14,
    )


def test_fitted_model_pickles_small(digits):
    import pickle

    X, y = digits
    model = GDLogisticRegression(max_iter=5).fit(da.from_array(X, chunks=600), y)
    # Only the fitted attributes travel: far smaller than the data.
    assert len(pickle.dumps(model)) < X.nbytes / 10


def test_skdigit_does_not_import_dask():
    import subprocess

    code = "import sys, skdigit; print('dask' in sys.modules)"
    output = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert output.stdout.strip() == "False"


def test_uint8_chunks_stay_uint8_with_their_targets_on_their_worker(client, digits):
    from skdigit._kernels._dask import DaskKernel

    X, y = digits
    pixels = X.astype(np.uint8)
    X_dask = da.from_array(pixels, chunks=(400, 64))
    Y = (y == 4).astype(float).reshape(-1, 1)
    kernel = DaskKernel(X_dask, Y, np.ones(len(y)), link="sigmoid")
    # Each row chunk held once, in its own dtype, with its targets.
    assert kernel.summary() == [
        ("|u1", len(rows), len(rows))
        for rows in np.array_split(Y, [400, 800, 1200, 1600])
    ]
    # Held by actors on the workers, one per worker holding chunks.
    assert 1 <= len(kernel.holders) <= 2
    kernel.close()
    fitted = GDLogisticRegression(max_iter=20).fit(X_dask, y == 4)
    expected = GDLogisticRegression(max_iter=20).fit(pixels, y == 4)
    np.testing.assert_allclose(fitted.loss_curve_, expected.loss_curve_, rtol=1e-12)
    np.testing.assert_allclose(fitted.coef_, expected.coef_, rtol=1e-10, atol=1e-14)


def test_iterations_send_weights_and_schedule_no_task(client, digits):
    from skdigit._kernels._dask import DaskKernel

    X, y = digits
    X_dask = da.from_array(X, chunks=(400, 64))
    Y = (y == 4).astype(float).reshape(-1, 1)
    kernel = DaskKernel(X_dask, Y, np.ones(len(y)), link="sigmoid")

    def tasks_run():
        def count(dask_scheduler):
            return sum(1 for event in dask_scheduler.transition_log)

        return client.run_on_scheduler(count)

    before = tasks_run()
    coef, intercept = np.zeros((64, 1)), np.zeros(1)
    sums = [kernel.sums(coef + step, intercept, 0.0) for step in (0.0, 1e-4, 2e-4)]
    assert tasks_run() == before  # the holders answer directly
    assert sums[0][0] != sums[1][0] != sums[2][0]
    kernel.close()


def test_the_sums_do_not_depend_on_where_the_chunks_are(client, digits):
    import dask

    from skdigit._kernels._dask import DaskKernel

    X, y = digits
    Y = (y == 4).astype(float).reshape(-1, 1)
    X_dask = da.from_array(X, chunks=(300, 64))
    coef = np.linspace(-1e-3, 1e-3, 64).reshape(-1, 1)
    # dask's threads: one holder in this process; the results are the clusters'.
    with dask.config.set(scheduler="threads"):
        local = DaskKernel(X_dask, Y, np.ones(len(y)), link="sigmoid")
    assert len(local.holders) == 1
    expected = local.sums(coef, np.zeros(1), 0.0)
    local.close()
    on_two = DaskKernel(X_dask, Y, np.ones(len(y)), link="sigmoid")
    assert len(on_two.holders) == 2
    got = on_two.sums(coef, np.zeros(1), 0.0)
    on_two.close()
    assert got[0] == expected[0]
    np.testing.assert_array_equal(got[1], expected[1])
    np.testing.assert_array_equal(got[2], expected[2])


def test_a_holder_sums_its_chunks_in_its_workers_threads(digits):
    from skdigit._kernels._dask import _Chunk, _ChunkHolder

    X, y = digits
    Y = np.eye(10)[y]
    chunks = [
        _Chunk(X[rows], Y[rows], np.ones(len(Y[rows])))
        for rows in np.array_split(np.arange(len(X)), 5)
    ]
    coef, intercept = np.full((64, 10), 1e-3), np.zeros(10)
    answers = []
    for threads in (1, 3):
        holder = _ChunkHolder("softmax", None, threads, [4, 0, 1, 2, 3], *chunks)
        assert (holder._pool is not None) == (threads > 1)
        answers.append(holder.sums(coef, intercept, 0.0))
        holder.close()
    single, threaded = answers
    assert list(threaded) == [4, 0, 1, 2, 3]
    for index in single:
        assert threaded[index][0] == single[index][0]
        np.testing.assert_array_equal(threaded[index][1], single[index][1])
