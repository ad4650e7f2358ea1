"""What kind of X the estimator was given: NumPy (or SciPy sparse), another Array
API library, or dask.

:func:`input_kind` decides once per call; the object it returns does everything that
depends on the kind: validating X (and y) the way ``validate_data`` does, making the
float arrays of the fit (targets, weights, starting weights) in X's namespace and on
its device, and applying a prediction function to X -- lazily, chunk by chunk, for a
dask array. The estimator asks no other question about where X comes from, and the
kernels (:mod:`skdigit._kernels`) make the same choice for the passes over X.
"""

import numpy as np
import scipy.sparse as sp
from sklearn import get_config
from sklearn.utils import check_consistent_length, column_or_1d
from sklearn.utils.validation import validate_data

from ._array_api import check_same_namespace, device, from_numpy, get_namespace
from ._array_api import to_numpy as _to_numpy
from ._dask import is_dask_array

# NumPy X of these types is used as it is: floats directly, integers (the notebook's
# uint8 pixels) cast block by block inside the kernel, never copied whole.
FIT_DTYPES = (
    np.float64,
    np.float32,
    np.uint8,
    np.uint16,
    np.uint32,
    np.uint64,
    np.int8,
    np.int16,
    np.int32,
    np.int64,
)


def input_kind(X):
    """The handler of X's kind: dask, another Array API library when scikit-learn's
    ``array_api_dispatch`` is on, else NumPy.

    Examples
    --------
    >>> import numpy as np
    >>> from skdigit._inputs import input_kind
    >>> input_kind(np.zeros((2, 3))).xp is np
    True
    """
    if is_dask_array(X):
        return DaskInput()
    xp = get_namespace(X) if get_config()["array_api_dispatch"] else np
    return NumPyInput() if xp is np else ArrayAPIInput(xp)


class NumPyInput:
    """NumPy arrays and SciPy CSR matrices; integer pixels are kept as they are."""

    xp = np

    def validate_fit(self, estimator, X, y, *, reset):
        """Validated X, and y as a NumPy vector."""
        X, y = validate_data(
            estimator, X, y, accept_sparse="csr", dtype=self._fit_dtypes(), reset=reset
        )
        if sp.issparse(X) and X.dtype.kind != "f":
            X = X.astype(np.float64)
        if not reset:
            self._check_same_place(estimator, X, "fit")
        return X, _to_numpy(y)

    def validate_predict(self, estimator, X, method):
        X = validate_data(
            estimator,
            X,
            accept_sparse="csr",
            dtype=[self.xp.float64, self.xp.float32],
            reset=False,
        )
        self._check_same_place(estimator, X, method)
        return X

    def float_dtype(self, X):
        """The float type of the fit: float32 for float32 X, else float64 (integer
        X included), as a NumPy dtype."""
        return np.dtype(np.float32 if X.dtype == np.float32 else np.float64)

    def weight_dtype(self, X):
        """The dtype of the weights, in X's namespace."""
        return self.float_dtype(X)

    def to_fit(self, array, X):
        """A NumPy array of the fit (targets, weights) in X's namespace and place."""
        return array

    def zeros(self, shape, X):
        """Zero weights of the fit, in X's namespace and place."""
        return np.zeros(shape, dtype=self.weight_dtype(X))

    def map_rows(self, X, function, n_columns, dtype):
        """``function(X)``."""
        return function(X)

    def _fit_dtypes(self):
        return list(FIT_DTYPES)

    def _check_same_place(self, estimator, X, method):
        check_same_namespace(
            estimator.coef_, X, estimator=type(estimator).__name__, method=method
        )


class ArrayAPIInput(NumPyInput):
    """Arrays of another Array API library (PyTorch, CuPy, ...), used on their own
    device; the fit computes in their float type."""

    def __init__(self, xp):
        self.xp = xp

    def float_dtype(self, X):
        return np.dtype(np.float32 if self.xp.finfo(X.dtype).bits == 32 else "f8")

    def weight_dtype(self, X):
        return X.dtype

    def to_fit(self, array, X):
        return from_numpy(array.astype(self.float_dtype(X), copy=False), self.xp, X)

    def zeros(self, shape, X):
        return self.xp.zeros(shape, dtype=X.dtype, device=device(X))

    def _fit_dtypes(self):
        return [self.xp.float64, self.xp.float32]


class DaskInput(NumPyInput):
    """Dask arrays: validated lazily, fitted by the dask kernel on their chunks, and
    predicted on chunk by chunk; the weights are NumPy arrays."""

    def validate_fit(self, estimator, X, y, *, reset):
        from ._dask import validate_dask_X

        n_features = None if reset else estimator.n_features_in_
        X = validate_dask_X(X, n_features=n_features)
        y = column_or_1d(_to_numpy(y), warn=True)
        check_consistent_length(X, y)
        if reset:
            estimator.n_features_in_ = X.shape[1]
            estimator.__dict__.pop("feature_names_in_", None)
        return X, y

    def validate_predict(self, estimator, X, method):
        from ._dask import validate_dask_X

        return validate_dask_X(X, n_features=estimator.n_features_in_)

    def map_rows(self, X, function, n_columns, dtype):
        """``function`` over X's row chunks, lazily."""
        from ._dask import map_rows

        return map_rows(X, function, n_columns=n_columns, dtype=dtype or X.dtype)
