"""Model files: safe round trips, recorded versions, clear refusals."""

import io
import json
import os
import zipfile

import numpy as np
import pytest
import sklearn
from sklearn.datasets import load_digits
from sklearn.dummy import DummyClassifier
from sklearn.exceptions import NotFittedError

import skdigit
from skdigit import GDLogisticRegression, ModelFileError, load_model, save_model
from skdigit._model_io import FORMAT_VERSION

skops_io = pytest.importorskip("skops.io")


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return X * (255 / 16), y


@pytest.fixture(scope="module")
def fitted(digits):
    X, y = digits
    return GDLogisticRegression(max_iter=20).fit(X, y)


def _rewrite_header(path, change):
    """Copy the zip at ``path`` with ``change(header_dict)`` applied to skdigit.json."""
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    header = json.loads(members["skdigit.json"])
    change(header)
    members["skdigit.json"] = json.dumps(header).encode()
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)


def test_round_trip_keeps_predictions_and_metadata(tmp_path, digits, fitted):
    X, _ = digits
    path = save_model(
        fitted, tmp_path / "model.skops", metadata={"digit": None, "shape": [8, 8]}
    )
    assert path == tmp_path / "model.skops"
    loaded, info = load_model(path)
    assert isinstance(loaded, GDLogisticRegression)
    assert loaded.get_params() == fitted.get_params()
    np.testing.assert_array_equal(loaded.coef_, fitted.coef_)
    np.testing.assert_array_equal(loaded.classes_, fitted.classes_)
    assert loaded.loss_curve_ == fitted.loss_curve_
    np.testing.assert_array_equal(loaded.predict_proba(X), fitted.predict_proba(X))
    assert info["format"] == FORMAT_VERSION
    assert info["skdigit_version"] == skdigit.__version__
    assert info["sklearn_version"] == sklearn.__version__
    assert info["numpy_version"] == np.__version__
    assert info["metadata"] == {"digit": None, "shape": [8, 8]}
    # Nothing but the file itself is left in the folder (no temporary files).
    assert os.listdir(tmp_path) == ["model.skops"]


def test_file_is_a_plain_skops_file_too(tmp_path, fitted):
    path = save_model(fitted, tmp_path / "model.skops")
    untrusted = skops_io.get_untrusted_types(file=path)
    assert untrusted == ["skdigit._logistic.GDLogisticRegression"]
    again = skops_io.load(path, trusted=untrusted)
    np.testing.assert_array_equal(again.coef_, fitted.coef_)
    with zipfile.ZipFile(path) as archive:
        assert "skdigit.json" in archive.namelist()
        assert not any(name.endswith(".pkl") for name in archive.namelist())


def test_save_replaces_an_existing_file_atomically(tmp_path, fitted, monkeypatch):
    path = save_model(fitted, tmp_path / "model.skops")
    before = path.read_bytes()

    def broken_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        save_model(fitted, path, metadata={"other": True})
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["model.skops"]


def test_save_needs_an_existing_folder(tmp_path, fitted):
    with pytest.raises(FileNotFoundError, match="no folder"):
        save_model(fitted, tmp_path / "missing" / "model.skops")


def test_save_refuses_other_estimators_and_unfitted_ones(tmp_path, digits):
    X, y = digits
    with pytest.raises(TypeError, match="GDLogisticRegression"):
        save_model(DummyClassifier().fit(X, y), tmp_path / "m.skops")
    with pytest.raises(NotFittedError):
        save_model(GDLogisticRegression(), tmp_path / "m.skops")
    assert not list(tmp_path.iterdir())


def test_save_refuses_metadata_that_is_not_json(tmp_path, fitted):
    with pytest.raises(TypeError, match="JSON"):
        save_model(fitted, tmp_path / "m.skops", metadata={"array": np.zeros(2)})
    assert not list(tmp_path.iterdir())


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(FileNotFoundError, match="no such model file"):
        load_model(tmp_path / "nothing.skops")
    with pytest.raises(IsADirectoryError, match="is a folder"):
        load_model(tmp_path)


