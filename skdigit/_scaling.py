"""Divide pixel values by their maximum: the notebook's optional ``X / 255``.

A model trained on pixels scaled to [0, 1] must be given scaled pixels again at
prediction time. Keeping the division inside the pipeline, as its own step, makes
a saved model predict from raw 0-255 pixels. scikit-learn's scalers learn their
scale from the data (per column), and ``FunctionTransformer`` holds a function that
a safe model file cannot restore without trusting code, hence this small step.
"""

from numbers import Real

from sklearn import get_config
from sklearn.base import (
    BaseEstimator,
    OneToOneFeatureMixin,
    TransformerMixin,
    _fit_context,
)
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import FLOAT_DTYPES, validate_data

__all__ = ["PixelScaler"]


class PixelScaler(OneToOneFeatureMixin, TransformerMixin, BaseEstimator):
    """Divide every pixel by the largest possible pixel value.

    Raw MNIST pixels run from 0 to 255; ``PixelScaler()`` maps them to [0, 1], as
    the notebook's ``X / 255`` does, with one fixed factor for every pixel (unlike
    :class:`~sklearn.preprocessing.MinMaxScaler`, which learns one per column). It
    learns nothing from the data, so a pipeline refitted on other images scales
    them the same way. Integer pixels become float64; float32 stays float32.

    Parameters
    ----------
    max_value : float, default=255.0
        The value that becomes 1: 255 for 8-bit pixels, 16 for scikit-learn's
        bundled 8x8 digits.

    Attributes
    ----------
    n_features_in_ : int
        Number of pixels per image seen during :meth:`fit`.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the columns seen during :meth:`fit`. Defined only when `X` has
        column names that are all strings.

    See Also
    --------
    sklearn.preprocessing.MinMaxScaler : Scale each column by its own range.

    Examples
    --------
    >>> import numpy as np
    >>> from skdigit import PixelScaler
    >>> pixels = np.array([[0, 51, 255], [255, 0, 102]], dtype=np.uint8)
    >>> PixelScaler().fit_transform(pixels)
    array([[0. , 0.2, 1. ],
           [1. , 0. , 0.4]])
    """

    _parameter_constraints: dict = {
        "max_value": [Interval(Real, 0, None, closed="neither")],
    }

    def __init__(self, *, max_value=255.0):
        self.max_value = max_value

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.requires_fit = False
        tags.input_tags.sparse = True
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Check the images and record their number of pixels.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_pixels)
            Images, one row each.

        y : None
            Ignored.

        Returns
        -------
        self : object
            Fitted transformer.

        Examples
        --------
        >>> import numpy as np
        >>> from skdigit import PixelScaler
        >>> PixelScaler().fit(np.zeros((2, 784), dtype=np.uint8)).n_features_in_
        784
        """
        validate_data(self, X, accept_sparse=["csr", "csc"], dtype=FLOAT_DTYPES)
        return self

    def transform(self, X):
        """Divide the pixels by ``max_value``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_pixels)
            Images, one row each.

        Returns
        -------
        X_scaled : {ndarray, sparse matrix} of shape (n_samples, n_pixels)
            The pixels divided by ``max_value``, a new float array.

        Examples
        --------
        >>> import numpy as np
        >>> from skdigit import PixelScaler
        >>> PixelScaler(max_value=16).transform(np.array([[0, 8, 16]]))
        array([[0. , 0.5, 1. ]])
        """
        # Nothing is learnt, so transform works unfitted: check the parameter here,
        # unless asked not to, as fit's _fit_context would be.
        if not get_config()["skip_parameter_validation"]:
            self._validate_params()
        X = validate_data(
            self, X, accept_sparse=["csr", "csc"], dtype=FLOAT_DTYPES, reset=False
        )
        return X / self.max_value
