"""Turn digit labels into the notebook's one-digit 0/1 target."""

from numbers import Integral

import numpy as np
from sklearn.base import BaseEstimator, OneToOneFeatureMixin, TransformerMixin
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import check_is_fitted, validate_data


def _equals_digit(value, digit):
    """Whether one label means ``digit``: 4, 4.0, "4" and " 4 " all do."""
    try:
        return float(value) == digit
    except (TypeError, ValueError):
        return False


def _is_missing(value):
    """None, NaN, or a string saying NaN: a label nobody knows."""
    if value is None:
        return True
    try:
        return bool(np.isnan(float(value)))
    except (TypeError, ValueError):
        return False


class OneDigitBinarizer(OneToOneFeatureMixin, TransformerMixin, BaseEstimator):
    """Mark the labels equal to one digit with 1 and every other label with 0.

    This is the notebook's ``load_labels`` encoding as a transformer: a column of
    digit labels of shape (n_samples, 1) becomes a 0/1 integer column of the same
    shape, 1 where the label is ``digit``. Several columns are encoded independently.
    Labels may be uint8, ints, floats or strings: ``4``, ``4.0`` and ``"4"`` all match
    ``digit=4``.

    To build the target of a one-digit detector from a 1-D label vector ``y``::

        y4 = OneDigitBinarizer(digit=4).fit_transform(y.reshape(-1, 1)).ravel()

    Parameters
    ----------
    digit : int, default=4
        The digit encoded as 1.

    Attributes
    ----------
    n_features_in_ : int
        Number of label columns seen during :meth:`fit`.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the columns seen during :meth:`fit`. Defined only when `X` has
        column names that are all strings.

    See Also
    --------
    sklearn.preprocessing.LabelBinarizer : One 0/1 column per class of a 1-D target.
    GDLogisticRegression : The detector trained on the 0/1 target.

    Examples
    --------
    >>> import numpy as np
    >>> from skdigit import OneDigitBinarizer
    >>> labels = np.array([[7], [2], [1], [0], [4], [1], [4], [9]], dtype=np.uint8)
    >>> binarizer = OneDigitBinarizer(digit=4).fit(labels)
    >>> binarizer.transform(labels).ravel()
    array([0, 0, 0, 0, 1, 0, 1, 0])
    >>> binarizer.transform(np.array([["4"], ["9"]], dtype=object)).ravel()
    array([1, 0])
    >>> binarizer.get_feature_names_out(["label"])
    array(['label_is_4'], dtype=object)
    """

    _parameter_constraints: dict = {"digit": [Interval(Integral, 0, 9, closed="both")]}

    def __init__(self, *, digit=4):
        self.digit = digit

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        # The output is always a 0/1 integer column, whatever the label dtype.
        tags.transformer_tags.preserves_dtype = []
        return tags

    def fit(self, X, y=None):
        """Check the label columns; nothing is learned.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_columns)
            Label columns.

        y : None
            Ignored.

        Returns
        -------
        self : object
            Fitted transformer.

        Examples
        --------
        >>> import numpy as np
        >>> from skdigit import OneDigitBinarizer
        >>> OneDigitBinarizer().fit(np.array([[4], [7]])).n_features_in_
        1
        """
        self._validate_params()
        validate_data(self, X, dtype=None)
        return self

    def transform(self, X):
        """Encode each label as 1 if it is ``digit``, else 0.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_columns)
            Label columns.

        Returns
        -------
        X_binary : ndarray of shape (n_samples, n_columns), dtype int
            The 0/1 encoding.

        Examples
        --------
        >>> import numpy as np
        >>> from skdigit import OneDigitBinarizer
        >>> binarizer = OneDigitBinarizer(digit=7).fit(np.array([[7], [1]]))
        >>> binarizer.transform(np.array([[1], [7], [7]])).ravel()
        array([0, 1, 1])
        """
        check_is_fitted(self)
        X = validate_data(self, X, dtype=None, reset=False)
        if X.dtype.kind in "biuf":
            return (X == self.digit).astype(int)
        missing = np.frompyfunc(_is_missing, 1, 1)(X).astype(bool)
        if missing.any():
            # Encoding an unknown label as "not the digit" would invent data.
            raise ValueError(
                f"X contains {int(missing.sum())} missing label(s) (None or NaN), "
                "first at row {}: drop or fill them before binarizing.".format(
                    int(np.argwhere(missing)[0][0])
                )
            )
        return np.frompyfunc(_equals_digit, 2, 1)(X, self.digit).astype(int)

    def inverse_transform(self, X):
        """Map the 0/1 encoding back: 1 becomes ``digit``, 0 becomes -1 ("another
        digit", which the encoding cannot tell apart).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_columns)
            A 0/1 encoding, as made by :meth:`transform`.

        Returns
        -------
        labels : ndarray of shape (n_samples, n_columns), dtype int
            ``digit`` where X is 1 and -1 where X is 0.

        Examples
        --------
        >>> import numpy as np
        >>> from skdigit import OneDigitBinarizer
        >>> binarizer = OneDigitBinarizer(digit=7).fit(np.array([[7], [1]]))
        >>> binarizer.inverse_transform(np.array([[1], [0]])).ravel()
        array([ 7, -1])
        """
        check_is_fitted(self)
        X = validate_data(self, X, reset=False)
        if not np.isin(X, (0, 1)).all():
            raise ValueError(
                "OneDigitBinarizer.inverse_transform expects only 0 and 1 values, as "
                "made by transform; got other values."
            )
        return np.where(X == 1, self.digit, -1)

    def get_feature_names_out(self, input_features=None):
        """Output column names: ``<input name>_is_<digit>``.

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            Input column names; by default ``feature_names_in_`` or ``x0, x1, ...``.

        Returns
        -------
        feature_names_out : ndarray of str objects

        Examples
        --------
        >>> import numpy as np
        >>> from skdigit import OneDigitBinarizer
        >>> binarizer = OneDigitBinarizer().fit(np.array([[4, 1], [2, 4]]))
        >>> binarizer.get_feature_names_out().tolist()
        ['x0_is_4', 'x1_is_4']
        """
        names = super().get_feature_names_out(input_features)
        return np.asarray([f"{name}_is_{self.digit}" for name in names], dtype=object)
