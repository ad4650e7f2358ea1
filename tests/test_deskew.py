"""Tests for skdigit._deskew: straightening digits by their second moments."""

import warnings

import numpy as np
import pytest
from scipy import ndimage
from sklearn.base import clone
from sklearn.datasets import load_digits
from sklearn.exceptions import DataDimensionalityWarning
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler

from skdigit import DigitDeskewer, GDLogisticRegression, read_idx


def _slant(image):
    """cov(row, column) / var(row) of one image, pixels weighed by intensity."""
    image = np.asarray(image, dtype=np.float64)
    rows, cols = np.indices(image.shape)
    mass = image.sum()
    mean_row, mean_col = (rows * image).sum() / mass, (cols * image).sum() / mass
    var_row = ((rows - mean_row) ** 2 * image).sum() / mass
    cov = ((rows - mean_row) * (cols - mean_col) * image).sum() / mass
    return cov / var_row


def _shear(image, skew):
    """Lean an image: row r moves ``skew * (r - centre)`` columns to the right."""
    centre = (image.shape[0] - 1) / 2
    matrix = np.array([[1.0, 0.0], [-skew, 1.0]])
    return ndimage.affine_transform(
        image.astype(np.float64),
        matrix,
        offset=[0.0, skew * centre],
        order=1,
        mode="grid-constant",
    )


