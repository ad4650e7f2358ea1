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
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import MinMaxScaler, StandardScaler

import skdigit
from skdigit import (
    DigitDeskewer,
    GDLogisticRegression,
    ModelFileError,
    PixelScaler,
    load_model,
    save_model,
)
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


def _write_format_1(path, classifier, metadata):
    """A model file as skdigit 0.1 wrote it: a bare classifier, format 1."""
    header = {
        "format": 1,
        "skdigit_version": "0.1.0",
        "sklearn_version": sklearn.__version__,
        "numpy_version": np.__version__,
        "skops_version": "0.10.0",
        "metadata": metadata,
    }
    skops_io.dump(classifier, path)
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr("skdigit.json", json.dumps(header))
    return path


def _rewrite_member(path, name, data):
    with zipfile.ZipFile(path) as archive:
        members = {member: archive.read(member) for member in archive.namelist()}
    members[name] = data
    with zipfile.ZipFile(path, "w") as archive:
        for member, content in members.items():
            archive.writestr(member, content)


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
    assert untrusted == ["skdigit.GDLogisticRegression"]  # by its public name
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
    expected = f"written by a newer skdigit (9.0.0, model format {FORMAT_VERSION + 1})"
    assert expected in message
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


# ------------------------------------------------------------------- pipelines


@pytest.fixture(scope="module")
def scaled_pipeline(digits):
    X, y = digits
    model = make_pipeline(PixelScaler(), GDLogisticRegression(learning_rate=0.5))
    return model.fit(X, y == 4)


def test_a_pipeline_round_trip_predicts_from_raw_pixels(
    tmp_path, digits, scaled_pipeline
):
    X, _ = digits
    path = save_model(scaled_pipeline, tmp_path / "model.skops")
    loaded, info = load_model(path)
    assert isinstance(loaded, Pipeline)
    assert [type(step).__name__ for _, step in loaded.steps] == [
        "PixelScaler",
        "GDLogisticRegression",
    ]
    np.testing.assert_array_equal(
        loaded.predict_proba(X), scaled_pipeline.predict_proba(X)
    )
    assert info["format"] == FORMAT_VERSION == 3
    # A plain skops file too, trusting exactly skdigit's types and the Pipeline.
    assert sorted(skops_io.get_untrusted_types(file=path)) == [
        "skdigit.GDLogisticRegression",
        "skdigit.PixelScaler",
    ]


def test_deskewing_and_centring_steps_round_trip(tmp_path, digits):
    # What `skdigit train --deskew --scale --center` saves.
    X, y = digits
    model = make_pipeline(
        DigitDeskewer(),
        PixelScaler(max_value=16),
        StandardScaler(with_std=False),
        GDLogisticRegression(learning_rate=0.1, max_iter=20),
    ).fit(X, y)
    loaded, _ = load_model(save_model(model, tmp_path / "model.skops"))
    assert [type(step).__name__ for _, step in loaded.steps] == [
        "DigitDeskewer",
        "PixelScaler",
        "StandardScaler",
        "GDLogisticRegression",
    ]
    np.testing.assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))


def test_passthrough_steps_are_fine(tmp_path, digits):
    X, y = digits
    model = Pipeline(
        [("scale", "passthrough"), ("classifier", GDLogisticRegression(max_iter=3))]
    ).fit(X, y)
    loaded, _ = load_model(save_model(model, tmp_path / "model.skops"))
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))


@pytest.mark.parametrize(
    "steps, message",
    [
        ([MinMaxScaler(), GDLogisticRegression(max_iter=2)], "MinMaxScaler"),
        ([PixelScaler(), DummyClassifier()], "the last step is a DummyClassifier"),
    ],
)
def test_save_refuses_pipelines_of_other_steps(tmp_path, digits, steps, message):
    X, y = digits
    model = make_pipeline(*steps).fit(X, y)
    with pytest.raises(TypeError, match=message):
        save_model(model, tmp_path / "model.skops")
    assert not list(tmp_path.iterdir())


