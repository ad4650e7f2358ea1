"""scikit-learn's callbacks (1.9+) on GDLogisticRegression: one task per iteration,
stopping, propagation through Pipeline and GridSearchCV."""

import warnings

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler

from skdigit import GDLogisticRegression

callback = pytest.importorskip("sklearn.callback", reason="scikit-learn < 1.9")


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return X[:400] * (255 / 16), y[:400]


class Recorder:
    """Records every task's end, with the model as it stands then; may stop."""

    def __init__(self, stop_at_iteration=None):
        self.stop_at_iteration = stop_at_iteration
        self.ended = []

    def setup(self, estimator, context):
        pass

    def teardown(self, estimator, context):
        pass

    def on_fit_task_begin(self, estimator, context):
        pass

    def on_fit_task_end(self, estimator, context, *, fitted_estimator=None):
        self.ended.append(
            (type(estimator).__name__, context.task_name, fitted_estimator)
        )
        if context.task_name != "iteration":
            return False
        return fitted_estimator.n_iter_ == self.stop_at_iteration


class AutoRecorder(Recorder):
    """The same, propagated by meta-estimators to the estimators they fit."""

    max_propagation_depth = None


def iterations(recorder):
    return [fitted for name, task, fitted in recorder.ended if task == "iteration"]


def test_one_task_per_iteration_with_the_weights_after_it(digits):
    X, y = digits
    recorder = Recorder()
    clf = GDLogisticRegression(max_iter=7).set_callbacks(recorder).fit(X, y == 4)
    steps = iterations(recorder)
    assert len(steps) == 7
    assert [step.n_iter_ for step in steps] == list(range(1, 8))
    # Each task's model is the fit stopped after that iteration.
    for n_iter, step in enumerate(steps, start=1):
        alone = GDLogisticRegression(max_iter=n_iter).fit(X, y == 4)
        np.testing.assert_array_equal(step.coef_, alone.coef_)
        np.testing.assert_array_equal(step.predict(X), alone.predict(X))
    np.testing.assert_array_equal(steps[-1].coef_, clf.coef_)
    assert recorder.ended[-1][1] == "fit"


def test_a_callback_returning_true_stops_the_fit(digits):
    X, y = digits
    recorder = Recorder(stop_at_iteration=4)
    clf = GDLogisticRegression(max_iter=50, tol=0.0).set_callbacks(recorder)
    with warnings.catch_warnings():
        # Stopped by a callback, not out of iterations: no ConvergenceWarning.
        warnings.simplefilter("error", ConvergenceWarning)
        clf.fit(X, y)
        clf.fit(X, y)  # a second fit starts over and stops again
    assert clf.n_iter_ == 4
    assert len(iterations(recorder)) == 8
    np.testing.assert_array_equal(
        clf.coef_, GDLogisticRegression(max_iter=4).fit(X, y).coef_
    )


def test_progress_bar_and_scoring_monitor_work(digits):
    pytest.importorskip("rich")
    X, y = digits
    monitor = callback.ScoringMonitor(scoring="accuracy")
    clf = GDLogisticRegression(max_iter=5).set_callbacks(
        callback.ProgressBar(), monitor
    )
    clf.fit(X, y == 4)
    scores = [
        row["accuracy"]
        for row in monitor.get_logs().data
        if row["task_name"] == "iteration"
    ]
    assert len(scores) == 5
    assert scores[-1] == clf.score(X, y == 4)


@pytest.mark.filterwarnings("ignore:The estimator MinMaxScaler does not support")
def test_callbacks_on_a_grid_search_around_a_pipeline_reach_every_fit(digits):
    X, y = digits
    recorder = AutoRecorder()
    search = GridSearchCV(
        make_pipeline(MinMaxScaler(), GDLogisticRegression(learning_rate=0.5)),
        {"gdlogisticregression__max_iter": [3, 5]},
        cv=2,
    ).set_callbacks(recorder)
    search.fit(X, y == 4)
    fits = [
        task
        for name, task, _ in recorder.ended
        if name == "GDLogisticRegression" and task == "fit"
    ]
    # 2 candidates x 2 folds, and the refit with the best candidate.
    assert len(fits) == 5
    expected = 2 * (3 + 5) + search.best_params_["gdlogisticregression__max_iter"]
    assert len(iterations(recorder)) == expected
