"""OneDigitBinarizer: the notebook's load_labels encoding as a transformer."""

import gzip

import numpy as np
import pytest

from skdigit import OneDigitBinarizer


def notebook_load_labels(filename):
    """The notebook's cell, verbatim but for its comments."""
    with gzip.open(filename, "rb") as f:
        f.read(8)
        all_labels = f.read()
        labels_matrix = np.frombuffer(all_labels, dtype=np.uint8).reshape(-1, 1)
        return (labels_matrix == 4).astype(int)


def test_matches_notebook_load_labels_on_real_mnist(mnist_file):
    path = mnist_file("t10k-labels-idx1-ubyte.gz")
    with gzip.open(path, "rb") as f:
        labels = np.frombuffer(f.read()[8:], dtype=np.uint8).reshape(-1, 1)
    encoded = OneDigitBinarizer().fit_transform(labels)
    expected = notebook_load_labels(path)
    assert encoded.shape == expected.shape == (10000, 1)
    assert encoded.dtype == expected.dtype
    np.testing.assert_array_equal(encoded, expected)
    assert encoded.sum() == 982  # the number of 4s in the MNIST test set


@pytest.mark.parametrize(
    "labels",
    [
        np.array([[7], [4], [1], [4]], dtype=np.uint8),
        np.array([[7], [4], [1], [4]], dtype=np.int64),
        np.array([[7.0], [4.0], [1.0], [4.0]]),
        np.array([["7"], ["4"], ["1"], ["4"]]),
        np.array([["7"], [4], [" 1"], [" 4 "]], dtype=object),
    ],
    ids=["uint8", "int64", "float", "str", "mixed-object"],
)
def test_any_label_type(labels):
    encoded = OneDigitBinarizer(digit=4).fit_transform(labels)
    np.testing.assert_array_equal(encoded, [[0], [1], [0], [1]])
    assert encoded.dtype.kind == "i"


def test_non_numeric_strings_never_match():
    labels = np.array([["four"], ["4"], [""], ["4a"]], dtype=object)
    encoded = OneDigitBinarizer(digit=4).fit_transform(labels)
    np.testing.assert_array_equal(encoded.ravel(), [0, 1, 0, 0])


@pytest.mark.parametrize("missing", [None, np.nan, "nan"])
def test_missing_labels_are_an_error_not_a_zero(missing):
    labels = np.array([["4"], [missing], ["7"]], dtype=object)
    # scikit-learn's own input check catches a float NaN first.
    with pytest.raises(ValueError, match=r"missing label.*row 1|Input contains NaN"):
        OneDigitBinarizer().fit_transform(labels)


def test_one_line_target_for_a_detector():
    y = np.array([5, 0, 4, 1, 9, 2, 1, 3, 1, 4])
    y4 = OneDigitBinarizer(digit=4).fit_transform(y)
    assert y4.shape == y.shape
    np.testing.assert_array_equal(y4, (y == 4).astype(int))


@pytest.mark.parametrize(
    "labels",
    [[7, 4, 1], ["7", "4", "1"], (7.0, 4.0, 1.0), np.array([7, 4, 1], dtype=np.uint8)],
    ids=["list", "str-list", "tuple", "uint8"],
)
def test_a_label_vector_gives_a_vector_like_label_binarizer(labels):
    binarizer = OneDigitBinarizer(digit=4).fit(labels)
    assert binarizer.n_features_in_ == 1
    encoded = binarizer.transform(labels)
    np.testing.assert_array_equal(encoded, [0, 1, 0])
    assert encoded.shape == (3,) and encoded.dtype.kind == "i"
    np.testing.assert_array_equal(binarizer.inverse_transform(encoded), [-1, 4, -1])


def test_vector_and_one_column_fits_serve_each_other():
    by_vector = OneDigitBinarizer().fit([4, 1])
    assert by_vector.transform([[4], [4]]).shape == (2, 1)
    by_column = OneDigitBinarizer().fit([[4], [1]])
    assert by_column.transform([4, 4]).shape == (2,)


def test_a_vector_for_a_binarizer_fitted_on_several_columns_is_an_error():
    binarizer = OneDigitBinarizer().fit(np.array([[4, 1], [2, 4]]))
    with pytest.raises(ValueError, match=r"1-D label vector.*2 label columns"):
        binarizer.transform(np.array([4, 1]))


def test_a_vector_beside_a_target_is_refused_as_by_any_transformer():
    # fit(X, y) is a pipeline step's call: X must be label columns there.
    with pytest.raises(ValueError, match=r"X is 1-D, and y is given.*fit_transform"):
        OneDigitBinarizer().fit(np.array([4, 1, 7]), np.array([0, 1, 0]))
    columns = np.array([[4], [1], [7]])
    fitted = OneDigitBinarizer().fit(columns, np.array([0, 1, 0]))
    assert fitted.transform(columns).tolist() == [[1], [0], [0]]


def test_a_named_series_names_its_output():
    pd = pytest.importorskip("pandas")
    labels = pd.Series([4, 2, 4], name="label")
    binarizer = OneDigitBinarizer().fit(labels)
    assert binarizer.get_feature_names_out().tolist() == ["label_is_4"]
    np.testing.assert_array_equal(binarizer.transform(labels), [1, 0, 1])


def test_missing_labels_in_a_vector_are_an_error():
    with pytest.raises(ValueError, match="missing label"):
        OneDigitBinarizer().fit_transform(np.array(["4", None], dtype=object))


def test_several_columns_are_encoded_independently():
    labels = np.array([[3, 0], [0, 3], [3, 3]])
    encoded = OneDigitBinarizer(digit=3).fit_transform(labels)
    np.testing.assert_array_equal(encoded, [[1, 0], [0, 1], [1, 1]])


def test_inverse_transform():
    binarizer = OneDigitBinarizer(digit=7).fit(np.array([[7], [1]]))
    np.testing.assert_array_equal(binarizer.inverse_transform([[1], [0]]), [[7], [-1]])
    with pytest.raises(ValueError, match="only 0 and 1"):
        binarizer.inverse_transform([[2], [0]])


def test_feature_names_out():
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame({"label": [4, 2]})
    binarizer = OneDigitBinarizer().fit(frame)
    assert binarizer.get_feature_names_out().tolist() == ["label_is_4"]
    binarizer.set_output(transform="pandas")
    out = binarizer.transform(frame)
    assert out.columns.tolist() == ["label_is_4"]
    assert out["label_is_4"].tolist() == [1, 0]


@pytest.mark.parametrize("digit", [-1, 10, 4.5, "4"])
def test_bad_digit_names_the_parameter(digit):
    with pytest.raises(ValueError, match="'digit' parameter"):
        OneDigitBinarizer(digit=digit).fit(np.array([[4]]))


def test_wrong_number_of_columns_at_transform():
    binarizer = OneDigitBinarizer().fit(np.array([[4], [1]]))
    with pytest.raises(ValueError, match="X has 2 features"):
        binarizer.transform(np.array([[4, 1]]))
