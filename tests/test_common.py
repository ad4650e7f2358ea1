"""scikit-learn's common estimator checks, over every public estimator."""

import numpy as np
import pytest
import sklearn
from sklearn import config_context
from sklearn.base import BaseEstimator, clone
from sklearn.utils.estimator_checks import parametrize_with_checks
from sklearn.utils.fixes import parse_version

import skdigit
from skdigit import (
    DigitDeskewer,
    GDLogisticRegression,
    OneDigitBinarizer,
    PixelScaler,
)

SKLEARN_BEFORE_1_9 = parse_version(sklearn.__version__) < parse_version("1.9")


def public_estimator_classes():
    """Every BaseEstimator that ``import skdigit`` offers, by name."""
    classes = (getattr(skdigit, name) for name in sorted(skdigit.__all__))
    return [
        cls
        for cls in classes
        if isinstance(cls, type) and issubclass(cls, BaseEstimator)
    ]


# Each public estimator at its defaults, as `check_estimator(Estimator())` sees it,
# then settings whose code the defaults leave out of the checks.
ESTIMATORS = [cls() for cls in public_estimator_classes()] + [
    GDLogisticRegression(multiclass="multinomial"),
    # The step computed from the data: scikit-learn's accuracy checks apply.
    GDLogisticRegression(learning_rate="auto"),
    GDLogisticRegression(
        learning_rate="auto", solver="nesterov", multiclass="multinomial"
    ),
    # Images one pixel wide: every feature count of the checks' data is deskewed,
    # where at the defaults only the square ones (1, 4, 9) are.
    DigitDeskewer(image_width=1),
]


def expected_failed_checks(estimator):
    """The checks an estimator fails on purpose, each with the reason."""
    if SKLEARN_BEFORE_1_9 and isinstance(estimator, GDLogisticRegression):
        # Before 1.9 the array API check also demanded classes_ in the input's
        # library, which labels such as strings cannot be; 1.9 dropped that demand.
        return {
            "check_array_api_input": (
                "scikit-learn < 1.9 wants classes_ in the input's array library"
            )
        }
    return {}


def test_every_public_estimator_is_checked_at_its_defaults():
    checked = {type(estimator) for estimator in ESTIMATORS}
    assert {DigitDeskewer, GDLogisticRegression, OneDigitBinarizer, PixelScaler} <= (
        checked
    )
    for cls in public_estimator_classes():
        assert any(
            type(estimator) is cls and estimator.get_params() == cls().get_params()
            for estimator in ESTIMATORS
        ), cls.__name__


@parametrize_with_checks(ESTIMATORS, expected_failed_checks=expected_failed_checks)
# The default DigitDeskewer passes the checks' 2 to 10 features through, and says so.
@pytest.mark.filterwarnings("ignore:DigitDeskewer cannot tell the shape")
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)


# Parameters the constraints refuse but the fit can still use: with scikit-learn's
# skip_parameter_validation the fit must run without checking them.
UNCHECKED_BUT_USABLE = [
    OneDigitBinarizer(digit=4.0),
    DigitDeskewer(center=1),
    PixelScaler(max_value=np.array(255.0)),
]


@pytest.mark.parametrize("estimator", UNCHECKED_BUT_USABLE, ids=repr)
def test_skip_parameter_validation_is_honoured(estimator):
    X = np.array([[4.0], [1.0], [0.0], [255.0]])
    with pytest.raises(ValueError, match="parameter of"):
        clone(estimator).fit(X)
    with config_context(skip_parameter_validation=True):
        fitted = clone(estimator).fit(X)
        assert fitted.transform(X).shape == X.shape


def test_skip_parameter_validation_in_an_unfitted_pixel_scaler():
    scaler = PixelScaler(max_value=np.array(255.0))
    with pytest.raises(ValueError, match="max_value"):
        scaler.transform([[255.0]])
    with config_context(skip_parameter_validation=True):
        assert scaler.transform([[255.0]]).tolist() == [[1.0]]


def test_skip_parameter_validation_in_the_classifier():
    # n_iter_no_change=0 is refused, and unused when tol is None.
    X, y = np.array([[4.0], [1.0], [0.0], [255.0]]), np.array([1, 0, 0, 1])
    classifier = GDLogisticRegression(n_iter_no_change=0, max_iter=3)
    with pytest.raises(ValueError, match="n_iter_no_change"):
        clone(classifier).fit(X, y)
    with config_context(skip_parameter_validation=True):
        assert clone(classifier).fit(X, y).n_iter_ == 3