def test_untrusted_steps_in_a_pipeline_file_are_never_loaded(tmp_path, digits):
    X, y = digits
    path = tmp_path / "model.skops"
    model = make_pipeline(MinMaxScaler(), GDLogisticRegression(max_iter=2))
    skops_io.dump(model.fit(X, y), path)
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr("skdigit.json", json.dumps({"format": 2}))
    with pytest.raises(ModelFileError, match="does not trust") as info:
        load_model(path)
    assert "sklearn.preprocessing._data.MinMaxScaler" in str(info.value)


def test_a_pipeline_without_the_classifier_is_not_a_model(tmp_path, digits):
    X, _ = digits
    path = tmp_path / "model.skops"
    skops_io.dump(make_pipeline(PixelScaler(), PixelScaler()).fit(X), path)
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr("skdigit.json", json.dumps({"format": 2}))
    with pytest.raises(ModelFileError, match="does not hold a fitted model"):
        load_model(path)


# ---------------------------------------------------------- earlier model files


@pytest.mark.parametrize("pixel_scale", [1 / 255, 1.0])
def test_format_1_files_of_the_command_come_back_as_its_pipeline(
    tmp_path, digits, pixel_scale
):
    X, y = digits
    learning_rate = 0.5 if pixel_scale != 1 else 1e-5
    # What skdigit 0.1's command did: scale by hand, keep the factor in metadata.
    classifier = GDLogisticRegression(learning_rate=learning_rate).fit(
        np.multiply(X, pixel_scale), y == 4
    )
    before = classifier.predict_proba(np.multiply(X, pixel_scale))
    metadata = {"digit": 4, "image_shape": [8, 8], "pixel_scale": pixel_scale}
    path = _write_format_1(tmp_path / "old.skops", classifier, metadata)

    loaded, info = load_model(path)
    assert isinstance(loaded, Pipeline)
    assert loaded[-1].get_params() == classifier.get_params()
    assert len(loaded.steps) == (2 if pixel_scale != 1 else 1)
    np.testing.assert_allclose(loaded.predict_proba(X), before, rtol=1e-12)
    np.testing.assert_array_equal(
        loaded.predict(X), classifier.predict(X * pixel_scale)
    )
    assert loaded.n_features_in_ == X.shape[1]
    # The scaling moved into the pipeline: nobody applies it twice.
    assert info["format"] == 1
    assert info["metadata"] == {"digit": 4, "image_shape": [8, 8]}


def test_format_1_files_without_pixel_scale_come_back_as_saved(
    tmp_path, digits, fitted
):
    X, _ = digits
    path = _write_format_1(tmp_path / "old.skops", fitted, {"note": "python"})
    loaded, info = load_model(path)
    assert isinstance(loaded, GDLogisticRegression)
    np.testing.assert_array_equal(loaded.predict(X), fitted.predict(X))
    assert info["metadata"] == {"note": "python"}


@pytest.mark.parametrize("pixel_scale", ["1/255", 0, -1.0, True, None])
def test_format_1_with_a_bad_pixel_scale_is_damaged(tmp_path, fitted, pixel_scale):
    path = _write_format_1(tmp_path / "old.skops", fitted, {"pixel_scale": pixel_scale})
    with pytest.raises(ModelFileError, match="is damaged: its pixel_scale") as info:
        load_model(path)
    assert str(path) in str(info.value)


# --------------------------------------------------------------- damaged headers


@pytest.mark.parametrize(
    "change, why",
    [
        (
            lambda header: header.update(metadata=[1, 2]),
            "metadata in skdigit.json is a list, not an object",
        ),
        (lambda header: header.update(metadata="x"), "is a string, not an object"),
        (
            lambda header: header.update(sklearn_version=[1]),
            "sklearn_version in skdigit.json is a list, not a string",
        ),
        (lambda header: header.update(skdigit_version=None), "skdigit_version"),
    ],
)
def test_damaged_metadata_is_a_model_file_error(tmp_path, fitted, change, why):
    path = save_model(fitted, tmp_path / "model.skops")
    _rewrite_header(path, change)
    with pytest.raises(ModelFileError) as info:
        load_model(path)
    message = str(info.value)
    assert message.startswith(f"'{path}' is damaged: ")
    assert why in message