def _leaning_bar(side=28, skew=0.5, dtype=np.float64):
    image = np.zeros((side, side))
    image[4:-4, side // 2 - 2 : side // 2 + 2] = 200.0
    return _shear(image, skew).astype(dtype)


@pytest.fixture(scope="module")
def mnist_images(mnist_file):
    return read_idx(mnist_file("t10k-images-idx3-ubyte.gz"))[:500]


# ----------------------------------------------------------------- behaviour


def test_leaning_bar_stands_upright_with_its_centre_of_mass_kept():
    leaning = _leaning_bar(skew=0.6)
    assert _slant(leaning) == pytest.approx(0.6, abs=0.02)
    deskewer = DigitDeskewer(center=False)
    straight = deskewer.fit_transform(leaning.reshape(1, -1)).reshape(28, 28)
    assert abs(_slant(straight)) < 0.01
    np.testing.assert_allclose(
        ndimage.center_of_mass(straight), ndimage.center_of_mass(leaning), atol=0.05
    )
    # Shearing moves ink sideways within rows: each row keeps its ink.
    np.testing.assert_allclose(straight.sum(axis=1), leaning.sum(axis=1), rtol=1e-9)


def test_off_centre_digit_is_centred_and_upright():
    leaning = np.roll(_leaning_bar(skew=0.6), (-3, 4), axis=(0, 1))
    straight = DigitDeskewer().fit_transform(leaning.reshape(1, -1)).reshape(28, 28)
    assert abs(_slant(straight)) < 0.01
    np.testing.assert_allclose(ndimage.center_of_mass(straight), (14, 14), atol=0.05)
    # Nothing is lost: the digit stays inside the image.
    assert straight.sum() == pytest.approx(leaning.sum(), rel=1e-9)


def test_real_digits_lose_their_slant(mnist_images):
    X = mnist_images.reshape(len(mnist_images), -1)
    straight = DigitDeskewer().fit_transform(X).reshape(mnist_images.shape)
    before = np.array([abs(_slant(image)) for image in mnist_images])
    after = np.array([abs(_slant(image)) for image in straight])
    assert np.median(before) > 0.1
    # What is left comes from the rounding to uint8 and ink sheared off the edge.
    assert np.median(after) < 0.01
    assert np.max(after) < 0.1


def test_a_digit_leaned_either_way_comes_back_the_same(mnist_images):
    deskewer = DigitDeskewer().fit(np.zeros((1, 784)))
    for image in mnist_images[:50].astype(np.float64):
        straight = deskewer.transform(image.reshape(1, -1))
        for skew in (-0.4, 0.4):
            leaned = _shear(image, skew).reshape(1, -1)
            again = deskewer.transform(leaned)
            corr = np.corrcoef(straight.ravel(), again.ravel())[0, 1]
            # Two rounds of linear interpolation blur a little.
            assert corr > 0.9


@pytest.mark.parametrize("center", [True, False])
def test_matches_scipy_affine_transform_exactly(center):
    rng = np.random.default_rng(0)
    images = rng.random((20, 12, 12)) * (rng.random((20, 12, 12)) < 0.3)
    straight = DigitDeskewer(center=center).fit_transform(images.reshape(20, -1))
    for image, result in zip(images, straight, strict=True):
        shear = np.array([[1.0, 0.0], [_slant(image), 1.0]])
        mean = np.array(ndimage.center_of_mass(image))
        target = np.array([6.0, 6.0]) if center else mean
        # Output (r, c) reads the input at shear @ ((r, c) - target) + mean.
        expected = ndimage.affine_transform(
            image, shear, offset=mean - shear @ target, order=1, mode="grid-constant"
        )
        np.testing.assert_allclose(result.reshape(12, 12), expected, atol=1e-12)


@pytest.mark.parametrize("side", [1, 2, 8, 16, 28, 45])
def test_any_square_size(side):
    images = np.stack([_leaning_bar(side=max(side, 10), skew=0.5)[:side, :side]] * 3)
    deskewer = DigitDeskewer().fit(images.reshape(3, -1))
    assert deskewer.image_shape_ == (side, side)
    assert deskewer.n_features_in_ == side * side
    assert deskewer.transform(images.reshape(3, -1)).shape == (3, side * side)


def test_rectangular_images_with_image_width():
    tall = np.zeros((30, 20))
    tall[5:25, 8:12] = 1.0
    tall = _shear(np.pad(tall, ((0, 0), (5, 5))), 0.4)[:, 5:25]  # 30 x 20, leaning
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the shape is known: nothing to warn about
        deskewer = DigitDeskewer(image_width=20).fit(tall.reshape(1, -1))
    assert deskewer.image_shape_ == (30, 20)
    straight = deskewer.transform(tall.reshape(1, -1)).reshape(30, 20)
    assert abs(_slant(straight)) < 0.02 < abs(_slant(tall))
    np.testing.assert_allclose(ndimage.center_of_mass(straight), (15, 10), atol=0.05)


def test_blank_and_one_row_images_are_not_sheared():
    blank = np.zeros((1, 64))
    one_row = np.zeros((8, 8))
    one_row[4, 2:6] = 9.0  # centre of mass (4, 3.5): centring moves it 0.5 right
    X = np.vstack([blank, one_row.reshape(1, -1)])
    np.testing.assert_array_equal(DigitDeskewer(center=False).fit_transform(X), X)
    centred = DigitDeskewer().fit_transform(X)
    np.testing.assert_array_equal(centred[0], X[0])
    np.testing.assert_allclose(
        centred[1].reshape(8, 8)[4], [0, 0, 4.5, 9, 9, 9, 4.5, 0], atol=1e-12
    )


@pytest.mark.parametrize("center", [True, False])
def test_upright_centred_image_is_unchanged(center):
    image = np.zeros((10, 10))
    image[1:10, 3:8] = 1.0  # centre of mass (5, 5)
    X = image.reshape(1, -1)
    np.testing.assert_allclose(
        DigitDeskewer(center=center).fit_transform(X), X, atol=1e-12
    )


def test_batches_give_the_same_result_as_one_by_one(monkeypatch):
    import skdigit._deskew as deskew_module

    rng = np.random.default_rng(1)
    X = (rng.random((7, 100)) < 0.2) * rng.integers(0, 256, (7, 100))
    X = X.astype(np.uint8)
    whole = DigitDeskewer().fit_transform(X)
    monkeypatch.setattr(deskew_module, "_BATCH_SIZE", 3)
    np.testing.assert_array_equal(DigitDeskewer().fit_transform(X), whole)
    one_by_one = np.vstack([DigitDeskewer().fit_transform(row[None]) for row in X])
    np.testing.assert_array_equal(one_by_one, whole)


# --------------------------------------------------------------------- dtypes


@pytest.mark.parametrize(
    ("dtype", "expected"),
    [
        (np.uint8, np.uint8),
        (np.float32, np.float32),
        (np.float64, np.float64),
        (np.int64, np.float64),
        (np.uint16, np.float64),
        (bool, np.float64),
    ],
)
def test_output_dtype(dtype, expected):
    X = (_leaning_bar(skew=0.3) > 0).astype(dtype).reshape(1, -1)
    assert DigitDeskewer().fit_transform(X).dtype == expected


def test_uint8_is_the_rounded_float_result(mnist_images):
    X = mnist_images[:100].reshape(100, -1)
    as_uint8 = DigitDeskewer().fit_transform(X)
    as_float = DigitDeskewer().fit_transform(X.astype(np.float64))
    assert as_uint8.dtype == np.uint8
    # uint8 is computed in float32: a level exactly halfway may round either way.
    difference = np.abs(as_uint8 - np.rint(as_float))
    assert difference.max() <= 1 and np.mean(difference == 0) > 0.999
    # Linear interpolation stays within the pixels' range: nothing to clip.
    assert as_float.min() >= 0 and as_float.max() <= 255 + 1e-9


# --------------------------------------------------------------------- errors


@pytest.mark.parametrize("n_features", [2, 10, 783])
def test_non_square_images_pass_through_with_a_warning(n_features):
    X = np.arange(2 * n_features).reshape(2, n_features)  # ints: out as float64
    with pytest.warns(DataDimensionalityWarning, match=rf"{n_features} pixels.*image_"):
        deskewer = DigitDeskewer().fit(X)
    assert deskewer.image_shape_ is None
    out = deskewer.transform(X)
    assert out.dtype == np.float64
    np.testing.assert_array_equal(out, X)
    # A copy: changing the output never changes the input.
    uint8 = X.astype(np.uint8)
    out = deskewer.transform(uint8)
    assert out.dtype == np.uint8 and not np.shares_memory(out, uint8)


def test_image_width_must_divide_the_features():
    with pytest.raises(ValueError, match="image_width=7"):
        DigitDeskewer(image_width=7).fit(np.zeros((2, 30)))


@pytest.mark.parametrize("image_width", [0, -3, 2.5, "28"])
def test_bad_image_width(image_width):
    with pytest.raises(ValueError, match="image_width"):
        DigitDeskewer(image_width=image_width).fit(np.zeros((2, 16)))


def test_bad_center():
    with pytest.raises(ValueError, match="center"):
        DigitDeskewer(center="yes").fit(np.zeros((2, 16)))


def test_negative_pixels_are_an_error_that_says_what_to_do():
    X = np.full((2, 16), -0.5)
    with pytest.raises(ValueError, match=r"Negative values.*before centring"):
        DigitDeskewer().fit(X)
    deskewer = DigitDeskewer().fit(np.zeros((2, 16)))
    with pytest.raises(ValueError, match="Negative values"):
        deskewer.transform(X)


def test_transform_checks_the_number_of_features():
    deskewer = DigitDeskewer().fit(np.zeros((2, 16)))
    with pytest.raises(ValueError, match="16 features"):
        deskewer.transform(np.zeros((2, 25)))


# ------------------------------------------------------------------ pipelines


def test_in_a_pipeline_with_cross_validation():
    X, y = load_digits(return_X_y=True)  # 8 x 8 images
    model = make_pipeline(
        DigitDeskewer(),
        MinMaxScaler(),
        GDLogisticRegression(multiclass="multinomial", learning_rate=0.5, max_iter=50),
    )
    scores = cross_val_score(model, X[:600], y[:600], cv=3)
    assert scores.mean() > 0.85
    assert clone(model).get_params()["digitdeskewer__center"] is True


def test_deskewing_helps_a_linear_model_on_real_digits(mnist_file):
    images = read_idx(mnist_file("t10k-images-idx3-ubyte.gz"))
    labels = read_idx(mnist_file("t10k-labels-idx1-ubyte.gz"))
    X = images.reshape(len(images), -1).astype(np.float32)
    train, test = slice(0, 5000), slice(5000, 10_000)

    def error(*steps):
        model = make_pipeline(
            *steps,
            MinMaxScaler(),
            GDLogisticRegression(
                multiclass="multinomial", learning_rate=0.1, max_iter=100
            ),
        )
        model.fit(X[train], labels[train])
        return 1 - model.score(X[test], labels[test])

    raw, deskewed = error(), error(DigitDeskewer())
    # Deskewing takes away about a third of a linear model's mistakes.
    assert deskewed < 0.8 * raw
