"""scikit-learn's common estimator checks, over every public estimator."""

import sklearn
from sklearn.utils.estimator_checks import parametrize_with_checks
from sklearn.utils.fixes import parse_version

from skdigit import (
    DigitDeskewer,
    GDLogisticRegression,
    OneDigitBinarizer,
    PixelScaler,
)

SKLEARN_BEFORE_1_9 = parse_version(sklearn.__version__) < parse_version("1.9")


def expected_failed_checks(estimator):
    """None on scikit-learn 1.9 and newer. Before 1.9, its array API check also
    demanded ``classes_`` in the input's library, which labels such as strings can
    not be; 1.9 dropped that demand."""
    if SKLEARN_BEFORE_1_9 and isinstance(estimator, GDLogisticRegression):
        return {
            "check_array_api_input": (
                "scikit-learn < 1.9 wants classes_ in the input's array library"
            )
        }
    return {}


@parametrize_with_checks(
    [
        GDLogisticRegression(),
        GDLogisticRegression(multiclass="multinomial"),
        # The step computed from the data: scikit-learn's accuracy checks apply.
        GDLogisticRegression(learning_rate="auto"),
        GDLogisticRegression(
            learning_rate="auto", solver="nesterov", multiclass="multinomial"
        ),
        OneDigitBinarizer(),
        PixelScaler(),
        DigitDeskewer(image_width=1),
    ],
    expected_failed_checks=expected_failed_checks,
)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