@pytest.mark.parametrize("member", ["skdigit.json", "schema.json"])
def test_deeply_nested_json_is_a_model_file_error(tmp_path, fitted, member):
    path = save_model(fitted, tmp_path / "model.skops")
    depth = 200_000
    nested = '{"format": 2, "metadata": ' if member == "skdigit.json" else ""
    nested += "[" * depth + "]" * depth + ("}" if member == "skdigit.json" else "")
    _rewrite_member(path, member, nested.encode())
    with pytest.raises(ModelFileError, match="nested too deeply") as info:
        load_model(path)
    assert str(info.value).startswith(f"'{path}' is damaged: ")


def test_huge_metadata_is_refused_unread(tmp_path, fitted):
    path = save_model(fitted, tmp_path / "model.skops")
    _rewrite_member(path, "skdigit.json", b" " * (2 << 20))
    with pytest.raises(ModelFileError, match=r"member 'skdigit\.json' holds 2097152"):
        load_model(path)


# ------------------------------------------- public type names (issue 20)


def _write_format_2(path, estimator, metadata=None):
    """A model file as skdigit wrote it before format 3: skops' own file, whose
    types are named by their private modules, with skdigit.json added."""
    header = {
        "format": 2,
        "skdigit_version": "0.2.0",
        "sklearn_version": sklearn.__version__,
        "numpy_version": np.__version__,
        "skops_version": "0.16.0",
        "metadata": metadata or {},
    }
    skops_io.dump(estimator, path)
    with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("skdigit.json", json.dumps(header, indent=2))
    return path


def _schema(path):
    with zipfile.ZipFile(path) as archive:
        return archive.read("schema.json").decode()


@pytest.fixture(scope="module")
def every_step(digits):
    """A pipeline of every step a model file may hold."""
    X, y = digits
    return make_pipeline(
        DigitDeskewer(),
        PixelScaler(max_value=16),
        StandardScaler(with_std=False),
        GDLogisticRegression(max_iter=5),
    ).fit(X, y)


def test_files_name_types_by_their_public_names(
    tmp_path, digits, every_step, monkeypatch
):
    X, _ = digits
    model = every_step
    path = save_model(model, tmp_path / "model.skops")
    schema = _schema(path)
    assert '"__module__": "skdigit"' in schema
    assert '"__module__": "sklearn.preprocessing"' in schema
    assert "skdigit._" not in schema and "sklearn.preprocessing._" not in schema

    # A class moved to another private module: the file still loads.
    monkeypatch.setattr(GDLogisticRegression, "__module__", "skdigit._elsewhere")
    loaded, info = load_model(path)
    assert info["format"] == FORMAT_VERSION == 3
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))


def test_format_2_files_with_private_type_names_still_load(
    tmp_path, digits, every_step
):
    X, _ = digits
    model = every_step
    path = _write_format_2(tmp_path / "old.skops", model, {"digit": None})
    assert "skdigit._logistic" in _schema(path)
    assert "sklearn.preprocessing._data" in _schema(path)

    loaded, info = load_model(path)

    assert info["format"] == 2 and info["metadata"] == {"digit": None}
    assert [type(step) for _, step in loaded.steps] == [
        DigitDeskewer,
        PixelScaler,
        StandardScaler,
        GDLogisticRegression,
    ]
    np.testing.assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))


