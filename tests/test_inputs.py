"""skdigit._inputs: one decision per call about what kind of X the estimator has."""

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn import config_context

from skdigit import GDLogisticRegression
from skdigit._inputs import ArrayAPIInput, DaskInput, NumPyInput, input_kind


def test_numpy_and_sparse_input_stay_numpy_and_keep_integer_pixels():
    X = np.arange(12, dtype=np.uint8).reshape(4, 3)
    kind = input_kind(X)
    assert type(kind) is NumPyInput and kind.xp is np
    labels = [0, 1, 0, 1]
    validated, _ = kind.validate_fit(GDLogisticRegression(), X, labels, reset=True)
    assert validated.dtype == np.uint8  # never copied into floats
    assert kind.float_dtype(validated) == np.float64
    assert kind.zeros((3, 1), validated).dtype == np.float64
    csr = sp.csr_matrix(X)
    assert type(input_kind(csr)) is NumPyInput
    validated, _ = input_kind(csr).validate_fit(
        GDLogisticRegression(), csr, labels, reset=True
    )
    assert validated.dtype == np.float64  # sparse products need floats
    float32 = X.astype(np.float32)
    assert kind.float_dtype(float32) == np.float32


def test_array_api_input_only_with_dispatch_on():
    xp = pytest.importorskip("array_api_strict")
    X = xp.asarray(np.ones((4, 3)), dtype=xp.float32)
    assert type(input_kind(X)) is NumPyInput
    with config_context(array_api_dispatch=True):
        kind = input_kind(X)
        assert type(kind) is ArrayAPIInput and kind.xp.__name__ == xp.__name__
        weights = kind.to_fit(np.ones(4), X)
        assert weights.dtype == xp.float32
        assert kind.zeros((3, 1), X).dtype == xp.float32


def test_dask_input_is_validated_lazily_and_maps_rows_chunk_by_chunk():
    da = pytest.importorskip("dask.array")
    X = da.from_array(np.arange(12.0).reshape(4, 3), chunks=(2, 3))
    kind = input_kind(X)
    assert type(kind) is DaskInput and kind.xp is np
    estimator = GDLogisticRegression()
    validated, y = kind.validate_fit(estimator, X, np.array([0, 1, 0, 1]), reset=True)
    assert estimator.n_features_in_ == 3
    assert isinstance(y, np.ndarray)
    sums = kind.map_rows(validated, lambda rows: rows.sum(axis=1), None, None)
    assert type(sums).__name__ == "Array"
    np.testing.assert_array_equal(sums.compute(), [3.0, 12.0, 21.0, 30.0])
