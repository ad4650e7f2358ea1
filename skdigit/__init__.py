"""skdigit: handwritten digits by plain gradient descent, the scikit-learn way.

The package turns the classic "Character Recognition" notebook into scikit-learn
estimators: :class:`GDLogisticRegression` trains a logistic regression by
zero-initialised, full-batch gradient descent, :class:`OneDigitBinarizer` turns digit
labels into a one-digit target, and :class:`MNISTIdxLoader` reads (and downloads) the
MNIST files.
"""

from ._binarizer import OneDigitBinarizer
from ._deskew import DigitDeskewer
from ._idx import IdxFormatError, read_idx, write_idx
from ._images import NoDigitError, load_digit_image, prepare_digit
from ._logistic import FitInterruptedWarning, GDLogisticRegression, StepTooSmallWarning
from ._mnist import (
    MNISTChecksumError,
    MNISTDataError,
    MNISTDownloadError,
    MNISTFilesMissingError,
    MNISTIdxLoader,
    get_data_home,
)
from ._model_io import ModelFileError, load_model, save_model
from ._picture_io import DigitImageError, ImageTooLargeError
from ._plot import LossCurveDisplay, MisclassifiedDigitsDisplay, WeightsDisplay
from ._scaling import PixelScaler
from ._version import __version__

__all__ = [
    "DigitDeskewer",
    "DigitImageError",
    "FitInterruptedWarning",
    "GDLogisticRegression",
    "IdxFormatError",
    "ImageTooLargeError",
    "LossCurveDisplay",
    "MNISTChecksumError",
    "MNISTDataError",
    "MNISTDownloadError",
    "MNISTFilesMissingError",
    "MNISTIdxLoader",
    "MisclassifiedDigitsDisplay",
    "ModelFileError",
    "NoDigitError",
    "OneDigitBinarizer",
    "PixelScaler",
    "WeightsDisplay",
    "get_data_home",
    "load_digit_image",
    "load_model",
    "prepare_digit",
    "read_idx",
    "save_model",
    "StepTooSmallWarning",
    "write_idx",
    "__version__",
]
