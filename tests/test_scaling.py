"""PixelScaler: the notebook's X / 255 as a pipeline step."""

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.pipeline import make_pipeline

from skdigit import GDLogisticRegression, PixelScaler


def test_divides_every_pixel_by_the_same_value():
    pixels = np.array([[0, 255, 128], [17, 0, 0]], dtype=np.uint8)
    scaled = PixelScaler().fit_transform(pixels)
    assert scaled.dtype == np.float64
    np.testing.assert_array_equal(scaled, pixels / 255.0)
    # Unlike a per-column scaler, a column whose maximum is 17 is not stretched.
    assert scaled[1, 0] == pytest.approx(17 / 255)


def test_learns_nothing_from_the_data():
    first = PixelScaler().fit(np.full((3, 4), 10.0))
    second = PixelScaler().fit(np.full((3, 4), 200.0))
    X = np.arange(8.0).reshape(2, 4)
    np.testing.assert_array_equal(first.transform(X), second.transform(X))
    np.testing.assert_array_equal(PixelScaler().transform(X), X / 255)


def test_float32_and_sparse_input():
    X = np.array([[255.0, 51.0]], dtype=np.float32)
    assert PixelScaler().fit_transform(X).dtype == np.float32
    sparse = sp.csr_matrix(np.array([[0, 255], [51, 0]], dtype=np.uint8))
    scaled = PixelScaler().fit_transform(sparse)
    assert sp.issparse(scaled)
    np.testing.assert_allclose(scaled.toarray(), [[0, 1], [0.2, 0]])


@pytest.mark.parametrize("max_value", [0, -1.0])
def test_max_value_must_be_positive(max_value):
    with pytest.raises(ValueError, match="max_value"):
        PixelScaler(max_value=max_value).fit(np.ones((2, 2)))
    with pytest.raises(ValueError, match="max_value"):
        PixelScaler(max_value=max_value).transform(np.ones((2, 2)))


def test_in_a_pipeline_it_is_the_notebooks_scaled_run():
    rng = np.random.default_rng(0)
    X = rng.integers(0, 256, size=(60, 16)).astype(np.uint8)
    y = (X[:, 0] > 128).astype(int)
    pipeline = make_pipeline(PixelScaler(), GDLogisticRegression(learning_rate=0.5))
    pipeline.fit(X, y)
    by_hand = GDLogisticRegression(learning_rate=0.5).fit(X / 255, y)
    np.testing.assert_array_equal(pipeline[-1].coef_, by_hand.coef_)
    np.testing.assert_array_equal(pipeline.predict(X), by_hand.predict(X / 255))