def test_a_private_name_that_is_not_trusted_stays_refused(tmp_path, digits):
    X, y = digits
    path = _write_format_2(
        tmp_path / "model.skops",
        make_pipeline(MinMaxScaler(), GDLogisticRegression(max_iter=2)).fit(X, y),
    )
    with pytest.raises(ModelFileError, match="does not trust") as info:
        load_model(path)
    assert "sklearn.preprocessing._data.MinMaxScaler" in str(info.value)


# ------------------------------------------------- bounds (issue 17, M4)


def test_devices_and_fifos_are_refused_unread(tmp_path):
    if os.path.exists("/dev/zero"):
        with pytest.raises(OSError, match="not a regular file"):
            load_model("/dev/zero")
    if hasattr(os, "mkfifo"):
        fifo = tmp_path / "model.skops"
        os.mkfifo(fifo)
        with pytest.raises(OSError, match=r"model\.skops' is not a regular file"):
            load_model(fifo)


def test_a_file_too_large_for_a_model_is_refused_unread(tmp_path):
    path = tmp_path / "huge.skops"
    with open(path, "wb") as file:
        file.truncate(256 * 2**20 + 1)  # sparse: costs no disk
    with pytest.raises(ModelFileError) as info:
        load_model(path)
    assert str(info.value) == (
        f"'{path}' is too large to be a model file: 268435457 bytes, more than the "
        "268435456 skdigit reads; nothing was read"
    )


def _deflated(path, name, data):
    """Put ``data`` in the model file at ``path`` as member ``name``, deflated."""
    with zipfile.ZipFile(path) as archive:
        members = {member: archive.read(member) for member in archive.namelist()}
    members[name] = data
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for member, content in members.items():
            archive.writestr(member, content)


def _an_array_member(path):
    with zipfile.ZipFile(path) as archive:
        return next(name for name in archive.namelist() if name.endswith(".npy"))


def _npy_header(shape):
    """The .npy header of a float64 array of ``shape``."""
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        header, {"descr": "<f8", "fortran_order": False, "shape": shape}
    )
    return header.getvalue()


def test_an_array_member_that_inflates_like_a_bomb_is_refused(tmp_path, fitted):
    path = save_model(fitted, tmp_path / "model.skops")
    zeros = _npy_header((2_000_000,)) + bytes(16_000_000)  # 16 MB, deflated to 16 kB
    _deflated(path, _an_array_member(path), zeros)
    assert path.stat().st_size < 100_000
    with pytest.raises(
        ModelFileError, match=r"is damaged: its member '.*\.npy' inflates \d{3,} times"
    ):
        load_model(path)


def test_json_padded_with_whitespace_is_refused(tmp_path, fitted):
    path = save_model(fitted, tmp_path / "model.skops")
    schema = _schema(path)
    _deflated(path, "schema.json", (schema + " " * 40_000_000).encode())
    assert path.stat().st_size < 200_000
    with pytest.raises(ModelFileError, match=r"'schema\.json' inflates"):
        load_model(path)


def test_json_members_have_their_own_cap(tmp_path, fitted, monkeypatch):
    from skdigit import _model_io

    path = save_model(fitted, tmp_path / "model.skops")
    size = len(_schema(path))
    monkeypatch.setitem(_model_io._MAX_JSON_BYTES, "schema.json", size - 1)
    with pytest.raises(ModelFileError, match=f"'schema.json' holds {size} bytes"):
        load_model(path)
    # And a model whose schema would break it is not saved in the first place.
    with pytest.raises(ValueError, match="too large for a model file"):
        save_model(fitted, tmp_path / "again.skops")
    assert not (tmp_path / "again.skops").exists()


def test_an_array_larger_than_its_member_is_refused(tmp_path, fitted):
    path = save_model(fitted, tmp_path / "model.skops")
    _rewrite_member(path, _an_array_member(path), _npy_header((10**9,)) + bytes(80))
    with pytest.raises(ModelFileError, match="promises 8000000000 bytes of data"):
        load_model(path)