@pytest.mark.parametrize(
    "content, why",
    [
        (b"", "not a zip archive"),
        (b"\x89PNG\r\n\x1a\n" + bytes(100), "not a zip archive"),
        (b"x = 1\n", "not a zip archive"),
    ],
)
def test_a_file_that_is_not_a_model(tmp_path, content, why):
    path = tmp_path / "model.skops"
    path.write_bytes(content)
    with pytest.raises(ModelFileError, match="is not a skdigit model file") as info:
        load_model(path)
    assert why in str(info.value)
    assert str(path) in str(info.value)


def test_a_zip_without_metadata(tmp_path):
    path = tmp_path / "archive.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(ModelFileError, match="without skdigit metadata"):
        load_model(path)


def test_a_plain_skops_file_is_named_as_such(tmp_path, fitted):
    path = tmp_path / "plain.skops"
    skops_io.dump(fitted, path)
    with pytest.raises(ModelFileError, match="skops file without skdigit metadata"):
        load_model(path)


def test_a_damaged_file(tmp_path, fitted):
    path = save_model(fitted, tmp_path / "model.skops")
    data = path.read_bytes()
    # Damage the estimator's members but keep the zip directory readable.
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    members["schema.json"] = b"{not json"
    with zipfile.ZipFile(path, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    with pytest.raises(ModelFileError, match="is damaged"):
        load_model(path)


def test_metadata_without_format_number(tmp_path, fitted):
    path = save_model(fitted, tmp_path / "model.skops")
    _rewrite_header(path, lambda header: header.pop("format"))
    with pytest.raises(ModelFileError, match="no format number"):
        load_model(path)


def test_a_newer_format_is_refused_with_a_clear_message(tmp_path, fitted):
    path = save_model(fitted, tmp_path / "model.skops")

    def from_the_future(header):
        header["format"] = FORMAT_VERSION + 1
        header["skdigit_version"] = "9.0.0"

    _rewrite_header(path, from_the_future)
    with pytest.raises(ModelFileError) as info:
        load_model(path)
    message = str(info.value)
    assert "written by a newer skdigit (9.0.0, model format 2)" in message
    assert "upgrade skdigit" in message


def test_untrusted_types_are_never_loaded(tmp_path, digits):
    X, y = digits
    # A skops file of another estimator, dressed up with skdigit metadata.
    path = tmp_path / "model.skops"
    skops_io.dump(DummyClassifier().fit(X, y), path)
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr("skdigit.json", json.dumps({"format": 1}))
    # skops trusts scikit-learn's estimators by default; skdigit does not.
    assert skops_io.get_untrusted_types(file=path) == []
    with pytest.raises(ModelFileError, match="does not trust") as info:
        load_model(path)
    assert "sklearn.dummy.DummyClassifier" in str(info.value)


def test_untrusted_types_nested_in_the_estimator(tmp_path, fitted):
    # A GDLogisticRegression whose parameter holds an arbitrary object.
    sneaky = GDLogisticRegression().set_params(multiclass=DummyClassifier())
    for name in ["classes_", "coef_", "intercept_", "loss_curve_", "n_iter_"]:
        setattr(sneaky, name, getattr(fitted, name))
    path = tmp_path / "model.skops"
    skops_io.dump(sneaky, path)
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr("skdigit.json", json.dumps({"format": 1}))
    with pytest.raises(ModelFileError, match="does not trust"):
        load_model(path)


def test_another_sklearn_version_only_warns(tmp_path, digits, fitted):
    X, _ = digits
    path = save_model(fitted, tmp_path / "model.skops")
    _rewrite_header(path, lambda header: header.update(sklearn_version="0.24.2"))
    with pytest.warns(UserWarning, match="saved with scikit-learn 0.24.2"):
        loaded, info = load_model(path)
    np.testing.assert_array_equal(loaded.predict(X), fitted.predict(X))
    assert info["sklearn_version"] == "0.24.2"


def test_model_file_error_is_a_value_error():
    assert issubclass(ModelFileError, ValueError)
