"""GDLogisticRegression inside scikit-learn's tools."""

import pickle

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.calibration import CalibratedClassifierCV
from sklearn.datasets import load_digits
from sklearn.model_selection import GridSearchCV, cross_val_score, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler, StandardScaler

from skdigit import GDLogisticRegression


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)


def test_pipeline_with_scaler(digits):
    X_train, X_test, y_train, y_test = digits
    model = make_pipeline(
        StandardScaler(), GDLogisticRegression(learning_rate=0.5, max_iter=200)
    )
    model.fit(X_train, y_train)
    assert model.score(X_test, y_test) > 0.93
    assert model.predict_proba(X_test).shape == (len(X_test), 10)


def test_cross_val_score(digits):
    X_train, _, y_train, _ = digits
    scores = cross_val_score(
        GDLogisticRegression(learning_rate=1e-3, max_iter=100),
        X_train,
        y_train == 4,
        cv=3,
    )
    assert scores.shape == (3,)
    assert scores.min() > 0.95


def test_grid_search_in_parallel(digits):
    X_train, X_test, y_train, y_test = digits
    search = GridSearchCV(
        make_pipeline(MinMaxScaler(), GDLogisticRegression()),
        {
            "gdlogisticregression__learning_rate": [1e-3, 1.0],
            "gdlogisticregression__max_iter": [20, 100],
            "gdlogisticregression__alpha": [0.0, 1e-2],
        },
        cv=3,
        n_jobs=2,
    )
    search.fit(X_train, y_train)
    assert search.best_params_["gdlogisticregression__learning_rate"] == 1.0
    assert search.best_params_["gdlogisticregression__max_iter"] == 100
    assert search.score(X_test, y_test) > 0.9
    sequential = clone(search).set_params(n_jobs=1).fit(X_train, y_train)
    np.testing.assert_allclose(
        sequential.cv_results_["mean_test_score"], search.cv_results_["mean_test_score"]
    )


def test_clone_keeps_parameters_and_drops_fit(digits):
    X_train, _, y_train, _ = digits
    clf = GDLogisticRegression(learning_rate=3e-4, alpha=0.1, max_iter=5).fit(
        X_train, y_train
    )
    copy = clone(clf)
    assert copy.get_params() == clf.get_params()
    assert not hasattr(copy, "coef_")


def test_pickle_round_trip(digits):
    X_train, X_test, y_train, _ = digits
    clf = GDLogisticRegression(max_iter=20).fit(X_train, y_train)
    restored = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(restored.coef_, clf.coef_)
    assert restored.loss_curve_ == clf.loss_curve_
    np.testing.assert_array_equal(restored.predict(X_test), clf.predict(X_test))


def test_calibrated_classifier(digits):
    X_train, X_test, y_train, y_test = digits
    calibrated = CalibratedClassifierCV(
        GDLogisticRegression(learning_rate=1e-3, max_iter=50), cv=3
    ).fit(X_train, y_train == 4)
    proba = calibrated.predict_proba(X_test)
    np.testing.assert_allclose(proba.sum(axis=1), 1)
    assert calibrated.score(X_test, y_test == 4) > 0.95


def test_string_labels_through_a_pipeline(digits):
    X_train, X_test, y_train, y_test = digits
    names = np.array(
        ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
    )
    model = make_pipeline(StandardScaler(), GDLogisticRegression(learning_rate=0.5))
    model.fit(X_train, names[y_train])
    assert set(model.classes_) == set(names)
    assert np.mean(model.predict(X_test) == names[y_test]) > 0.93