def test_a_zip_directory_that_understates_a_member_is_damaged(tmp_path, fitted):
    """A member inflating past the size its directory entry declares is cut
    there (never inflated further) and refused by its CRC."""
    path = save_model(fitted, tmp_path / "model.skops")
    _deflated(path, "notes.txt", bytes(1_000_000))
    data = bytearray(path.read_bytes())
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        start = 0
        while (start := data.find(signature, start)) >= 0:
            name_at = start + (30 if signature == b"PK\x03\x04" else 46)
            if data[name_at : name_at + 9] == b"notes.txt":
                data[start + offset : start + offset + 4] = (100).to_bytes(4, "little")
            start += 4
    path.write_bytes(bytes(data))
    with pytest.raises(ModelFileError, match="is damaged"):
        load_model(path)


# ---------------------------------- fitted attributes (issue 17, Low 2)


def _tampered(fitted, **attributes):
    import copy

    model = copy.deepcopy(fitted)
    for name, value in attributes.items():
        setattr(model, name, value)
    return model


@pytest.mark.parametrize(
    "attributes, why",
    [
        (
            {"classes_": np.arange(3)},
            r"coef_ is an array of float64 of shape \(10, 64\)",
        ),
        ({"classes_": np.zeros(10)}, "two or more distinct labels"),
        ({"classes_": np.arange(10.0).reshape(2, 5)}, "classes_ is an array"),
        ({"coef_": np.full((10, 64), np.nan)}, "coef_ holds NaN or infinite"),
        ({"intercept_": np.full(10, np.inf)}, "intercept_ holds NaN or infinite"),
        ({"coef_": np.zeros((10, 64), dtype=bool)}, "coef_ is an array of bool"),
        ({"coef_": np.zeros((10, 64), dtype=complex)}, "coef_ is an array of complex"),
        ({"coef_": np.zeros(640)}, r"shape \(640,\)"),
        ({"intercept_": np.zeros(3)}, r"intercept_ is an array of float64 of shape"),
        ({"n_features_in_": "64"}, "n_features_in_ is '64', not a positive whole"),
        ({"n_features_in_": True}, "n_features_in_ is True"),
        ({"n_features_in_": 65}, r"coef_ is an array of float64 of shape \(10, 64\)"),
        ({"multiclass": "bogus"}, "'multiclass' parameter"),
    ],
)
def test_tampered_weights_are_a_damaged_file(tmp_path, fitted, attributes, why):
    path = _write_format_2(tmp_path / "model.skops", _tampered(fitted, **attributes))
    with pytest.raises(ModelFileError, match=why) as info:
        load_model(path)
    assert str(info.value).startswith(f"'{path}' is damaged: ")
    assert "GDLogisticRegression" in str(info.value)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(
    "step, attributes, why",
    [
        (PixelScaler(), {"n_features_in_": 784}, "classifier takes 64 features"),
        (PixelScaler(), {"max_value": -1.0}, "'max_value' parameter"),
        (DigitDeskewer(), {"image_shape_": (4, 4)}, "DigitDeskewer.image_shape_"),
        (DigitDeskewer(), {"image_shape_": "8x8"}, "DigitDeskewer.image_shape_"),
        (StandardScaler(), {"scale_": -np.ones(64)}, "scale_ holds numbers that"),
        (StandardScaler(), {"mean_": np.zeros(3)}, r"mean_ is an array of float64"),
        (StandardScaler(), {"mean_": None}, "StandardScaler.mean_ is None"),
    ],
)
def test_tampered_steps_are_a_damaged_file(tmp_path, digits, step, attributes, why):
    X, y = digits
    model = make_pipeline(step, GDLogisticRegression(max_iter=2)).fit(X, y)
    for name, value in attributes.items():
        setattr(model[0], name, value)
    path = _write_format_2(tmp_path / "model.skops", model)
    with pytest.raises(ModelFileError, match=why) as info:
        load_model(path)
    assert str(info.value).startswith(f"'{path}' is damaged: ")
