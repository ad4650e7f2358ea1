"""scikit-learn's common estimator checks, over every public estimator."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from skdigit import (
    DigitDeskewer,
    GDLogisticRegression,
    OneDigitBinarizer,
    PixelScaler,
)


@parametrize_with_checks(
    [
        GDLogisticRegression(),
        GDLogisticRegression(multiclass="multinomial"),
        OneDigitBinarizer(),
        PixelScaler(),
        DigitDeskewer(image_width=1),
    ]
)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
