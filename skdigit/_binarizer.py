"""Turn digit labels into the notebook's one-digit 0/1 target."""

from numbers import Integral

import numpy as np
from sklearn.base import (
    BaseEstimator,
    OneToOneFeatureMixin,
    TransformerMixin,
    _fit_context,
)
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

    This is the notebook's ``load_labels`` encoding as a transformer. A 1-D label
    vector ``y`` becomes a 1-D 0/1 integer vector, 1 where the label is ``digit``,
    as :class:`~sklearn.preprocessing.LabelBinarizer` takes and gives 1-D labels:
    ``OneDigitBinarizer(digit=4).fit_transform(y)`` is the target of a 4-detector.
    In a pipeline or a :class:`~sklearn.compose.ColumnTransformer`, label columns of
    shape (n_samples, n_columns) become 0/1 columns of the same shape, each encoded
    independently. Labels may be uint8, ints, floats or strings: ``4``, ``4.0`` and
    ``"4"`` all match ``digit=4``.

    Parameters
    ----------
    digit : int, default=4
        The digit encoded as 1.

    Attributes
    ----------
    n_features_in_ : int
        Number of label columns seen during :meth:`fit` (1 for a 1-D vector).

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the columns seen during :meth:`fit`. Defined only when `X` has
        column names that are all strings.

    See Also
    --------
    sklearn.preprocessing.LabelBinarizer : One 0/1 column per class of a 1-D target.
    GDLogisticRegression : The detector trained on the 0/1 target.

    Notes
    -----
    A 1-D ``X`` is a label vector only when it comes alone, as in
    ``fit_transform(y)``. Fitted as a step with ``fit(X, y)``, the binarizer is a
    transformer of label columns like any other, and a 1-D ``X`` is refused there as
    scikit-learn's transformers refuse it: which of the two was meant can not be told.

    Examples
    --------
    >>> import numpy as np
    >>> from skdigit import OneDigitBinarizer
    >>> y = np.array([7, 2, 1, 0, 4, 1, 4, 9], dtype=np.uint8)
    >>> OneDigitBinarizer(digit=4).fit_transform(y)
    array([0, 0, 0, 0, 1, 0, 1, 0])
    >>> OneDigitBinarizer(digit=4).fit_transform(["4", "9", " 4 "])
    array([1, 0, 1])

    Label columns keep their shape and get names:

    >>> columns = np.array([[4, 1], [2, 4]])
    >>> binarizer = OneDigitBinarizer(digit=4).fit(columns)
    >>> binarizer.transform(columns)
    array([[1, 0],
           [0, 1]])
    >>> binarizer.get_feature_names_out(["label", "guess"])
    array(['label_is_4', 'guess_is_4'], dtype=object)
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

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Check the labels, a vector or columns; nothing is learned.

        Parameters
        ----------
        X : array-like of shape (n_samples,) or (n_samples, n_columns)
            A label vector (when ``y`` is not given), or label columns.

        y : None or array-like
            Ignored; when given, X must be 2-D label columns (see the Notes).

        Returns
        -------
        self : object
            Fitted transformer.

        Examples
        --------
        >>> import numpy as np
        >>> from skdigit import OneDigitBinarizer
        >>> OneDigitBinarizer().fit(np.array([[4, 1], [7, 4]])).n_features_in_
        2
        """
        ndim = X.ndim if hasattr(X, "ndim") else np.asarray(X).ndim
        if y is not None and ndim == 1:
            raise ValueError(
                f"X is 1-D, and y is given: {type(self).__name__} fitted as a step "
                "with (X, y) takes label columns of shape (n_samples, n_columns). To "
                "binarize a label vector, pass it alone: fit_transform(labels)."
            )
        self._validate_labels(X, reset=True)
        return self

    def transform(self, X):
        """Encode each label as 1 if it is ``digit``, else 0.

        Parameters
        ----------
        X : array-like of shape (n_samples,) or (n_samples, n_columns)
            A label vector, or label columns.

        Returns
        -------
        X_binary : ndarray of the shape of X, dtype int
            The 0/1 encoding.

        Examples
        --------
        >>> import numpy as np
        >>> from skdigit import OneDigitBinarizer
        >>> binarizer = OneDigitBinarizer(digit=7).fit(np.array([7, 1]))
        >>> binarizer.transform(np.array([1, 7, 7]))
        array([0, 1, 1])
        """
        check_is_fitted(self)
        X, shape = self._validate_labels(X, reset=False)
        return self._encode(X).reshape(shape)

    def _encode(self, X):
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
        X : array-like of shape (n_samples,) or (n_samples, n_columns)
            A 0/1 encoding, as made by :meth:`transform`.

        Returns
        -------
        labels : ndarray of the shape of X, dtype int
            ``digit`` where X is 1 and -1 where X is 0.

        Examples
        --------
        >>> import numpy as np
        >>> from skdigit import OneDigitBinarizer
        >>> binarizer = OneDigitBinarizer(digit=7).fit(np.array([7, 1]))
        >>> binarizer.inverse_transform(np.array([1, 0]))
        array([ 7, -1])
        """
        check_is_fitted(self)
        X, shape = self._validate_labels(X, reset=False, dtype="numeric")
        if not np.isin(X, (0, 1)).all():
            raise ValueError(
                "OneDigitBinarizer.inverse_transform expects only 0 and 1 values, as "
                "made by transform; got other values."
            )
        return np.where(X == 1, self.digit, -1).reshape(shape)

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

    def _validate_labels(self, X, *, reset, dtype=None):
        """Validate X as label columns; a 1-D vector is one column.

        Returns the 2-D labels and the shape the output takes: X's own shape.
        """
        if not hasattr(X, "ndim"):  # a list, or another array-like
            X = np.asarray(X)
        if X.ndim != 1:
            X = validate_data(self, X, dtype=dtype, reset=reset)
            return X, X.shape
        if not reset and self.n_features_in_ != 1:
            raise ValueError(
                f"X is a 1-D label vector, but {type(self).__name__} was fitted on "
                f"{self.n_features_in_} label columns. Reshape your data to shape "
                f"(n_samples, {self.n_features_in_}), or fit on a 1-D vector."
            )
        # A pandas or polars Series becomes a one-column frame that keeps its name.
        column = X.to_frame() if hasattr(X, "to_frame") else X.reshape(-1, 1)
        column = validate_data(self, column, dtype=dtype, reset=reset)
        return column, column.shape[:1]
