"""GDLogisticRegression on Array API libraries (PyTorch, array-api-strict)."""

import numpy as np
import pytest
from sklearn import config_context
from sklearn.datasets import load_digits

from skdigit import GDLogisticRegression


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return np.rint(X * 255 / 16), y


@pytest.mark.parametrize("multiclass", ["ovr", "multinomial"])
def test_torch_fit_equals_numpy_fit_and_stays_in_torch(digits, multiclass):
    torch = pytest.importorskip("torch")
    X, y = digits
    params = {"max_iter": 30, "multiclass": multiclass}
    expected = GDLogisticRegression(**params).fit(X, y)
    with config_context(array_api_dispatch=True):
        model = GDLogisticRegression(**params).fit(torch.asarray(X), torch.asarray(y))
        proba = model.predict_proba(torch.asarray(X))
        labels = model.predict(torch.asarray(X))
    assert isinstance(model.coef_, torch.Tensor)
    assert isinstance(model.intercept_, torch.Tensor)
    assert model.coef_.dtype == torch.float64
    np.testing.assert_allclose(model.loss_curve_, expected.loss_curve_, rtol=1e-10)
    np.testing.assert_allclose(
        model.coef_.numpy(), expected.coef_, rtol=1e-10, atol=1e-14
    )
    assert isinstance(proba, torch.Tensor)
    np.testing.assert_allclose(proba.numpy(), expected.predict_proba(X), rtol=1e-9)
    assert isinstance(labels, torch.Tensor)
    np.testing.assert_array_equal(labels.numpy(), expected.predict(X))


def test_torch_float32_stays_float32(digits):
    torch = pytest.importorskip("torch")
    X, y = digits
    with config_context(array_api_dispatch=True):
        model = GDLogisticRegression(max_iter=10).fit(
            torch.asarray(X, dtype=torch.float32), torch.asarray(y == 4)
        )
    assert model.coef_.dtype == torch.float32
    assert model.loss_curve_[0] == np.log(2)


def test_array_api_strict_binary_detector(digits):
    xp = pytest.importorskip("array_api_strict")
    X, y = digits
    expected = GDLogisticRegression(max_iter=20).fit(X, y == 4)
    with config_context(array_api_dispatch=True):
        model = GDLogisticRegression(max_iter=20).fit(xp.asarray(X), xp.asarray(y == 4))
        scores = model.decision_function(xp.asarray(X))
    assert scores.shape == (len(X),)
    np.testing.assert_allclose(
        np.asarray(model.loss_curve_), expected.loss_curve_, rtol=1e-10
    )
    np.testing.assert_allclose(
        np.from_dlpack(scores), expected.decision_function(X), rtol=1e-9, atol=1e-12
    )


def test_predicting_with_another_namespace_fails_clearly(digits):
    torch = pytest.importorskip("torch")
    X, y = digits
    with config_context(array_api_dispatch=True):
        model = GDLogisticRegression(max_iter=2).fit(torch.asarray(X), torch.asarray(y))
        with pytest.raises(
            ValueError, match=r"predict\(\) must use the same namespace"
        ):
            model.predict(X)


def test_without_dispatch_torch_input_is_converted_to_numpy(digits):
    torch = pytest.importorskip("torch")
    X, y = digits
    model = GDLogisticRegression(max_iter=5).fit(torch.asarray(X), torch.asarray(y))
    assert isinstance(model.coef_, np.ndarray)
    np.testing.assert_allclose(
        model.coef_, GDLogisticRegression(max_iter=5).fit(X, y).coef_, rtol=1e-12
    )
